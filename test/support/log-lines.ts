// A pino logger whose lines are kept in memory, for tests that check what the service logs.
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

export function collectingLogger(level = 'info'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { logger: pino({ level }, sink), lines };
}
