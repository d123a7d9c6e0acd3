// The thread of server/audit/thread.ts: owns the SQLite audit store so that its transactions and fsyncs never
// block the service's event loop. Plain JavaScript so it can register tsx before loading TypeScript.
//
// Messages in: {id, op, args}; out: {id, value} or {id, error}. Operations run in the order they arrive.
// appendRequest calls that arrive together are recorded in one transaction (group commit: one fsync for all of
// them, each request in a savepoint of its own) and each is acknowledged only after that commit.
require('tsx/cjs');
const { parentPort, workerData } = require('node:worker_threads');
const { SqliteStore } = require('./sqlite.ts');

/** An error as plain data: the fields the main thread needs to re-create it. */
function errorData(e) {
  const x = e || {};
  return { name: x.name, message: String(x.message ?? x), code: x.code, requestId: x.requestId, seq: x.seq, reason: x.reason, where: x.where, why: x.why };
}

let store;
try {
  store = new SqliteStore(workerData.file, { readonly: workerData.readonly });
  parentPort.postMessage({ ready: true });
} catch (e) {
  parentPort.postMessage({ ready: false, error: errorData(e) });
  process.exit(0);
}

const staged = new Map();
let nextHandle = 1;
/** appendRequest messages waiting for the next group commit. */
let queued = [];

function reply(id, p) {
  Promise.resolve(p).then(
    (value) => parentPort.postMessage({ id, value }),
    (e) => parentPort.postMessage({ id, error: errorData(e) }),
  );
}

function flush() {
  if (queued.length === 0) return;
  const group = queued;
  queued = [];
  let results;
  try {
    results = store.appendRequests(group.map((m) => m.args[0]));
  } catch (e) {
    for (const m of group) parentPort.postMessage({ id: m.id, error: errorData(e) });
    return;
  }
  group.forEach((m, i) => parentPort.postMessage(results[i] === null ? { id: m.id, value: undefined } : { id: m.id, error: errorData(results[i]) }));
}

const handle = (h) => {
  const s = staged.get(h);
  if (!s) throw new Error(`no staged request ${h} (committed, discarded or never started)`);
  return s;
};

const ops = {
  stageRequest: async (requestId, createdAt) => {
    const h = nextHandle++;
    staged.set(h, await store.stageRequest(requestId, createdAt));
    return h;
  },
  stageAdd: (h, rows) => handle(h).add(rows),
  stageCommit: async (h, head) => {
    await handle(h).commit(head);
    staged.delete(h);
  },
  stageDiscard: async (h) => {
    const s = staged.get(h);
    staged.delete(h);
    if (s) await s.discard();
  },
  hasRequest: (id) => store.hasRequest(id),
  getRequest: (id) => store.getRequest(id),
  getRow: (id, n) => store.getRow(id, n),
  appendFeedback: (f) => store.appendFeedback(f),
  findMemory: (keys) => store.findMemory(keys),
  readFeedback: (q) => store.readFeedback(q),
  readRecords: (after, limit) => store.readRecords(after, limit),
  readRecord: (seq) => store.readRecord(seq),
  head: () => store.head(),
  migrations: () => store.migrations(),
  ping: () => store.ping(),
  close: () => store.close(),
};

parentPort.on('message', (m) => {
  if (m.op === 'appendRequest') {
    if (queued.length === 0) setImmediate(flush);
    queued.push(m);
    return;
  }
  flush(); // everything before this message happens before it
  const op = ops[m.op];
  if (!op) return parentPort.postMessage({ id: m.id, error: { message: `unknown audit store operation ${m.op}` } });
  try {
    reply(m.id, op(...m.args));
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: errorData(e) });
  }
});
