// The SQLite audit store on a thread of its own (store-worker.js), for the service: its transactions, and the fsync
// each commit waits for (synchronous = FULL), no longer hold up the event loop that answers health checks and small
// requests. Same interface, same file format, same guarantees as SqliteStore, which does the work on that thread;
// requests appended together are group-committed there (one fsync, each request still whole or not at all).
// The CLI and `review` use SqliteStore directly: they have no event loop to keep free.
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  DuplicateRequestError,
  NotAStoreError,
  TamperedRecordError,
  type AuditStore,
  type ChainRecord,
  type NewFeedback,
  type NewRequest,
  type StagedRequest,
  type StoredRequest,
  stagedRequest,
} from './store';

interface ErrorData {
  name?: string;
  message: string;
  code?: string;
  requestId?: string;
  seq?: number;
  reason?: string;
  where?: string;
  why?: string;
}

/** The error the store thread reported, as the class the caller can test for. */
function revive(d: ErrorData): Error {
  if (d.name === 'DuplicateRequestError' && d.requestId !== undefined) return new DuplicateRequestError(d.requestId);
  if (d.name === 'TamperedRecordError' && d.requestId !== undefined) return new TamperedRecordError(d.requestId, d.seq ?? 0, d.reason ?? '');
  if (d.name === 'NotAStoreError' && d.where !== undefined) return new NotAStoreError(d.where, d.why ?? '');
  const e = new Error(d.message) as Error & { code?: string };
  if (d.code !== undefined) e.code = d.code;
  return e;
}

type Reply = { id: number; value?: unknown; error?: ErrorData };

export class ThreadedSqliteStore implements AuditStore {
  readonly backend = 'sqlite' as const;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private nextId = 1;
  /** Why the thread can no longer answer, once it cannot. */
  private stopped: Error | null = null;

  private constructor(
    readonly file: string,
    private readonly worker: Worker,
  ) {
    worker.on('message', (m: Reply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error) p.reject(revive(m.error));
      else p.resolve(m.value);
    });
    const stop = (why: Error) => {
      this.stopped ??= why;
      for (const p of this.pending.values()) p.reject(why);
      this.pending.clear();
    };
    worker.on('error', (e) => stop(new Error(`the audit store thread failed: ${e.message}`)));
    worker.on('exit', (code) => stop(new Error(`the audit store thread stopped (exit code ${code})`)));
  }

  /** Starts the thread and opens the store there (creating and migrating it, or read-only: see SqliteStore). */
  static open(file: string, opts: { readonly?: boolean } = {}): Promise<ThreadedSqliteStore> {
    const worker = new Worker(path.join(__dirname, 'store-worker.js'), { workerData: { file, readonly: !!opts.readonly } });
    return new Promise((resolve, reject) => {
      const fail = (e: Error) => {
        void worker.terminate();
        reject(e);
      };
      worker.once('error', fail);
      worker.once('message', (m: { ready: boolean; error?: ErrorData }) => {
        worker.off('error', fail);
        if (m.ready) resolve(new ThreadedSqliteStore(file, worker));
        else fail(revive(m.error!));
      });
    });
  }

  private call<T>(op: string, ...args: unknown[]): Promise<T> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, op, args });
    });
  }

  appendRequest(r: NewRequest): Promise<void> {
    return this.call('appendRequest', r);
  }

  async stageRequest(requestId: string, createdAt: string): Promise<StagedRequest> {
    // the rows are staged by the thread's own StagedRequest (handle h); this one keeps the count and the state
    const h = await this.call<number>('stageRequest', requestId, createdAt);
    return stagedRequest(requestId, {
      stage: (_token, _first, batch) => this.call('stageAdd', h, batch),
      commit: (_token, _rows, head) => this.call('stageCommit', h, head),
      drop: () => this.call('stageDiscard', h),
    });
  }

  hasRequest(requestId: string): Promise<boolean> {
    return this.call('hasRequest', requestId);
  }
  getRequest(requestId: string): Promise<StoredRequest | null> {
    return this.call('getRequest', requestId);
  }
  getRow(requestId: string, rowNo: number): Promise<string | null> {
    return this.call('getRow', requestId, rowNo);
  }
  appendFeedback(f: NewFeedback | NewFeedback[]): Promise<void> {
    return this.call('appendFeedback', f);
  }
  findMemory(keys: string[]): Promise<Map<string, string>> {
    return this.call('findMemory', keys);
  }
  readFeedback(q: { keys?: string[]; afterSeq?: number; limit?: number }): Promise<ChainRecord[]> {
    return this.call('readFeedback', q);
  }
  readRecords(afterSeq: number, limit: number): Promise<ChainRecord[]> {
    return this.call('readRecords', afterSeq, limit);
  }
  readRecord(seq: number): Promise<ChainRecord | null> {
    return this.call('readRecord', seq);
  }
  head(): Promise<{ seq: number; hash: string } | null> {
    return this.call('head');
  }
  migrations(): Promise<number[]> {
    return this.call('migrations');
  }
  ping(): Promise<void> {
    return this.call('ping');
  }

  async close(): Promise<void> {
    if (this.stopped) return;
    await this.call('close').catch(() => undefined);
    this.stopped = new Error('the audit store is closed');
    await this.worker.terminate();
  }
}
