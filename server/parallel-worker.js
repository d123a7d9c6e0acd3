// Worker thread of server/parallel.ts: opens the engine (from the cache the main thread built) and
// classifies the chunks it is sent. Plain JavaScript so it can register tsx before loading TypeScript.
require('tsx/cjs');
const { parentPort, workerData } = require('node:worker_threads');
const { openEngine } = require('./engine.ts');
const { classify } = require('./classifier.ts');

const { engine } = openEngine();
parentPort.on('message', async ({ id, rows }) => {
  try {
    const results = [];
    for (const d of rows) results.push(await classify(engine, d, workerData.country));
    parentPort.postMessage({ id, results });
  } catch (e) {
    parentPort.postMessage({ id, error: String((e && e.stack) || e) });
  }
});
parentPort.postMessage({ ready: true });
