// The service client: POST /api/v1/classify in chunks (at most 500 rows and always under 5 MB of JSON, Excel's
// and the service's limit), with a timeout per chunk and errors that say what went wrong. No DOM use.
import type { ClassifyResponse, Country, RequestRow } from './types';

export const CHUNK_ROWS = 500;
/** Budget for one request body; the service and Excel allow 5 MB (5,242,880 bytes). */
export const CHUNK_BYTES = 4_500_000;
export const DEFAULT_TIMEOUT_MS = 60_000;

export type ServiceErrorKind = 'unreachable' | 'rejected' | 'timeout' | 'cancelled' | 'invalid';

export class ServiceError extends Error {
  constructor(
    readonly kind: ServiceErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

export interface ClientOptions {
  /** Where the service is; '' = the page's own origin (the service serves the task pane). */
  baseUrl?: string;
  apiKey?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const utf8Length = (s: string): number => {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
};

/** Byte size of the JSON body for these rows. */
export function bodyBytes(rows: RequestRow[], country?: Country): number {
  return utf8Length(JSON.stringify(country ? { rows, country } : { rows }));
}

/**
 * Splits rows into chunks of at most maxRows rows whose JSON body stays under maxBytes. Returns [start, end)
 * index pairs. A single row is always under the budget (an Excel cell holds at most 32,767 characters).
 */
export function planChunks(rows: RequestRow[], maxRows = CHUNK_ROWS, maxBytes = CHUNK_BYTES): [number, number][] {
  const overhead = bodyBytes([], 'US');
  const out: [number, number][] = [];
  let start = 0;
  let bytes = overhead;
  for (let i = 0; i < rows.length; i++) {
    const b = utf8Length(JSON.stringify(rows[i])) + 1;
    if (i > start && (i - start >= maxRows || bytes + b > maxBytes)) {
      out.push([start, i]);
      start = i;
      bytes = overhead;
    }
    bytes += b;
  }
  if (rows.length > start) out.push([start, rows.length]);
  return out;
}

/** Why the service refused a request: its `error` message, else the status. */
function refusal(res: Response, body: unknown, text: string): string {
  const msg = (body as { error?: unknown } | null)?.error;
  if (typeof msg === 'string') return msg;
  if (res.status === 404) return 'no classification service at this address';
  return `${res.statusText || 'error'}${text ? `: ${text.slice(0, 200)}` : ''}`;
}

/** One analyst's verdict on a recorded row: POST /api/v1/feedback. `who` is not sent: the service takes it from the API key. */
export interface FeedbackItem {
  request_id: string;
  row: number;
  code: string;
  comment?: string;
}

/** What the service recorded for a feedback (see server/service/schemas.ts). */
export interface FeedbackAnswer {
  feedback_id: string;
  request_id: string;
  row: number;
  code: string;
  verdict: string;
  previous_code: string | null;
  /** Where the code stands in the classification memory after this event (FEEDBACK_APPROVALS reviewers needed). */
  approvals?: { code: string; count: number; needed: number; served: boolean };
  [k: string]: unknown;
}

/** POST /api/v1/feedback for one row. Throws ServiceError (kind 'rejected' with the HTTP status and the service's message). */
export async function postFeedback(item: FeedbackItem, opts: ClientOptions = {}): Promise<FeedbackAnswer> {
  const f = opts.fetch ?? globalThis.fetch.bind(globalThis);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (opts.apiKey) headers['X-API-Key'] = opts.apiKey;
  try {
    let res: Response;
    let text: string;
    try {
      res = await f(`${opts.baseUrl ?? ''}/api/v1/feedback`, { method: 'POST', headers, body: JSON.stringify(item), signal: ctl.signal });
      text = await res.text();
    } catch (e) {
      if (ctl.signal.aborted) throw new ServiceError('timeout', `no answer from the classification service within ${Math.round(timeoutMs / 1000)} s`);
      throw new ServiceError('unreachable', `the classification service (${opts.baseUrl || 'this page\'s server'}) cannot be reached: ${(e as Error).message || e}`);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
    if (!res.ok) throw new ServiceError('rejected', `HTTP ${res.status}: ${refusal(res, body, text)}`, res.status);
    const a = body as FeedbackAnswer | null;
    if (!a || typeof a.feedback_id !== 'string') throw new ServiceError('invalid', 'the service sent an answer that is not a feedback record');
    return a;
  } finally {
    clearTimeout(timer);
  }
}

/** POST /api/v1/classify for one chunk. Throws ServiceError. */
export async function classifyChunk(rows: RequestRow[], country: Country | undefined, opts: ClientOptions = {}, signal?: AbortSignal): Promise<ClassifyResponse> {
  const f = opts.fetch ?? globalThis.fetch.bind(globalThis);
  const url = `${opts.baseUrl ?? ''}/api/v1/classify`;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const ctl = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ctl.abort();
  }, timeoutMs);
  const onAbort = () => ctl.abort();
  if (signal?.aborted) ctl.abort();
  signal?.addEventListener('abort', onAbort);
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (opts.apiKey) headers['X-API-Key'] = opts.apiKey;
  const where = opts.baseUrl || 'this page\'s server';
  try {
    let res: Response;
    try {
      res = await f(url, { method: 'POST', headers, body: JSON.stringify(country ? { rows, country } : { rows }), signal: ctl.signal });
    } catch (e) {
      if (timedOut) throw new ServiceError('timeout', `no answer from the classification service within ${Math.round(timeoutMs / 1000)} s`);
      if (signal?.aborted) throw new ServiceError('cancelled', 'cancelled');
      throw new ServiceError('unreachable', `the classification service (${where}) cannot be reached: ${(e as Error).message || e}`);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      if (timedOut) throw new ServiceError('timeout', `no complete answer from the classification service within ${Math.round(timeoutMs / 1000)} s`);
      if (signal?.aborted) throw new ServiceError('cancelled', 'cancelled');
      throw new ServiceError('unreachable', `the connection to the classification service broke: ${(e as Error).message || e}`);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
    if (!res.ok) throw new ServiceError('rejected', `the service refused the rows (HTTP ${res.status}): ${refusal(res, body, text)}`, res.status);
    const r = body as ClassifyResponse | null;
    if (!r || !Array.isArray(r.rows) || typeof r.request_id !== 'string') throw new ServiceError('invalid', 'the service sent an answer that is not a classification');
    if (r.rows.length !== rows.length) throw new ServiceError('invalid', `the service answered ${r.rows.length} rows for ${rows.length}`);
    return r;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}
