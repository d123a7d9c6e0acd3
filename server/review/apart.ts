// Runs one step of a review on a worker thread of its own (read-worker.js, write-worker.js), so that the whole
// workbook's heap is given back when the thread ends. The thread posts {value} or {error}; an InputError there is
// an InputError here (a clear message for the user), anything else keeps its stack.
import { Worker } from 'node:worker_threads';
import { InputError } from '../cli/io';

export function apart<T>(file: string, workerData: unknown, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(file, { workerData });
    let settled = false;
    worker.once('message', (m: { value?: T; error?: { name: string; message: string; stack?: string } }) => {
      settled = true;
      if (!m.error) return resolve(m.value as T);
      const e = m.error.name === 'InputError' ? new InputError(m.error.message) : new Error(m.error.message);
      if (m.error.name !== 'InputError') e.stack = m.error.stack;
      reject(e);
    });
    worker.once('error', (e) => {
      settled = true;
      reject(e);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the thread ${what} stopped (exit code ${code})`));
    });
  });
}
