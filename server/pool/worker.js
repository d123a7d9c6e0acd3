// A piscina worker thread of server/pool/index.ts: opens the engine once (from the model cache) and runs the
// tasks of server/pool/task.ts with it. Plain JavaScript so it can register tsx before loading TypeScript.
require('tsx/cjs');
const { workerData } = require('piscina');
const { openEngine } = require('../engine.ts');
const { runTask } = require('./task.ts');

// the model's bytes the main thread read into shared memory: one copy for every worker
const opened = openEngine({ dataDir: workerData && workerData.dataDir, shared: workerData && workerData.shared });
module.exports = (task) => runTask(opened, task);
