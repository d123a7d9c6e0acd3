// Classifies a batch on every core: the calling thread classifies chunks with its own engine while
// worker threads (each opening the engine from the same cache) take chunks as soon as they are ready.
// Results come back in input order. Small batches stay on the calling thread.
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { classify, type Engine } from './classifier';
import type { ClassificationResult, Country } from './types';

export const CHUNK = 250;
/** Below this many rows the start-up of a worker (about a second) is not worth it. */
export const PARALLEL_FROM = 3000;

export interface BatchOptions {
  country?: Country;
  /** Worker threads besides the calling one (default: one per extra core). */
  workers?: number;
  onProgress?: (done: number) => void;
}

interface ChunkResult {
  id: number;
  results?: ClassificationResult[];
  error?: string;
}

/** Classifies descriptions one after another on this thread. */
export async function classifyAll(engine: Engine, descriptions: string[], country?: Country): Promise<ClassificationResult[]> {
  const out: ClassificationResult[] = [];
  for (const d of descriptions) out.push(await classify(engine, d, country));
  return out;
}

export async function classifyBatch(engine: Engine, descriptions: string[], opts: BatchOptions = {}): Promise<ClassificationResult[]> {
  const n = descriptions.length;
  const chunks = Math.ceil(n / CHUNK);
  const out: ClassificationResult[] = new Array(n);
  let next = 0;
  let done = 0;
  const finish = (id: number, results: ClassificationResult[]) => {
    results.forEach((r, i) => (out[id * CHUNK + i] = r));
    done += results.length;
    opts.onProgress?.(done);
  };
  const slice = (id: number) => descriptions.slice(id * CHUNK, (id + 1) * CHUNK);

  const wanted = n >= PARALLEL_FROM ? (opts.workers ?? Math.max(0, os.availableParallelism() - 1)) : 0;
  const workers = Array.from({ length: wanted }, () => new Worker(path.join(__dirname, 'parallel-worker.js'), { workerData: { country: opts.country } }));
  const failures: string[] = [];
  const workerDone = workers.map(
    (w) =>
      new Promise<void>((resolve) => {
        const take = () => {
          if (next >= chunks) {
            void w.terminate();
            return resolve();
          }
          const id = next++;
          w.postMessage({ id, rows: slice(id) });
        };
        w.on('message', async (m: { ready?: boolean } & ChunkResult) => {
          if (m.ready) return take();
          if (m.error || !m.results) {
            failures.push(m.error ?? 'worker returned no results');
            // The calling thread redoes a failed chunk.
            finish(m.id, await classifyAll(engine, slice(m.id), opts.country));
          } else finish(m.id, m.results);
          take();
        });
        w.on('error', () => resolve());
        w.on('exit', () => resolve());
      }),
  );

  while (next < chunks) {
    const id = next++;
    finish(id, await classifyAll(engine, slice(id), opts.country));
    await new Promise((r) => setImmediate(r)); // let worker results in
  }
  await Promise.all(workerDone);
  // A worker that died mid-chunk leaves holes: fill them here.
  for (let id = 0; id < chunks; id++) {
    if (out[id * CHUNK] === undefined) finish(id, await classifyAll(engine, slice(id), opts.country));
  }
  return out;
}
