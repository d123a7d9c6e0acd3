// The classification worker pool (server/pool): the same answers as the engine on this thread, in input order,
// streaming with a bounded number of chunks in flight, WORKERS, and the service classifying off its event loop.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { openEngine, type OpenedEngine } from '../server/engine';
import { classify } from '../server/classifier';
import { classifyInOrder, classifyStream, InlineClassifier, JsonRow, WorkerPool, workerCount, workerHeapMb, type RowClassifier } from '../server/pool';
import { resultText } from '../server/pool/text';
import { RepeatCache } from '../server/pool/repeats';
import { createApp, API } from '../server/service/app';
import { SqliteStore } from '../server/audit/sqlite';
import type { ClassificationResult } from '../server/types';

let opened: OpenedEngine;
let pool: WorkerPool;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-pool-'));

beforeAll(async () => {
  opened = openEngine();
  pool = new WorkerPool(2);
  await pool.ready();
});
afterAll(async () => {
  await pool.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const WORDS = ['mens cotton knitted t-shirt', 'lithium ion battery pack', 'frozen shrimp peeled', 'stainless steel bolts', 'womens leather handbag', 'roasted coffee beans'];
// Descriptions of very different lengths, so chunks finish out of order.
const rows = Array.from({ length: 230 }, (_, i) => (i % 17 === 0 ? `${WORDS[i % 6]} ${'with extra words about the goods '.repeat(20)}` : `${WORDS[i % 6]} lot ${i}`));

test('the workers share one copy of the cached model (its bytes in a SharedArrayBuffer); this thread read its own', async () => {
  const infos = await Promise.all(Array.from({ length: 4 }, () => pool.info()));
  expect(infos.every((i) => i.sharedModel === true)).toBe(true);
  expect(opened.timings.shared).toBe(false);
});

test('the pool answers exactly what the engine answers on this thread, row for row in input order', async () => {
  const direct: ClassificationResult[] = [];
  for (const d of rows) direct.push(await classify(opened.engine, d, 'US'));
  const viaPool = await classifyInOrder(pool, rows, { country: 'US', chunkRows: 7 });
  expect(viaPool).toHaveLength(rows.length);
  expect(JSON.stringify(viaPool)).toBe(JSON.stringify(direct));
  const [viaWorker, here] = [await pool.info(), await new InlineClassifier(opened).info()];
  expect({ ...viaWorker, sharedModel: undefined }).toEqual({ ...here, sharedModel: undefined });
});

test('behind the repeat cache the pool answers what the engine answers, repeats included, classifying each distinct row once', async () => {
  const cached = new RepeatCache(pool, 64 * 1024 * 1024);
  const repeated = [...rows.slice(0, 40), ...rows.slice(0, 40).reverse(), ...rows.slice(20, 60)];
  const direct: ClassificationResult[] = [];
  for (const d of repeated) direct.push(await classify(opened.engine, d, 'US'));
  const viaCache = await classifyInOrder(cached, repeated, { country: 'US', chunkRows: 9 });
  expect(JSON.stringify(viaCache)).toBe(JSON.stringify(direct));
  expect(cached.counts).toEqual({ classified: new Set(repeated).size, repeated: repeated.length - new Set(repeated).size });
});

test('blank and unclassifiable rows are error rows, not failed chunks', async () => {
  const r = await classifyInOrder(pool, ['', '12 pcs', 'cotton t-shirt']);
  expect(r.map((x) => x.status)).toEqual(['error', 'error', expect.stringMatching(/ok|review/)]);
});

test('a row spliced from a worker\'s text is exactly the text of the row object, key for key', async () => {
  const cases: [string | number, string][] = [[7, 'mens cotton knitted t-shirt'], ['00123', 'lamp "LED" \u2028 with caf\u00e9 \\ port'], [1, '12 pcs'], [2, '']];
  for (const [id, d] of cases) {
    const r = await classify(opened.engine, d, 'US');
    const row = JsonRow.classified<ClassificationResult>(id, d, resultText(r));
    expect(row.json).toBe(JSON.stringify({ id, description: d, ...r }));
    expect(row.status).toBe(r.status);
  }
  // error rows written by the chunk (a failing row) keep the same layout
  const failed = { status: 'error' as const, candidates: [], error: 'classification failed: boom' };
  expect(JsonRow.classified(3, 'x', resultText(failed)).json).toBe(JSON.stringify({ id: 3, description: 'x', ...failed }));
});

/** A classifier double that answers chunks in random order after random delays, counting chunks in flight. */
function shuffler(): RowClassifier & { maxInFlight: number; sent: number } {
  let inFlight = 0;
  const c = {
    workers: 3,
    maxInFlight: 0,
    sent: 0,
    async classifyChunk(ds: string[]) {
      inFlight++;
      c.sent++;
      c.maxInFlight = Math.max(c.maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, Math.random() * 5));
      inFlight--;
      return ds.map((d) => resultText({ status: 'ok', candidates: [], error: d }));
    },
    info: () => Promise.reject(new Error('not used')),
    close: async () => undefined,
  };
  return c;
}

test('classifyStream: every item once, in input order, unreadable items in their place, at most inFlight chunks out', async () => {
  const c = shuffler();
  async function* source() {
    for (let i = 0; i < 1000; i++) yield { i, text: i % 13 === 0 ? null : `row ${i}` };
  }
  const seen: number[] = [];
  for await (const { item, result } of classifyStream(c, source(), (x) => x.text, { chunkRows: 10, inFlight: 4 })) {
    seen.push(item.i);
    if (item.text === null) expect(result).toBeNull();
    else expect(result!.error).toBe(item.text);
  }
  expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  expect(c.maxInFlight).toBeLessThanOrEqual(4);
  expect(c.maxInFlight).toBeGreaterThan(1);
});

test('WORKERS: default the core count, 0 allowed (this thread), anything else refused', () => {
  expect(workerCount({})).toBe(os.availableParallelism());
  expect(workerCount({ WORKERS: '0' })).toBe(0);
  expect(workerCount({ WORKERS: '3' })).toBe(3);
  for (const bad of ['-1', '1.5', 'two', '999']) expect(() => workerCount({ WORKERS: bad })).toThrow(/WORKERS/);
});

test('WORKER_HEAP_MB: default 320, a whole number from 128, else refused', () => {
  expect(workerHeapMb({})).toBe(320);
  expect(workerHeapMb({ WORKER_HEAP_MB: '512' })).toBe(512);
  for (const bad of ['64', '1.5', 'lots', '-300']) expect(() => workerHeapMb({ WORKER_HEAP_MB: bad })).toThrow(/WORKER_HEAP_MB/);
});

test('the service classifies on the pool: its own engine is never asked, and health answers while a big batch is classified', async () => {
  const store = new SqliteStore(path.join(dir, 'audit.sqlite'));
  try {
    // An engine that cannot classify on this thread: every row must come from the workers.
    const broken = { ...opened.engine, scorer: null as never, classText: null as never };
    const app = createApp({
      engine: broken,
      versions: opened.versions,
      classifier: pool,
      store,
      config: { apiKeys: [], allowedOrigins: [], rateLimit: { windowMs: 60_000, limit: 10_000 }, staticDir: null },
      logger: pino({ level: 'silent' }),
    });
    const big = Array.from({ length: 2000 }, (_, i) => ({ description: `${WORDS[i % 6]} lot ${i}` }));
    let batchDone = false;
    const batch = request(app)
      .post(`${API}/classify`)
      .send({ rows: big })
      .then((r) => {
        batchDone = true;
        return r;
      });
    // Health checks go on while the batch is being classified: some are answered before it is.
    let answeredDuring = 0;
    for (let i = 0; i < 5; i++) {
      await request(app).get(`${API}/health`).expect(200);
      if (!batchDone) answeredDuring++;
    }
    const res = await batch;
    expect(res.status).toBe(200);
    expect(answeredDuring).toBeGreaterThan(0);
    expect(res.body.rows).toHaveLength(2000);
    expect(res.body.rows.filter((r: { status: string }) => r.status === 'error')).toEqual([]);
    // the row as the engine answers it, keys in the same order, and recorded as it was sent
    expect(JSON.stringify(res.body.rows[7])).toBe(JSON.stringify({ id: 8, description: big[7].description, ...(await classify(opened.engine, big[7].description)) }));
    const again = await request(app).get(`${API}/classifications/${res.body.request_id}`).expect(200);
    expect(again.text).toBe(res.text);
  } finally {
    await store.close();
  }
});
