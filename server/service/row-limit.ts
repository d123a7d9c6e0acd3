// The row rate limit: rows classified per minute and client, beside express-rate-limit's requests per minute. A
// request counts for little when it carries 5,000 long descriptions (one such request costs tens of seconds of
// CPU), so POST /classify and reclassify also take their rows from a per-client budget (RATE_LIMIT_ROWS).
//
// A fixed window per client (as express-rate-limit's default store): the first rows of a client open a window of
// `windowMs`; a request whose rows would exceed what is left of the window's budget is refused whole (429 with
// Retry-After, nothing classified or recorded) and takes nothing from it. One limiter per app: no global state.
import type { Request, Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';

/** Rows per minute and client by default (RATE_LIMIT_ROWS): about a fifth of what a 2-core instance classifies. */
export const DEFAULT_RATE_LIMIT_ROWS = 20_000;

export interface RowLimitConfig {
  windowMs: number;
  /** Rows per window and client. */
  rows: number;
}

/** The 429 thrown when a request's rows exceed the client's budget; the app's error handler answers with it. */
export class RowLimitError extends Error {
  readonly status = 429;
  readonly expose = true;
  constructor(
    message: string,
    readonly retryAfterS: number,
  ) {
    super(message);
    this.name = 'RowLimitError';
  }
}

export interface RowLimiter {
  /**
   * Takes `rows` from the client's budget, or throws RowLimitError (and sets Retry-After on `res`) when they do not
   * fit. `now` is for tests.
   */
  take(req: Request, res: Response, rows: number, now?: number): void;
}

/** The client a request counts for: its address, IPv6 by /56 (as express-rate-limit's requests limit counts it). */
const clientOf = (req: Request) => ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown');

export function createRowLimiter(cfg: RowLimitConfig): RowLimiter {
  const windows = new Map<string, { start: number; used: number }>();
  let swept = 0;
  return {
    take(req, res, rows, now = Date.now()) {
      if (now - swept >= cfg.windowMs) {
        for (const [k, w] of windows) if (now - w.start >= cfg.windowMs) windows.delete(k);
        swept = now;
      }
      const key = clientOf(req);
      let w = windows.get(key);
      if (!w || now - w.start >= cfg.windowMs) {
        w = { start: now, used: 0 };
        windows.set(key, w);
      }
      if (w.used + rows <= cfg.rows) {
        w.used += rows;
        return;
      }
      const per = `${cfg.rows} rows per ${cfg.windowMs / 1000} s per client`;
      if (rows > cfg.rows) {
        // It can never fit: waiting does not help, splitting does.
        const retry = Math.ceil(cfg.windowMs / 1000);
        res.setHeader('Retry-After', String(retry));
        throw new RowLimitError(`too many rows: this request has ${rows} rows and the limit is ${per}; send at most ${cfg.rows} rows per request`, retry);
      }
      const retry = Math.max(1, Math.ceil((w.start + cfg.windowMs - now) / 1000));
      res.setHeader('Retry-After', String(retry));
      throw new RowLimitError(
        `too many rows: this request has ${rows} rows but only ${cfg.rows - w.used} of the ${per} are left; retry after ${retry} s or send fewer rows`,
        retry,
      );
    },
  };
}
