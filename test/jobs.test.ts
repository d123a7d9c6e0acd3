// Bulk jobs without PostgreSQL: the same API, run in this process on the embedded (SQLite) store. Rows and file
// jobs, progress, results, the audited request behind each job, bad input, and a job taken up again after a stop.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import pino from 'pino';
import request from 'supertest';
import { openEngine, type OpenedEngine } from '../server/engine';
import { classify } from '../server/classifier';
import { createApp, API } from '../server/service/app';
import { SqliteStore } from '../server/audit/sqlite';
import { verifyChain } from '../server/audit/store';
import { InlineClassifier } from '../server/pool';
import { Jobs } from '../server/jobs/runner';
import { SqlJobStore } from '../server/jobs/store';
import { XLSX_TYPE } from '../server/jobs/schemas';
import { CompanyExampleSet } from '../server/memory/examples';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-jobs-'));
let opened: OpenedEngine;
const closers: (() => Promise<void>)[] = [];

beforeAll(() => {
  opened = openEngine();
});
afterAll(async () => {
  for (const c of closers.reverse()) await c();
  fs.rmSync(dir, { recursive: true, force: true });
});

const config = { apiKeys: [], allowedOrigins: [], rateLimit: { windowMs: 60_000, limit: 100_000 }, staticDir: null };

/** An app with in-process jobs on its own SQLite file (or the given one). */
async function makeApp(file = path.join(dir, `audit-${closers.length}.sqlite`), o: { company?: boolean } = {}) {
  const store = new SqliteStore(file);
  const jobStore = SqlJobStore.sqlite(file);
  const logger = pino({ level: 'silent' });
  const classifier = new InlineClassifier(opened);
  // with `company`, the memory options main.ts passes: the company examples of the store
  const memory = o.company ? { approvals: 1, company: new CompanyExampleSet(store) } : undefined;
  const jobs = new Jobs({ engine: opened.engine, classifier, versions: opened.versions, store, jobs: jobStore, logger, memory });
  await jobs.start();
  closers.push(async () => {
    await jobs.stop();
    await jobStore.close();
    await store.close();
  });
  return { app: createApp({ engine: opened.engine, versions: opened.versions, classifier, jobs, store, config, logger }), store, jobs, file };
}

async function waitFor(app: ReturnType<typeof createApp>, id: string, states = ['completed', 'failed']) {
  for (;;) {
    const j = (await request(app).get(`${API}/jobs/${id}`).expect(200)).body;
    if (states.includes(j.state)) return j;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const WORDS = ['mens cotton knitted t-shirt', 'lithium ion battery pack', 'frozen shrimp peeled', 'stainless steel bolts'];

test('a rows job: queued, worked, one audited request with every row in order; result as JSON Lines; retrievable and reclassifiable', async () => {
  const { app, store } = await makeApp();
  const rows = Array.from({ length: 1234 }, (_, i) => ({ description: i === 5 ? '' : `${WORDS[i % 4]} lot ${i}`, item_id: `L${i + 1}` }));
  const posted = await request(app).post(`${API}/jobs`).set('X-Request-Id', 'job-rows-0001').send({ rows, country: 'US' }).expect(202);
  expect(posted.headers.location).toBe(`${API}/jobs/job-rows-0001`);
  expect(posted.body).toMatchObject({ job_id: 'job-rows-0001', request_id: 'job-rows-0001', kind: 'rows', progress: { total: 1234 } });
  const job = await waitFor(app, 'job-rows-0001');
  expect(job).toMatchObject({ state: 'completed', progress: { done: 1234, total: 1234 }, attempts: 1, error: null, result: `${API}/jobs/job-rows-0001/result` });
  const res = await request(app).get(job.result).expect(200);
  expect(res.headers['content-type']).toMatch(/application\/x-ndjson/);
  const lines = res.text.trimEnd().split('\n').map((l) => JSON.parse(l));
  expect(lines.map((l) => l.id)).toEqual(rows.map((r) => r.item_id));
  expect(lines[5]).toMatchObject({ status: 'error', error: 'blank description' });
  expect(lines[7]).toEqual({ id: 'L8', description: rows[7].description, ...JSON.parse(JSON.stringify(await classify(opened.engine, rows[7].description, 'US'))) });
  const recorded = (await request(app).get(`${API}/classifications/job-rows-0001`).expect(200)).body;
  expect(recorded).toMatchObject({ request_id: 'job-rows-0001', kind: 'classify', country: 'US', row_count: 1234 });
  expect(recorded.rows).toEqual(lines);
  const re = await request(app).post(`${API}/classifications/job-rows-0001/reclassify`).expect(200);
  expect(re.body).toMatchObject({ reclassified_from: 'job-rows-0001', row_count: 1234, changed_count: 0 });
  expect(await verifyChain(store)).toMatchObject({ ok: true, requests: 2 });
});

test('a CSV file job comes back as the reviewed workbook, recorded like a review; a bad column fails the job with the reason', async () => {
  const { app } = await makeApp();
  const csv = ['Line;Description of goods;Qty', ...Array.from({ length: 40 }, (_, i) => `${i + 1};${WORDS[i % 4]};${i}`)].join('\r\n');
  const posted = await request(app)
    .post(`${API}/jobs?column=${encodeURIComponent('Description of goods')}&id_column=Line&file_name=invoice.csv`)
    .set('Content-Type', 'text/csv')
    .send(csv)
    .expect(202);
  expect(posted.body.kind).toBe('file');
  const job = await waitFor(app, posted.body.job_id);
  expect(job).toMatchObject({ state: 'completed', progress: { done: 40, total: 40 } });
  const res = await request(app).get(job.result).buffer(true).parse((r, cb) => {
    const chunks: Buffer[] = [];
    r.on('data', (c: Buffer) => chunks.push(c));
    r.on('end', () => cb(null, Buffer.concat(chunks)));
  }).expect(200);
  expect(res.headers['content-type']).toBe(XLSX_TYPE);
  expect(res.headers['content-disposition']).toMatch(/invoice-reviewed\.xlsx/);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.body as unknown as ArrayBuffer);
  const ws = wb.worksheets[0];
  expect(ws.getRow(1).values).toEqual([undefined, 'Line', 'Description of goods', 'HS code 1', 'Confidence 1', 'HS code 2', 'Confidence 2', 'HS code 3', 'Confidence 3', 'Reasoning', 'Status', 'Request id', 'Qty']);
  expect(ws.getCell('K2').value).toBe(`${job.job_id}#1`); // the request and the row within it
  const recorded = (await request(app).get(`${API}/classifications/${job.job_id}`).expect(200)).body;
  expect(recorded.rows).toHaveLength(40);
  expect(recorded.rows[0].id).toBe('1');
  expect(ws.getCell('C2').value).toBe(recorded.rows[0].candidates[0].code);

  const bad = await request(app).post(`${API}/jobs?column=Nope`).set('Content-Type', 'text/csv').send(csv).expect(202);
  const failed = await waitFor(app, bad.body.job_id);
  expect(failed).toMatchObject({ state: 'failed', attempts: 1 });
  expect(failed.error).toMatch(/Nope/);
  expect((await request(app).get(`${API}/jobs/${bad.body.job_id}/result`).expect(409)).body.error).toMatch(/failed/);
  expect((await request(app).get(`${API}/classifications/${bad.body.job_id}`).expect(404)).body.error).toMatch(/unknown/);
});

test('a file job applies the classification memory as POST /classify does', async () => {
  const { app } = await makeApp();
  const description = 'Cardigans, knitted, wool, ladies';
  const first = await request(app).post(`${API}/classify`).send({ rows: [{ description }] }).expect(200);
  const code = first.body.rows[0].candidates[0].hs6 === '611011' ? '611020' : '611011';
  await request(app).post(`${API}/feedback`).send({ request_id: first.body.request_id, row: 1, code }).expect(201);
  const csv = ['Description', `"${description}"`, 'stainless steel bolts'].join('\r\n');
  const posted = await request(app).post(`${API}/jobs?column=Description&file_name=memory.csv`).set('Content-Type', 'text/csv').send(csv).expect(202);
  const job = await waitFor(app, posted.body.job_id);
  expect(job.state).toBe('completed');
  const recorded = (await request(app).get(`${API}/classifications/${job.job_id}`).expect(200)).body;
  expect(recorded.rows[0]).toMatchObject({ status: 'ok', memory: { code, verdict: 'corrected' } });
  expect(recorded.rows[0].candidates[0].code).toBe(code);
  expect(recorded.rows[1].memory).toBeUndefined();
});

test('a file job consults the company examples as a rows job does', async () => {
  const { app } = await makeApp(undefined, { company: true });
  const description = 'KS-1 ceramic mug sublimation blank white 11oz';
  const code = '691200'; // the company classifies its mugs as ceramic tableware other than porcelain
  await request(app).post(`${API}/examples`).send({ rows: [{ description, code, item_id: 'KS-1' }] }).expect(201);
  const rowsJob = await request(app).post(`${API}/jobs`).send({ rows: [{ description }] }).expect(202);
  const csv = ['Description', description].join('\r\n');
  const fileJob = await request(app).post(`${API}/jobs?column=Description&file_name=mugs.csv`).set('Content-Type', 'text/csv').send(csv).expect(202);
  for (const id of [rowsJob.body.job_id, fileJob.body.job_id]) {
    expect((await waitFor(app, id)).state).toBe('completed');
    const row = (await request(app).get(`${API}/classifications/${id}`).expect(200)).body.rows[0];
    const cand = row.candidates.find((c: { hs6: string }) => c.hs6 === code);
    expect(cand?.examples[0]).toMatchObject({ source: 'company', code, item_id: 'KS-1' });
  }
});

test('bad requests: 400 with the field, 404 for an unknown job, 409 for a taken id', async () => {
  const { app } = await makeApp();
  expect((await request(app).post(`${API}/jobs`).send({ rows: [] }).expect(400)).body.error).toMatch(/rows/);
  expect((await request(app).post(`${API}/jobs`).send({ rows: [{ description: 'x' }], country: 'FR' }).expect(400)).body.error).toMatch(/country/);
  expect((await request(app).post(`${API}/jobs`).set('Content-Type', 'text/csv').send('a,b\n1,2').expect(400)).body.error).toMatch(/column/);
  expect((await request(app).post(`${API}/jobs?column=a`).set('Content-Type', XLSX_TYPE).send(Buffer.alloc(0)).expect(400)).body.error).toMatch(/empty/);
  expect((await request(app).get(`${API}/jobs/nope-nope-nope`).expect(404)).body.error).toMatch(/unknown job/);
  await request(app).post(`${API}/classify`).set('X-Request-Id', 'taken-id-0001').send({ rows: [{ description: 'steel bolts' }] }).expect(200);
  expect((await request(app).post(`${API}/jobs`).set('X-Request-Id', 'taken-id-0001').send({ rows: [{ description: 'x' }] }).expect(409)).body.error).toMatch(/taken/);
});

test('after a stop, unfinished jobs are taken up again; one whose request was already recorded is not recorded twice', async () => {
  const first = await makeApp();
  const rows = Array.from({ length: 300 }, (_, i) => ({ description: `${WORDS[i % 4]} ${i}` }));
  await request(first.app).post(`${API}/jobs`).set('X-Request-Id', 'job-again-001').send({ rows }).expect(202);
  await waitFor(first.app, 'job-again-001');
  // The process "died" after recording the request but before marking the job done; another job was still queued.
  const db = new Database(first.file);
  db.prepare("UPDATE jobs SET state = 'active' WHERE id = 'job-again-001'").run();
  db.prepare("INSERT INTO jobs (id, kind, state, options, input, total, created_at, updated_at) VALUES ('job-queued-01', 'rows', 'queued', '{}', ?, 2, 'x', 'x')").run(
    Buffer.from(JSON.stringify([{ id: 1, description: 'frozen shrimp' }, { id: 2, description: null }])),
  );
  db.close();
  const before = await verifyChain(first.store);
  const second = await makeApp(first.file); // a new process on the same file
  const again = await waitFor(second.app, 'job-again-001');
  expect(again).toMatchObject({ state: 'completed', attempts: 2 });
  expect(await waitFor(second.app, 'job-queued-01')).toMatchObject({ state: 'completed', progress: { done: 2, total: 2 } });
  const after = await verifyChain(second.store);
  expect(after).toMatchObject({ ok: true, requests: before.requests + 1, records: before.records + 3 });
  expect((await request(second.app).get(`${API}/jobs/job-again-001/result`).expect(200)).text.trimEnd().split('\n')).toHaveLength(300);
});
