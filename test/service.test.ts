// The HTTP service end to end with supertest, on the real engine and a real SQLite audit file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { openEngine, type OpenedEngine } from '../server/engine';
import { createEngine } from '../server/classifier';
import { createApp, API, type ServiceConfig } from '../server/service/app';
import { SqliteStore } from '../server/audit/sqlite';
import { PgStore } from '../server/audit/postgres';
import { verifyChain } from '../server/audit/store';
import { openApiDocument } from '../server/service/openapi';
import * as S from '../server/service/schemas';
import { cleanDescription } from '../server/service/rows';
import { isLoopback, serviceConfig, StartupError } from '../server/service/main';
import { collectingLogger } from './support/log-lines';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-svc-'));
let opened: OpenedEngine;
const stores: SqliteStore[] = [];

const baseConfig: ServiceConfig = {
  apiKeys: [],
  allowedOrigins: ['https://localhost:3000'],
  rateLimit: { windowMs: 60_000, limit: 10_000 },
  staticDir: null,
};

/** An app on its own SQLite file (or the given one), with its log lines collected. */
function makeApp(opts: { file?: string; config?: Partial<ServiceConfig>; level?: string } = {}) {
  const file = opts.file ?? path.join(dir, `audit-${stores.length}.sqlite`);
  const store = new SqliteStore(file);
  stores.push(store);
  const { logger, lines } = collectingLogger(opts.level ?? 'info');
  const app = createApp({ engine: opened.engine, versions: opened.versions, store, config: { ...baseConfig, ...opts.config }, logger });
  return { app, store, file, lines };
}

beforeAll(() => {
  opened = openEngine();
});
afterAll(async () => {
  for (const s of stores) await s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const BATCH = {
  rows: [
    { description: 'mens 100% cotton knitted t-shirt', item_id: '007' },
    { description: null, item_id: '008' },
    { description: 'lithium ion battery pack for laptop' },
    { description: 'frozen shrimp, peeled', item_id: 10 },
  ],
};

describe('POST /classify', () => {
  test('per-row results as in the CLI, request id in header and body, versions recorded', async () => {
    const { app } = makeApp();
    const res = await request(app).post(`${API}/classify`).send(BATCH).expect(200).expect('Content-Type', /application\/json/);
    const body = S.ClassifyResponse.parse(res.body);
    expect(res.headers['x-request-id']).toBe(body.request_id);
    expect(body.request_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(body.versions).toEqual(opened.versions);
    expect(body.country).toBeNull();
    expect(body.row_count).toBe(4);
    expect(body.rows.map((r) => r.id)).toEqual(['007', '008', 3, 10]);
    expect(Object.keys(body.rows[0]).slice(0, 4)).toEqual(['id', 'description', 'status', 'candidates']);
    expect(body.rows[1]).toEqual({ id: '008', description: null, status: 'error', candidates: [], error: 'blank description' });
    expect(body.rows[2].candidates.map((c) => c.hs6)).toContain('850760');
    for (const c of body.rows.flatMap((r) => r.candidates)) expect(typeof c.code).toBe('string');
  });

  test('the same rows give the same answers as the engine called directly (pass-through, nothing invented)', async () => {
    const { app } = makeApp();
    const { classify } = await import('../server/classifier');
    const res = await request(app).post(`${API}/classify`).send({ ...BATCH, country: 'EU' }).expect(200);
    expect(res.body.rows[2]).toEqual({ id: 3, description: BATCH.rows[2].description, ...JSON.parse(JSON.stringify(await classify(opened.engine, BATCH.rows[2].description!, 'EU'))) });
  });

  test('a valid X-Request-Id is honoured; an invalid one is replaced by a UUID', async () => {
    const { app } = makeApp();
    const ok = await request(app).post(`${API}/classify`).set('X-Request-Id', 'batch_2024-07-01_a').send(BATCH).expect(200);
    expect(ok.headers['x-request-id']).toBe('batch_2024-07-01_a');
    expect(ok.body.request_id).toBe('batch_2024-07-01_a');
    const uuid = '3F0C6A52-2B1E-4C55-9A57-0A8F6F6D2F11';
    expect((await request(app).post(`${API}/classify`).set('X-Request-Id', uuid).send(BATCH).expect(200)).body.request_id).toBe(uuid);
    for (const bad of ['short', 'has space in it', 'x'.repeat(65), 'semi;colon1']) {
      const r = await request(app).post(`${API}/classify`).set('X-Request-Id', bad).send(BATCH).expect(200);
      expect(r.body.request_id).not.toBe(bad);
      expect(r.body.request_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.headers['x-request-id']).toBe(r.body.request_id);
    }
  });

  test('a request id already recorded is refused with 409 and the trail keeps the first answer', async () => {
    const { app } = makeApp();
    const first = await request(app).post(`${API}/classify`).set('X-Request-Id', 'dup-request-1').send(BATCH).expect(200);
    const again = await request(app).post(`${API}/classify`).set('X-Request-Id', 'dup-request-1').send({ rows: [{ description: 'steel bolts' }] }).expect(409);
    expect(again.body.error).toMatch(/already recorded/);
    expect((await request(app).get(`${API}/classifications/dup-request-1`).expect(200)).text).toBe(first.text);
  });

  test('descriptions: control characters removed, numbers read as text, too long is an error row, lone surrogates repaired', async () => {
    const { app } = makeApp();
    const long = 'cotton shirt '.repeat(200);
    const res = await request(app)
      .post(`${API}/classify`)
      .send({ rows: [{ description: 'cotton\u0000 knitted\u0007\tt-shirt\r\n' }, { description: 12345 }, { description: long }, { description: 'steel \ud800bolts' }, { description: '   ' }] })
      .expect(200);
    const rows = res.body.rows;
    expect(rows[0].description).toBe('cotton knitted t-shirt');
    expect(rows[0].status).not.toBe('error');
    expect(rows[1].description).toBe('12345');
    expect(rows[1].status).toBe('error');
    expect(rows[2]).toMatchObject({ status: 'error', candidates: [], error: `description is longer than 2000 characters (${long.trim().length})` });
    expect(rows[3].description).toBe('steel \ufffdbolts');
    expect(rows[4]).toMatchObject({ description: '', status: 'error', error: 'blank description' });
    expect(cleanDescription('a\u0085b\u2028c\u001bd')).toBe('a b cd');
  });

  test('400 for malformed JSON and for invalid fields, with the field named; nothing is recorded', async () => {
    const { app, store } = makeApp();
    const malformed = await request(app).post(`${API}/classify`).set('Content-Type', 'application/json').send('{"rows": [').expect(400);
    expect(malformed.body.error).toMatch(/^malformed JSON/);
    const cases: [unknown, string][] = [
      [{}, 'rows'],
      [{ rows: [] }, 'rows'],
      [{ rows: [{ description: 'x' }], country: 'FR' }, 'country'],
      [{ rows: [{ description: 'x' }, { description: { text: 'x' } }] }, 'rows.1.description'],
      [{ rows: [{ item_id: 'a' }] }, 'rows.0.description'],
      [{ rows: [{ description: 'x', item_id: 'i'.repeat(201) }] }, 'rows.0.item_id'],
      [{ rows: Array.from({ length: S.MAX_ROWS + 1 }, () => ({ description: 'x' })) }, 'rows'],
      [[1, 2], '(body)'],
    ];
    for (const [body, field] of cases) {
      const r = await request(app).post(`${API}/classify`).send(body as object).expect(400);
      expect(r.body.issues.map((i: { path: string }) => i.path)).toContain(field);
      expect(r.body.error).toContain(field);
    }
    const noJson = await request(app).post(`${API}/classify`).set('Content-Type', 'text/plain').send('rows').expect(400);
    expect(noJson.body.issues[0].path).toBe('(body)');
    expect((await verifyChain(store)).records).toBe(0);
  });

  test('413 over the 5 MB body limit', async () => {
    const { app, store } = makeApp();
    const big = { rows: [{ description: 'x'.repeat(S.MAX_BODY_BYTES) }] };
    const r = await request(app).post(`${API}/classify`).send(big).expect(413);
    expect(r.body.error).toMatch(/larger than 5242880 bytes/);
    expect((await verifyChain(store)).records).toBe(0);
  });

  test('5,000 rows in one request are accepted and recorded (mostly blank rows, to keep the test quick)', async () => {
    const { app, store } = makeApp();
    const rows = Array.from({ length: S.MAX_ROWS }, (_, i) => ({ description: i % 1000 === 0 ? 'steel bolts with nuts' : null, item_id: `r${i}` }));
    const r = await request(app).post(`${API}/classify`).send({ rows }).expect(200);
    expect(r.body.rows).toHaveLength(S.MAX_ROWS);
    expect(r.body.rows[4999]).toMatchObject({ id: 'r4999', status: 'error' });
    expect(r.body.rows[1000].status).not.toBe('error');
    expect(await verifyChain(store)).toMatchObject({ ok: true, records: S.MAX_ROWS + 1, requests: 1 });
  });
});

describe('GET /classifications/:requestId', () => {
  test('returns the response byte for byte, also from a new app on the same file (restart)', async () => {
    const first = makeApp();
    const res = await request(first.app).post(`${API}/classify`).send({ ...BATCH, country: 'US' }).expect(200);
    const id = res.body.request_id;
    const got = await request(first.app).get(`${API}/classifications/${id}`).expect(200).expect('Content-Type', /application\/json/);
    expect(got.text).toBe(res.text);
    await first.store.close();
    const second = makeApp({ file: first.file });
    const after = await request(second.app).get(`${API}/classifications/${id}`).expect(200);
    expect(after.text).toBe(res.text);
    expect((await verifyChain(second.store)).ok).toBe(true);
  });

  test('the stored answer is returned unchanged after the model and rules changed; reclassify shows the difference', async () => {
    const first = makeApp();
    const res = await request(first.app).post(`${API}/classify`).send(BATCH).expect(200);
    const id = res.body.request_id;
    await first.store.close();
    // Today's engine: another review threshold and no rules, so other versions and other answers.
    const { engine } = opened;
    const changed = createEngine(engine.ds, engine.model, { ...engine.config, reviewThreshold: 0, kinds: undefined }, null);
    const store = new SqliteStore(first.file);
    stores.push(store);
    const versions = { ...opened.versions, config: 'changed-config', rules: 'none' };
    const app = createApp({ engine: changed, versions, store, config: baseConfig, logger: pino({ level: 'silent' }) });
    const after = await request(app).get(`${API}/classifications/${id}`).expect(200);
    expect(after.text).toBe(res.text);
    expect(after.body.versions).toEqual(opened.versions);
    const re = await request(app).post(`${API}/classifications/${id}/reclassify`).expect(200);
    expect(re.body).toMatchObject({ reclassified_from: id, original_versions: opened.versions, versions });
    // Every row the old engine marked review is ok today (threshold 0): exactly those changed.
    const wasReview = res.body.rows.map((r: { status: string }, i: number) => (r.status === 'review' ? i + 1 : 0)).filter(Boolean);
    expect(wasReview.length).toBeGreaterThan(0);
    const changedRows = re.body.rows.filter((c: { before: { status: string }; after: { status: string } }) => c.before.status !== c.after.status);
    expect(changedRows.map((c: { row: number }) => c.row)).toEqual(wasReview);
    for (const c of changedRows) expect(c.after.status).toBe('ok');
    expect((await verifyChain(store)).ok).toBe(true);
  });

  test('404 for an unknown request id', async () => {
    const { app } = makeApp();
    const r = await request(app).get(`${API}/classifications/no-such-request`).expect(404);
    expect(r.body.error).toBe('unknown request id no-such-request');
  });
});

describe('feedback and the classification memory', () => {
  test('a correction is recorded, later requests with the same description (after normalisation) get it first, marked', async () => {
    const { app, store } = makeApp();
    const first = await request(app).post(`${API}/classify`).send(BATCH).expect(200);
    const id = first.body.request_id;
    const before = first.body.rows[0];
    // Correct row 1 to a code that is not the model's top answer.
    const code = before.candidates[0].hs6 === '610910' ? '610990' : '610910';
    // A `who` in the body is ignored: without keys (loopback) the reviewer is "local".
    const fb = await request(app).post(`${API}/feedback`).send({ request_id: id, row: 1, code, who: 'j.doe', comment: 'checked the sample' }).expect(201);
    S.FeedbackResponse.parse(fb.body);
    expect(fb.body).toMatchObject({ request_id: id, row: 1, code, verdict: 'corrected', previous_code: before.candidates[0].code, who: 'local', comment: 'checked the sample' });
    expect(fb.body.approvals).toEqual({ code, count: 1, needed: 1, served: true });

    const later = await request(app)
      .post(`${API}/classify`)
      .send({ rows: [{ description: '  MENS 100% COTTON   knitted T-shirt ' }, { description: 'lithium ion battery pack for laptop' }] })
      .expect(200);
    const row = S.ResultRow.parse(later.body.rows[0]);
    expect(row.status).toBe('ok');
    // The model's own confidence for the code, not a blanket 100%.
    const modelConf = before.candidates.find((c: { hs6: string }) => c.hs6 === code)?.confidence ?? 0;
    expect(row.candidates[0]).toMatchObject({ hs6: code, code, confidence: modelConf });
    expect(row.candidates.filter((c) => c.hs6 === code)).toHaveLength(1);
    expect(row.memory).toEqual({
      feedback_id: fb.body.feedback_id, code, verdict: 'corrected', who: 'local', at: fb.body.created_at, request_id: id, row: 1, match: 'exact',
      approvals: 1, confirmed_by: [{ who: 'local', at: fb.body.created_at, feedback_id: fb.body.feedback_id }],
    });
    expect(later.body.rows[1].memory).toBeUndefined();
    // The reasoning starts with the memory, so an auditor sees who decided.
    expect(later.body.rows[0].reasoning.steps[0]).toMatchObject({ rule: 'classification-memory', action: 'decide', codes: [code] });
    expect(later.body.rows[0].reasoning.summary).toMatch(/corrected by local on .*exact match/);

    // Near-exact: the same classifying words in another order, with a SKU and a quantity.
    const near = await request(app)
      .post(`${API}/classify`)
      .send({ rows: [{ description: "T-Shirts knitted cotton 100% men's SKU 12345 x12" }, { description: 'cotton t-shirt' }] })
      .expect(200);
    expect(near.body.rows[0].memory).toMatchObject({ feedback_id: fb.body.feedback_id, match: 'near-exact' });
    expect(near.body.rows[0].candidates[0]).toMatchObject({ hs6: code });
    // Fewer words is not the same description.
    expect(near.body.rows[1].memory).toBeUndefined();
    // The original is unchanged.
    expect((await request(app).get(`${API}/classifications/${id}`)).text).toBe(first.text);
    expect((await verifyChain(store)).ok).toBe(true);
  });

  test('a confirmation of the top code; a national line; the latest feedback wins', async () => {
    const { app } = makeApp();
    const first = await request(app).post(`${API}/classify`).send({ rows: [{ description: 'lithium ion battery pack for laptop' }], country: 'US' }).expect(200);
    const id = first.body.request_id;
    const top = first.body.rows[0].candidates[0];
    const ok = await request(app).post(`${API}/feedback`).send({ request_id: id, row: 1, code: top.code, who: 'a' }).expect(201);
    expect(ok.body.verdict).toBe('confirmed');
    const line = opened.engine.ds.us.find((l) => l.hs6 === '850760' && l.code.length === 10 && l.code !== top.code)!;
    await request(app).post(`${API}/feedback`).send({ request_id: id, row: 1, code: line.code, who: 'b' }).expect(201);
    const again = await request(app).post(`${API}/classify`).send({ rows: [{ description: 'lithium ion battery pack for laptop' }], country: 'US' }).expect(200);
    expect(again.body.rows[0].candidates[0]).toMatchObject({ code: line.code, hs6: '850760', nationalDescription: line.fullDescription });
    // the same reviewer ("local": no keys) corrected their own confirmation: the later event supersedes it
    expect(again.body.rows[0].memory).toMatchObject({ who: 'local', code: line.code, approvals: 1 });
    // Without a country the national line is not shown, the HS 6 is.
    const plain = await request(app).post(`${API}/classify`).send({ rows: [{ description: 'lithium ion battery pack for laptop' }] }).expect(200);
    expect(plain.body.rows[0].candidates[0]).toMatchObject({ code: '850760', hs6: '850760' });
  });

  test('errors: unknown request 404, unknown row 404, bad code 400 naming the field, blank row 400', async () => {
    const { app, store } = makeApp();
    const first = await request(app).post(`${API}/classify`).send(BATCH).expect(200);
    const id = first.body.request_id;
    const count = (await verifyChain(store)).records;
    expect((await request(app).post(`${API}/feedback`).send({ request_id: 'no-such-request', row: 1, code: '610910', who: 'a' }).expect(404)).body.error).toBe('unknown request id no-such-request');
    expect((await request(app).post(`${API}/feedback`).send({ request_id: id, row: 99, code: '610910', who: 'a' }).expect(404)).body.error).toMatch(/has no row 99/);
    const bad: [object, string][] = [
      [{ request_id: id, row: 1, code: 610910, who: 'a' }, 'code'],
      [{ request_id: id, row: 1, code: '6109', who: 'a' }, 'code'],
      [{ request_id: id, row: 1, code: '999999', who: 'a' }, 'code'],
      [{ request_id: id, row: 1, code: '6109999999', who: 'a' }, 'code'],
      [{ request_id: id, row: 0, code: '610910', who: 'a' }, 'row'],
      [{ request_id: 'bad id', row: 1, code: '610910', who: 'a' }, 'request_id'],
    ];
    for (const [body, field] of bad) {
      const r = await request(app).post(`${API}/feedback`).send(body).expect(400);
      expect(r.body.issues.map((i: { path: string }) => i.path)).toContain(field);
    }
    expect((await request(app).post(`${API}/feedback`).send({ request_id: id, row: 2, code: '610910', who: 'a' }).expect(400)).body.error).toMatch(/no description/);
    expect((await verifyChain(store)).records).toBe(count);
  });
});

describe('POST /classifications/:requestId/reclassify', () => {
  test('no change gives no rows; after a correction the row shows up with before and after; recorded as its own request', async () => {
    const { app } = makeApp();
    const first = await request(app).post(`${API}/classify`).send(BATCH).expect(200);
    const id = first.body.request_id;
    const same = await request(app).post(`${API}/classifications/${id}/reclassify`).expect(200);
    const sameBody = S.ReclassifyResponse.parse(same.body);
    expect(sameBody).toMatchObject({ kind: 'reclassify', reclassified_from: id, row_count: 4, changed_count: 0, rows: [], versions: opened.versions, original_versions: opened.versions });
    expect(same.headers['x-request-id']).toBe(sameBody.request_id);

    const code = first.body.rows[2].candidates[0].hs6 === '850760' ? '850650' : '850760';
    await request(app).post(`${API}/feedback`).send({ request_id: id, row: 3, code, who: 'c' }).expect(201);
    const changed = await request(app).post(`${API}/classifications/${id}/reclassify`).set('X-Request-Id', 'review-2026-q4').expect(200);
    const body = S.ReclassifyResponse.parse(changed.body);
    expect(body.request_id).toBe('review-2026-q4');
    expect(body.changed_count).toBe(1);
    expect(body.rows[0].row).toBe(3);
    expect(body.rows[0].before).toEqual(first.body.rows[2]);
    expect(body.rows[0].after.candidates[0].code).toBe(code);
    expect((await request(app).get(`${API}/classifications/review-2026-q4`).expect(200)).text).toBe(changed.text);
    // A reclassification is not itself reclassified.
    expect((await request(app).post(`${API}/classifications/review-2026-q4/reclassify`).expect(400)).body.error).toMatch(/not a classification/);
  });

  test('404 for an unknown request id', async () => {
    const { app } = makeApp();
    await request(app).post(`${API}/classifications/nope-nope-nope/reclassify`).expect(404);
  });
});

describe('health, ready, unknown routes', () => {
  test('health and ready', async () => {
    const { app, store } = makeApp();
    expect((await request(app).get(`${API}/health`).expect(200)).body).toEqual({ status: 'ok' });
    const ready = await request(app).get(`${API}/ready`).expect(200);
    expect(S.ReadyResponse.parse(ready.body)).toEqual({ status: 'ready', store: 'sqlite', versions: opened.versions });
    await store.close();
    expect((await request(app).get(`${API}/ready`).expect(503)).body.status).toBe('not ready');
  });

  test('unknown API route: 404 JSON', async () => {
    const { app } = makeApp();
    expect((await request(app).get(`${API}/nothing`).expect(404)).body.error).toBe('no route GET /nothing');
  });
});

describe('security', () => {
  test('helmet headers; CORS only for the allowed origin, with the request id exposed', async () => {
    const { app } = makeApp();
    const r = await request(app).options(`${API}/classify`).set('Origin', 'https://localhost:3000').set('Access-Control-Request-Method', 'POST').expect(204);
    expect(r.headers['access-control-allow-origin']).toBe('https://localhost:3000');
    expect(r.headers['access-control-allow-headers']).toMatch(/X-API-Key/);
    const other = await request(app).options(`${API}/classify`).set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'POST');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const get = await request(app).get(`${API}/health`).set('Origin', 'https://localhost:3000').expect(200);
    expect(get.headers['access-control-expose-headers']).toBe('X-Request-Id');
    expect(get.headers['x-content-type-options']).toBe('nosniff');
    expect(get.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(get.headers['content-security-policy']).not.toMatch(/upgrade-insecure-requests/);
    expect(get.headers['x-powered-by']).toBeUndefined();
  });

  test('API keys: X-API-Key or Bearer; missing or wrong is 401; health, ready and the document stay open', async () => {
    const { app } = makeApp({ config: { apiKeys: ['k-one-123', 'k-two-456'] } });
    expect((await request(app).post(`${API}/classify`).send(BATCH).expect(401)).body.error).toMatch(/API key is required/);
    expect((await request(app).post(`${API}/classify`).set('X-API-Key', 'nope').send(BATCH).expect(401)).body.error).toBe('wrong API key');
    await request(app).post(`${API}/classify`).set('Authorization', 'Bearer wrong').send(BATCH).expect(401);
    await request(app).get(`${API}/classifications/x-y-z-123`).expect(401);
    await request(app).post(`${API}/classify`).set('X-API-Key', 'k-two-456').send(BATCH).expect(200);
    await request(app).post(`${API}/classify`).set('Authorization', 'Bearer k-one-123').send(BATCH).expect(200);
    await request(app).get(`${API}/health`).expect(200);
    await request(app).get(`${API}/ready`).expect(200);
    await request(app).get(`${API}/openapi.json`).expect(200);
  });

  test('429 from the rate limiter', async () => {
    const { app } = makeApp({ config: { rateLimit: { windowMs: 60_000, limit: 2 } } });
    await request(app).get(`${API}/classifications/a-b-c-d-e`).expect(404);
    await request(app).get(`${API}/classifications/a-b-c-d-e`).expect(404);
    const r = await request(app).get(`${API}/classifications/a-b-c-d-e`).expect(429);
    expect(r.body.error).toMatch(/too many requests/);
    expect(r.headers.ratelimit).toBeDefined();
  });

  test('logs carry the request id, never the key, and at info level never the descriptions', async () => {
    const secret = 'sekret-key-98765';
    const { app, lines } = makeApp({ config: { apiKeys: [secret] } });
    const desc = 'unmistakable purple zebra-striped umbrella';
    await request(app).post(`${API}/classify`).set('X-API-Key', secret).set('X-Request-Id', 'log-check-0001').send({ rows: [{ description: desc }] }).expect(200);
    await request(app).post(`${API}/classify`).set('Authorization', `Bearer ${secret}`).send({ rows: [{ description: desc }] }).expect(200);
    await request(app).post(`${API}/classify`).set('X-API-Key', `${secret}x`).send({ rows: [{ description: desc }] }).expect(401);
    const log = lines.join('');
    expect(log).toContain('"id":"log-check-0001"');
    expect(log).not.toContain(secret);
    expect(log).not.toMatch(/purple|zebra/);
    expect(lines.length).toBeGreaterThanOrEqual(4);
  });

  test('start-up refuses a non-loopback address without API keys', () => {
    expect(() => serviceConfig({ HOST: '0.0.0.0' })).toThrow(StartupError);
    expect(() => serviceConfig({ HOST: '0.0.0.0' })).toThrow(/refusing to listen on 0.0.0.0 without API keys/);
    expect(serviceConfig({ HOST: '0.0.0.0', API_KEYS: 'a,b' }).apiKeys).toEqual(['a', 'b']);
    expect(serviceConfig({}).host).toBe('127.0.0.1');
    expect(serviceConfig({}).port).toBe(3000);
    expect(serviceConfig({}).allowedOrigins).toEqual(['https://localhost:3000']);
    expect(() => serviceConfig({ PORT: 'abc' })).toThrow(/PORT/);
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(isLoopback(h)).toBe(true);
    for (const h of ['0.0.0.0', '10.0.0.1', '::', 'example.com']) expect(isLoopback(h)).toBe(false);
  });
});

describe('OpenAPI document', () => {
  /** Every route registered on the app, as "METHOD /path" with {param} syntax. */
  function appRoutes(app: ReturnType<typeof makeApp>['app']): string[] {
    const stack = (app as unknown as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } }).router.stack;
    return stack
      .filter((l) => l.route)
      .flatMap((l) => Object.keys(l.route!.methods).map((m) => `${m.toUpperCase()} ${l.route!.path.replace(/:(\w+)/g, '{$1}')}`))
      .sort();
  }

  test('served at /api/v1/openapi.json, 3.1, and every route of the app is in it and vice versa', async () => {
    const { app } = makeApp();
    const doc = (await request(app).get(`${API}/openapi.json`).expect(200)).body;
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`))
      .sort();
    expect(appRoutes(app)).toEqual(documented);
    expect(documented.length).toBe(16);
  });

  test('every $ref resolves, and the documented examples validate against the schemas the handlers use', () => {
    const doc = openApiDocument() as { components: { schemas: Record<string, { example?: unknown }> } };
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(10);
    for (const r of refs) expect(doc.components.schemas[r]).toBeDefined();
    expect(S.ClassifyRequest.parse(doc.components.schemas.ClassifyRequest.example)).toBeTruthy();
    expect(S.FeedbackRequest.parse(doc.components.schemas.FeedbackRequest.example)).toBeTruthy();
    // The limits the document states are the ones enforced.
    expect(JSON.stringify(doc.components.schemas.ClassifyRequest)).toContain(`"maxItems":${S.MAX_ROWS}`);
  });

  test('documented error statuses are the ones the routes produce', async () => {
    const doc = openApiDocument() as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(Object.keys(doc.paths['/api/v1/classify'].post.responses).sort()).toEqual(['200', '400', '401', '409', '413', '429']);
    expect(Object.keys(doc.paths['/api/v1/classifications/{requestId}'].get.responses).sort()).toEqual(['200', '401', '404', '429', '500']);
  });
});

// The same service on the PostgreSQL store (when a server is given, as in CI).
const PG_URL = process.env.TEST_DATABASE_URL;
(PG_URL ? describe : describe.skip)('the service on PostgreSQL', () => {
  let store: PgStore;
  let app: ReturnType<typeof createApp>;
  beforeAll(async () => {
    store = await PgStore.open(PG_URL!, { schema: `svc_${process.pid}_${Date.now()}` });
    app = createApp({ engine: opened.engine, versions: opened.versions, store, config: baseConfig, logger: pino({ level: 'silent' }) });
  });
  afterAll(() => store?.close());

  test('classify, retrieve byte for byte, feedback, memory, reclassify, ready; the chain verifies', async () => {
    const first = await request(app).post(`${API}/classify`).send(BATCH).expect(200);
    const id = first.body.request_id;
    expect((await request(app).get(`${API}/classifications/${id}`).expect(200)).text).toBe(first.text);
    await request(app).post(`${API}/classify`).set('X-Request-Id', id).send(BATCH).expect(409);
    const code = first.body.rows[0].candidates[0].hs6 === '610910' ? '610990' : '610910';
    await request(app).post(`${API}/feedback`).send({ request_id: id, row: 1, code, who: 'pg' }).expect(201);
    const later = await request(app).post(`${API}/classify`).send({ rows: [BATCH.rows[0]] }).expect(200);
    expect(later.body.rows[0].candidates[0].code).toBe(code);
    expect(later.body.rows[0].memory.who).toBe('local');
    const re = await request(app).post(`${API}/classifications/${id}/reclassify`).expect(200);
    expect(re.body.changed_count).toBe(1);
    expect((await request(app).get(`${API}/ready`).expect(200)).body.store).toBe('postgres');
    expect(await verifyChain(store)).toMatchObject({ ok: true, records: 5 + 1 + 2 + 2, requests: 3 });
  });
});
