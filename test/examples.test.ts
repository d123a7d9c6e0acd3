// Company examples (issue 9 item 8): import, list and remove over the API (review role; recorded in the audit chain,
// never deleted), consulted first as nearest examples and marked as company examples, and the `learn` CLI.
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { API } from '../server/service/app';
import * as S from '../server/service/schemas';
import { verifyChain } from '../server/audit/store';
import { SqliteStore } from '../server/audit/sqlite';
import { CompanyExampleSet } from '../server/memory/examples';
import { classify } from '../server/classifier';
import { main as cli } from '../server/cli/main';
import { runReview } from '../server/review/run';
import { serviceHarness } from './support/service-app';

const h = serviceHarness('hs-examples-');
beforeAll(() => void h.opened, 300_000); // opens the engine (trains it when the cache is stale)
afterAll(() => h.close());

const KEYS = ['alice:review:alice-key-0001', 'carol:classify:carol-key-0003'];
const ALICE = { 'X-API-Key': 'alice-key-0001' };
const CAROL = { 'X-API-Key': 'carol-key-0003' };
const SINK = 'stainless steel kitchen sink, single bowl';

describe('company examples over the API', () => {
  test('import (review role, all rows or none, per-row errors), used first as nearest examples marked company, removed after delete', async () => {
    const { app, store } = h.makeApp({ apiKeys: KEYS });
    const before = S.ResultRow.parse((await request(app).post(`${API}/classify`).set(CAROL).send({ rows: [{ description: SINK }] }).expect(200)).body.rows[0]);
    const alt = before.candidates[1].hs6;
    const rows = [
      { description: `${SINK} (model KS-1)`, code: alt, item_id: 'KS-1' },
      { description: 'mens crew neck tee 100% cotton jersey', code: '6109.10', item_id: 7 },
    ];
    await request(app).post(`${API}/examples`).set(CAROL).send({ rows }).expect(403);
    await request(app).post(`${API}/examples`).send({ rows }).expect(401);

    // bad rows: nothing is imported, each row named
    const bad = await request(app)
      .post(`${API}/examples`)
      .set(ALICE)
      .send({ rows: [rows[0], { description: 'coffee', code: '90121' }, { description: 'thing', code: '999999' }, { description: '   ', code: '610910' }, { description: 'shoe', code: '6403999999' }] })
      .expect(400);
    expect(bad.body.issues).toEqual([
      { path: 'rows.1.code', message: '"90121" is not 6, 8 or 10 digits' },
      { path: 'rows.2.code', message: '999999 is not an HS 2022 subheading' },
      { path: 'rows.3.description', message: 'blank description' },
      { path: 'rows.4.code', message: '6403999999 is not a US HTS or EU CN line' },
    ]);
    await request(app).post(`${API}/examples`).set(ALICE).send({ rows: [{ description: 'x', code: 610910 }] }).expect(400);
    expect((await request(app).get(`${API}/examples`).set(ALICE).expect(200)).body.examples).toEqual([]);

    const imported = await request(app).post(`${API}/examples`).set(ALICE).send({ rows }).expect(201);
    S.ExamplesResponse.parse(imported.body);
    expect(imported.body.examples.map((e: { code: string; hs6: string; who: string; item_id: string }) => [e.code, e.hs6, e.who, e.item_id])).toEqual([
      [alt, alt, 'alice', 'KS-1'],
      ['610910', '610910', 'alice', '7'],
    ]);
    const listed = S.ExamplesResponse.parse((await request(app).get(`${API}/examples`).set(ALICE).expect(200)).body);
    expect(listed.examples.map((e) => e.example_id)).toEqual(imported.body.examples.map((e: { example_id: string }) => e.example_id));
    expect((await request(app).get(`${API}/examples?limit=1`).set(ALICE).expect(200)).body.next).toBe(1);

    const after = S.ResultRow.parse((await request(app).post(`${API}/classify`).set(CAROL).send({ rows: [{ description: SINK }] }).expect(200)).body.rows[0]);
    const cand = after.candidates.find((c) => c.hs6 === alt)!;
    expect(after.candidates[0].hs6).toBe(alt);
    expect(cand.examples[0]).toMatchObject({ source: 'company', code: alt, who: 'alice', item_id: 'KS-1', text: rows[0].description, example_id: imported.body.examples[0].example_id });
    expect(cand.examples[0].similarity).toBeGreaterThan(0.5);
    const steps = (after.reasoning as { steps: { rule: string; detail: string }[]; summary: string }).steps;
    expect(steps[0]).toMatchObject({ rule: 'company-example' });
    expect(steps[0].detail).toMatch(/imported by alice on \d{4}-\d\d-\d\d, item KS-1/);
    expect((after.reasoning as { summary: string }).summary).toMatch(/company example: ".*KS-1\)" \(alice,/);
    // an unrelated description is not touched
    const other = (await request(app).post(`${API}/classify`).set(CAROL).send({ rows: [{ description: 'frozen shrimp, peeled' }] }).expect(200)).body.rows[0];
    expect(JSON.stringify(other)).not.toContain('"company"');

    // removal: a record of its own, the example no longer used
    const id = imported.body.examples[0].example_id;
    await request(app).delete(`${API}/examples/${id}`).set(CAROL).expect(403);
    const del = await request(app).delete(`${API}/examples/${id}`).set(ALICE).expect(200);
    expect(del.body.removed).toMatchObject({ example_id: id, who: 'alice' });
    await request(app).delete(`${API}/examples/${id}`).set(ALICE).expect(404);
    expect((await request(app).get(`${API}/examples`).set(ALICE).expect(200)).body.examples.map((e: { example_id: string }) => e.example_id)).toEqual([imported.body.examples[1].example_id]);
    const removed = S.ResultRow.parse((await request(app).post(`${API}/classify`).set(CAROL).send({ rows: [{ description: SINK }] }).expect(200)).body.rows[0]);
    expect(removed.candidates.map((c) => c.hs6)).toEqual(before.candidates.map((c) => c.hs6));
    expect(JSON.stringify(removed)).not.toContain('"company"');

    // in the chain: two imports and one removal, never a delete; the chain verifies
    const recs = await store.readFeedback({});
    expect(recs.map((r) => JSON.parse(r.payload).event)).toEqual(['example', 'example', 'example-removal']);
    expect((await verifyChain(store)).ok).toBe(true);
  });

  test('the engine takes company examples as plain data (no store, no global state)', async () => {
    const engine = h.opened.engine;
    const plain = await classify(engine, SINK);
    const alt = plain.candidates[1].hs6;
    const company = { version: 'test-1', examples: [{ example_id: 'e1', text: SINK, code: alt, hs6: alt, who: 'test', at: '2026-12-01T00:00:00.000Z' }] };
    const withCompany = await classify(engine, SINK, undefined, { company });
    expect(withCompany.candidates[0].hs6).toBe(alt);
    expect(withCompany.candidates[0].examples[0]).toMatchObject({ source: 'company', similarity: 1, who: 'test' });
    // the confidences stay the model's: the company example reorders and is cited, it does not make the row surer
    const confidenceOf = (r: typeof plain, hs6: string) => r.candidates.find((c) => c.hs6 === hs6)?.confidence;
    expect(confidenceOf(withCompany, alt)).toBeCloseTo(confidenceOf(plain, alt)!, 6);
    // the same engine without them answers as before
    expect((await classify(engine, SINK)).candidates.map((c) => c.hs6)).toEqual(plain.candidates.map((c) => c.hs6));
  });
});

describe('hs-classify learn', () => {
  const run = async (args: string[]) => {
    const err: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((s: string) => (err.push(s), true)) as typeof process.stderr.write;
    try {
      return { code: await cli(['node', 'hs-classify', ...args]), err: err.join('') };
    } finally {
      process.stderr.write = write;
    }
  };

  test('imports a small CSV into the local store; a bad row imports nothing and names the row', async () => {
    const csv = path.join(h.dir, 'products.csv');
    const file = path.join(h.dir, 'learn.sqlite');
    fs.writeFileSync(csv, 'Item,Description,HS Code\nA-01,"Mens crew neck tee, 100% cotton jersey",6109.10\nA-02,Porcelain coffee mug 300ml,691110\n');
    const ok = await run(['learn', '--input', csv, '--column', 'Description', '--code-column', 'HS Code', '--id-column', 'Item', '--sqlite', file, '--who', 'importer']);
    expect(ok.err).toMatch(/imported 2 company examples/);
    expect(ok.code).toBe(0);
    const badCsv = path.join(h.dir, 'bad.csv');
    fs.writeFileSync(badCsv, 'Item,Description,HS Code\nB-01,Green tea,90210\nB-02,Black tea,090240\n');
    const bad = await run(['learn', '--input', badCsv, '--column', 'Description', '--code-column', 'HS Code', '--sqlite', file]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/1 bad row in .*nothing was imported/);
    expect(bad.err).toMatch(/row 1: HS Code: "90210" is not 6, 8 or 10 digits/);
    expect((await run(['learn', '--input', csv, '--column', 'Description', '--code-column', 'Code', '--sqlite', file])).err).toMatch(/Column "Code" not found/);

    const store = new SqliteStore(file);
    try {
      const live = await new CompanyExampleSet(store).list();
      expect(live.map((e) => [e.item_id, e.code, e.who, e.description])).toEqual([
        ['A-01', '610910', 'importer', 'Mens crew neck tee, 100% cotton jersey'],
        ['A-02', '691110', 'importer', 'Porcelain coffee mug 300ml'],
      ]);
      expect((await verifyChain(store)).ok).toBe(true);
    } finally {
      await store.close();
    }
    // `review --company-examples` on that store consults them (and records the run there)
    const sheet = path.join(h.dir, 'invoice.csv');
    fs.writeFileSync(sheet, 'Line,Goods\n1,porcelain coffee mug\n');
    const reviewed = await runReview({ input: sheet, column: 'Goods', output: path.join(h.dir, 'reviewed.xlsx'), env: { SQLITE_PATH: file }, opened: h.opened, progress: false, log: () => {}, companyExamples: true });
    const reviewStore = new SqliteStore(file);
    try {
      const recorded = JSON.parse((await reviewStore.getRow(reviewed.requestId, 1))!);
      expect(recorded.candidates.find((c: { hs6: string }) => c.hs6 === '691110')?.examples[0]).toMatchObject({ source: 'company', item_id: 'A-02' });
    } finally {
      await reviewStore.close();
    }
    // the service on that store consults them
    const { app } = h.makeApp({}, file);
    const row = (await request(app).post(`${API}/classify`).send({ rows: [{ description: 'porcelain coffee mug' }] }).expect(200)).body.rows[0];
    expect(row.candidates.find((c: { hs6: string }) => c.hs6 === '691110')?.examples[0]).toMatchObject({ source: 'company', item_id: 'A-02', who: 'importer' });
  });
});
