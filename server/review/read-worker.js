// The worker thread of readRowsApart (rows.ts): reads the rows of a review's input and posts them back. Plain
// JavaScript so it can register tsx before loading TypeScript.
require('tsx/cjs');
const { parentPort, workerData } = require('node:worker_threads');
const { readRows } = require('./rows.ts');

readRows(workerData).then(
  (rows) => parentPort.postMessage({ rows }),
  (e) => parentPort.postMessage({ error: { name: e && e.name, message: e && e.message ? e.message : String(e), stack: e && e.stack } }),
);
