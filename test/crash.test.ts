// kill -9 of the real service (a child process) while batches are being classified: every acknowledged request
// is retrievable byte for byte afterwards, and no request is half-written (the chain verifies complete).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { SqliteStore } from '../server/audit/sqlite';
import { verifyChain } from '../server/audit/store';
import { assemble, createApp } from '../server/service/app';
import request from 'supertest';
import pino from 'pino';
import { openEngine } from '../server/engine';

const ROOT = path.resolve(__dirname, '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-crash-'));
let child: ChildProcess | null = null;
afterAll(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Starts the service on a free loopback port and resolves with its URL. */
function startService(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    child = spawn(process.execPath, ['--require', 'tsx/cjs', 'server/service/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, HTTP: '1', PORT: '0', HOST: '127.0.0.1', SQLITE_PATH: file, DATABASE_URL: '', API_KEYS: '', RATE_LIMIT: '100000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    child.on('exit', (code) => reject(new Error(`service exited (${code}) before listening: ${err}${out}`)));
  });
}

const rows = (k: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ description: ['cotton knitted t-shirt', 'lithium ion battery', 'steel bolts', 'frozen shrimp'][(i + k) % 4] + ` lot ${k}-${i}`, item_id: `${k}-${i}` }));

test('kill -9 in the middle of batches: acknowledged requests are all there, unacknowledged ones are whole or absent', async () => {
  const file = path.join(dir, 'audit.sqlite');
  const url = await startService(file);
  const acked = new Map<string, string>();
  const BATCHES = 8;
  let settled = 0;
  let sentKill = false;
  const exited = new Promise<string | null>((resolve) => child!.on('exit', (_code, signal) => resolve(signal)));
  const killed = new Promise<void>((resolve) => {
    for (let k = 0; k < BATCHES; k++) {
      const id = `crash-batch-${k}`;
      fetch(`${url}/api/v1/classify`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Request-Id': id },
        body: JSON.stringify({ rows: rows(k, 600) }),
      })
        .then(async (res) => {
          const text = await res.text();
          if (res.status === 200) acked.set(id, text);
        })
        .catch(() => undefined)
        .finally(() => {
          settled++;
          // Kill as soon as the second answer arrives: the other batches are still being classified.
          if (acked.size === 2 && !sentKill) sentKill = child!.kill('SIGKILL');
          if (settled === BATCHES) resolve();
        });
    }
  });
  await killed;
  expect(await exited).toBe('SIGKILL');
  expect(acked.size).toBeGreaterThanOrEqual(2);
  expect(acked.size).toBeLessThan(BATCHES);

  const store = new SqliteStore(file);
  try {
    for (const [id, text] of acked) {
      const stored = await store.getRequest(id);
      expect(stored).not.toBeNull();
      expect(assemble(stored!.head, stored!.rows)).toBe(text);
    }
    // verify also checks that every request has all its rows: nothing half-written.
    const v = await verifyChain(store);
    expect(v.ok).toBe(true);
    expect(v.requests).toBeGreaterThanOrEqual(acked.size);
    for (let k = 0; k < BATCHES; k++) {
      const stored = await store.getRequest(`crash-batch-${k}`);
      if (stored) expect(stored.rows).toHaveLength(600);
    }
    // After the restart the service answers from the same trail.
    const o = openEngine();
    const app = createApp({
      engine: o.engine,
      versions: o.versions,
      store,
      config: { apiKeys: [], allowedOrigins: [], rateLimit: { windowMs: 60_000, limit: 1000 }, staticDir: null },
      logger: pino({ level: 'silent' }),
    });
    const [id, text] = [...acked][0];
    expect((await request(app).get(`/api/v1/classifications/${id}`).expect(200)).text).toBe(text);
  } finally {
    await store.close();
  }
});
