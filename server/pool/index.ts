// Classification off the calling thread: a piscina pool of worker threads, each with its own engine opened once
// from the model cache, shared by the service, the CLI and `review`. Batches are split into chunks that the
// workers take as they come free; results always come back in input order. WORKERS sets the pool size
// (default: the core count); WORKERS=0 classifies on the calling thread (yielding to its event loop).
import os from 'node:os';
import path from 'node:path';
import { Piscina } from 'piscina';
import { openEngine, sharedModel, type OpenedEngine, type SharedModel } from '../engine';
import { classifyChunk, engineInfo, type EngineInfo, type Opened, type Task } from './task';
import type { ResultText } from './text';
import { resultCacheMb, withRepeatCache } from './repeats';
import type { ClassificationResult, Country } from '../types';

export type { EngineInfo, ResultText };
export { JsonRow } from './text';

/** Rows per task sent to a worker: small enough that concurrent requests interleave, big enough to amortise. */
export const CHUNK_ROWS = 100;

export interface ClassifyOptions {
  country?: Country;
  /** Passed through unchanged to the engine's classify() as its options argument. */
  options?: unknown;
}

export interface RowClassifier {
  /** Worker threads classifying (0: the calling thread). */
  readonly workers: number;
  /** Classifies one chunk, results in order (as JSON text: see ResultText). */
  classifyChunk(descriptions: string[], o?: ClassifyOptions): Promise<ResultText[]>;
  /** Versions and chapter names of the engine that answers. */
  info(): Promise<EngineInfo>;
  close(): Promise<void>;
}

/** WORKERS from the environment: a whole number >= 0; default the core count. */
export function workerCount(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.WORKERS;
  if (v === undefined || v.trim() === '') return os.availableParallelism();
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 256) throw new Error(`WORKERS must be a whole number from 0 to 256, not "${v}"`);
  return n;
}

/** Default old-generation heap of each worker, in MB (the engine uses about 100 MB of heap, its arrays are outside). */
export const DEFAULT_WORKER_HEAP_MB = 320;

/** WORKER_HEAP_MB from the environment: each worker's heap cap in MB, a whole number from 128; default 320. */
export function workerHeapMb(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.WORKER_HEAP_MB;
  if (v === undefined || v.trim() === '') return DEFAULT_WORKER_HEAP_MB;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 128 || n > 65536) throw new Error(`WORKER_HEAP_MB must be a whole number from 128 to 65536, not "${v}"`);
  return n;
}

/** The pool. The engines are opened as the threads start; `ready()` resolves once every worker has answered. */
export class WorkerPool implements RowClassifier {
  /** Null once closed: the threads' workerData (the shared model bytes) can then be collected. */
  private pool: Piscina | null;

  constructor(
    readonly workers: number,
    opts: { dataDir?: string; heapMb?: number; shared?: SharedModel | null } = {},
  ) {
    if (workers < 1) throw new Error('a worker pool needs at least one worker');
    this.pool = new Piscina({
      filename: path.join(__dirname, 'worker.js'),
      minThreads: workers,
      maxThreads: workers,
      idleTimeout: Infinity,
      // Messages, not Atomics: the workers' event loops must run between tasks (tsx, timers).
      atomics: 'disabled',
      // One copy of the cached model in shared memory for all the workers (each would read its own ~110 MB).
      workerData: { dataDir: opts.dataDir, shared: opts.shared === undefined ? sharedModel() : opts.shared },
      // Without a cap V8 lets each worker's heap grow far past what it uses before collecting (a 60,000-row CLI
      // run peaked at 1,210 MB with 2 workers, 845 MB with this cap, 4% slower).
      resourceLimits: { maxOldGenerationSizeMb: opts.heapMb ?? workerHeapMb() },
    });
  }

  private run(task: Task): Promise<unknown> {
    return this.pool ? this.pool.run(task) : Promise.reject(new Error('the classification worker pool is closed'));
  }

  /** Waits until every worker has its engine open (each answers one info task). */
  async ready(): Promise<EngineInfo> {
    const all = await Promise.all(Array.from({ length: this.workers }, () => this.info()));
    return all[0];
  }

  classifyChunk(descriptions: string[], o: ClassifyOptions = {}): Promise<ResultText[]> {
    const task: Task = { kind: 'classify', descriptions, country: o.country, ...(o.options === undefined ? {} : { options: o.options }) };
    return this.run(task) as Promise<ResultText[]>;
  }

  info(): Promise<EngineInfo> {
    return this.run({ kind: 'info' } satisfies Task) as Promise<EngineInfo>;
  }

  /** Tasks waiting for a free worker. */
  get queued(): number {
    return this.pool?.queueSize ?? 0;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    if (!pool) return;
    this.pool = null;
    await pool.destroy();
  }
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Classifies on the calling thread with an engine already open, yielding to the event loop every 50 rows. */
export class InlineClassifier implements RowClassifier {
  readonly workers = 0;
  constructor(readonly opened: Opened) {}
  classifyChunk(descriptions: string[], o: ClassifyOptions = {}): Promise<ResultText[]> {
    return classifyChunk(this.opened, { descriptions, ...o }, turn);
  }
  async info(): Promise<EngineInfo> {
    return engineInfo(this.opened);
  }
  async close(): Promise<void> {}
}

const parsed = (r: ResultText) => JSON.parse(r.json) as ClassificationResult;

/**
 * The classifier for a process: a worker pool of `workers` threads (default WORKERS), ready when returned, or,
 * with 0 workers, the calling thread with `opened` (opened here when not given); repeated descriptions are
 * classified once (server/pool/repeats.ts, RESULT_CACHE_MB).
 */
export async function openClassifier(
  opts: { workers?: number; opened?: OpenedEngine; dataDir?: string; log?: (m: string) => void; env?: NodeJS.ProcessEnv; shared?: SharedModel | null } = {},
): Promise<RowClassifier> {
  const workers = opts.workers ?? workerCount(opts.env);
  const cacheMb = resultCacheMb(opts.env);
  if (workers === 0) return withRepeatCache(new InlineClassifier(opts.opened ?? openEngine({ dataDir: opts.dataDir, log: opts.log })), cacheMb);
  const pool = new WorkerPool(workers, { dataDir: opts.dataDir, shared: opts.shared });
  try {
    await pool.ready();
  } catch (e) {
    await pool.close();
    throw e;
  }
  return withRepeatCache(pool, cacheMb);
}

/**
 * Classifies a whole batch: chunks go out together (a pool spreads them over its workers), results are put back
 * in input order. `onProgress` gets the rows done so far.
 */
export async function classifyInOrder(
  c: RowClassifier,
  descriptions: string[],
  o: ClassifyOptions & { onProgress?: (done: number) => void; chunkRows?: number } = {},
): Promise<ClassificationResult[]> {
  const size = o.chunkRows ?? CHUNK_ROWS;
  const parts: Promise<ClassificationResult[]>[] = [];
  let done = 0;
  for (let s = 0; s < descriptions.length; s += size) {
    parts.push(
      c.classifyChunk(descriptions.slice(s, s + size), o).then((r) => {
        done += r.length;
        o.onProgress?.(done);
        return r.map(parsed);
      }),
    );
  }
  return (await Promise.all(parts)).flat();
}

/** How a stream is cut into chunks (default CHUNK_ROWS rows) and how many chunks are out at once (default 2 per worker). */
type StreamOptions = ClassifyOptions & { chunkRows?: number; inFlight?: number };

/**
 * Classifies a stream of items in order with a bounded number of chunks in flight (memory stays bounded however
 * long the input): yields each item with its result as text, in input order. Items whose `describe` is null are
 * passed through with a null result (e.g. unreadable rows), in their place.
 */
export async function* classifyTextStream<T>(
  c: RowClassifier,
  source: AsyncIterable<T> | Iterable<T>,
  describe: (item: T) => string | null,
  o: StreamOptions = {},
): AsyncGenerator<{ item: T; result: ResultText | null }> {
  const size = o.chunkRows ?? CHUNK_ROWS;
  const limit = o.inFlight ?? Math.max(2, 2 * c.workers);
  const inFlight: { items: T[]; results: Promise<ResultText[]> }[] = [];
  let items: T[] = [];
  let texts: string[] = [];
  const send = () => {
    const p = texts.length ? c.classifyChunk(texts, o) : Promise.resolve([]);
    p.catch(() => undefined); // awaited in order below
    inFlight.push({ items, results: p });
    items = [];
    texts = [];
  };
  async function* drain(keep: number) {
    while (inFlight.length > keep) {
      const head = inFlight.shift()!;
      const results = await head.results;
      let k = 0;
      for (const item of head.items) yield { item, result: describe(item) === null ? null : results[k++] };
    }
  }
  for await (const item of source) {
    items.push(item);
    if (describe(item) !== null) texts.push(describe(item)!);
    if (texts.length >= size) {
      send();
      yield* drain(limit - 1);
    }
  }
  if (items.length) send();
  yield* drain(0);
}

/** classifyTextStream with each result parsed. */
export async function* classifyStream<T>(
  c: RowClassifier,
  source: AsyncIterable<T> | Iterable<T>,
  describe: (item: T) => string | null,
  o: StreamOptions = {},
): AsyncGenerator<{ item: T; result: ClassificationResult | null }> {
  for await (const { item, result } of classifyTextStream(c, source, describe, o)) yield { item, result: result && parsed(result) };
}
