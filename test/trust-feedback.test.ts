// Feedback that cannot be poisoned (issue 11): key roles, who from the key, approvals, supersession, withdrawal,
// the Note check on memory answers, and every event in the audit chain.
import crypto from 'node:crypto';
import request from 'supertest';
import { API } from '../server/service/app';
import * as S from '../server/service/schemas';
import { verifyChain } from '../server/audit/store';
import { main as cli } from '../server/cli/main';
import { parseApiKeys, KeyConfigError } from '../server/service/auth';
import { serviceConfig, StartupError } from '../server/service/main';
import { memoryKey } from '../server/memory/feedback';
import { serviceHarness } from './support/service-app';

const h = serviceHarness('hs-trust-');
beforeAll(() => void h.opened, 300_000); // opens the engine (trains it when the cache is stale)
afterAll(() => h.close());

const KEYS = ['alice:review:alice-key-0001', 'bob:review:bob-key-0002', 'carol:classify:carol-key-0003', 'root:admin:root-key-0004'];
const as = (name: 'alice' | 'bob' | 'carol' | 'root') => ({ 'X-API-Key': KEYS.find((k) => k.startsWith(`${name}:`))!.split(':')[2] });
const CARDIGAN = 'Cardigans, knitted, wool, ladies';

async function classifyOne(app: Parameters<typeof request>[0], description: string, key = as('carol')) {
  const r = await request(app).post(`${API}/classify`).set(key).send({ rows: [{ description }] }).expect(200);
  return { id: r.body.request_id as string, row: S.ResultRow.parse(r.body.rows[0]) };
}

describe('API key roles', () => {
  test('the poisoning call (cardigans corrected to 9301.90) needs a review key: 401 without, 403 with a classify key, also on loopback', async () => {
    const { app, store } = h.makeApp({ apiKeys: KEYS });
    const { id, row: before } = await classifyOne(app, CARDIGAN);
    const poison = { request_id: id, row: 1, code: '930190', who: 'j.doe' };
    // supertest connects over loopback (127.0.0.1): loopback is no exception once keys are configured
    expect((await request(app).post(`${API}/feedback`).send(poison).expect(401)).body.error).toMatch(/API key is required/);
    expect((await request(app).post(`${API}/feedback`).set('X-API-Key', 'not-a-key-at-all').send(poison).expect(401)).body.error).toBe('wrong API key');
    const forbidden = await request(app).post(`${API}/feedback`).set(as('carol')).send(poison).expect(403);
    expect(forbidden.body.error).toBe('the key carol has the classify role; this needs a review key');
    const records = (await verifyChain(store)).records;
    const { row: after } = await classifyOne(app, CARDIGAN);
    expect(after.candidates[0].code).toBe(before.candidates[0].code);
    expect(after.candidates[0].code).not.toBe('930190');
    expect(after.memory).toBeUndefined();
    expect((await verifyChain(store)).records).toBe(records + 2); // only the second classification was recorded
  });

  test('Authorization: bearer in any case, X-API-Key; listing needs review, withdrawing needs admin', async () => {
    const { app } = h.makeApp({ apiKeys: KEYS });
    await request(app).post(`${API}/classify`).set('Authorization', 'bearer carol-key-0003').send({ rows: [{ description: 'cotton t-shirt' }] }).expect(200);
    await request(app).post(`${API}/classify`).set('Authorization', 'BEARER   carol-key-0003').send({ rows: [{ description: 'cotton t-shirt' }] }).expect(200);
    await request(app).get(`${API}/feedback`).set(as('carol')).expect(403);
    await request(app).get(`${API}/feedback`).set('Authorization', 'Bearer alice-key-0001').expect(200);
    expect((await request(app).post(`${API}/feedback/whatever/withdraw`).set(as('alice')).expect(403)).body.error).toBe('the key alice has the review role; this needs an admin key');
    expect((await request(app).post(`${API}/feedback/whatever/withdraw`).set(as('root')).expect(404)).body.error).toBe('unknown feedback id whatever');
  });

  test('key entries: name:role:key or a bare key (every right, "api-key"); bad entries refuse to start', () => {
    expect(parseApiKeys(['plainkey123', 'ops:admin:k:with:colons']).map((k) => [k.who, k.role])).toEqual([['api-key', 'admin'], ['ops', 'admin']]);
    expect(() => parseApiKeys(['a:superuser:12345678'])).toThrow(/role must be classify, review or admin/);
    expect(() => parseApiKeys(['a:review:12345678', 'a:admin:87654321'])).toThrow(/name a is used twice/);
    expect(() => parseApiKeys(['a:review:short'])).toThrow(KeyConfigError);
    expect(() => serviceConfig({ API_KEYS: 'x:boss:12345678' })).toThrow(StartupError);
    expect(() => serviceConfig({ FEEDBACK_APPROVALS: '0' })).toThrow(/FEEDBACK_APPROVALS/);
    expect(serviceConfig({ FEEDBACK_APPROVALS: '2' }).feedbackApprovals).toBe(2);
  });
});

describe('governance of the classification memory', () => {
  test('FEEDBACK_APPROVALS=2: one reviewer does not change the answer, two do; who comes from the key', async () => {
    const { app } = h.makeApp({ apiKeys: KEYS, feedbackApprovals: 2 });
    const { id, row: before } = await classifyOne(app, CARDIGAN);
    const code = before.candidates[0].hs6 === '611011' ? '611020' : '611011';
    const first = await request(app).post(`${API}/feedback`).set(as('alice')).send({ request_id: id, row: 1, code, who: 'mallory' }).expect(201);
    expect(first.body).toMatchObject({ who: 'alice', verdict: 'corrected', approvals: { code, count: 1, needed: 2, served: false } });
    expect((await classifyOne(app, CARDIGAN)).row.memory).toBeUndefined();
    // the same reviewer again does not count twice
    await request(app).post(`${API}/feedback`).set(as('alice')).send({ request_id: id, row: 1, code }).expect(201);
    expect((await classifyOne(app, CARDIGAN)).row.candidates[0].hs6).toBe(before.candidates[0].hs6);
    const second = await request(app).post(`${API}/feedback`).set(as('bob')).send({ request_id: id, row: 1, code }).expect(201);
    expect(second.body.approvals).toEqual({ code, count: 2, needed: 2, served: true });
    const { row } = await classifyOne(app, CARDIGAN);
    expect(row.candidates[0].hs6).toBe(code);
    expect(row.status).toBe('ok');
    // the model's own confidence for the code, not 100%
    expect(row.candidates[0].confidence).toBe(before.candidates.find((c) => c.hs6 === code)?.confidence ?? 0);
    expect(row.candidates[0].confidence).toBeLessThan(1);
    expect(row.memory).toMatchObject({ code, approvals: 2, who: 'bob' });
    expect(row.memory!.confirmed_by!.map((c) => c.who)).toEqual(['alice', 'bob']);
    expect((row.reasoning as { steps: { rule: string; detail: string }[] }).steps[0]).toMatchObject({ rule: 'classification-memory' });
    expect((row.reasoning as { steps: { detail: string }[] }).steps[0].detail).toMatch(/by alice on \d{4}-\d\d-\d\d, bob on/);
  });

  test('later corrections supersede earlier ones', async () => {
    const { app } = h.makeApp({ apiKeys: KEYS });
    const { id } = await classifyOne(app, CARDIGAN);
    await request(app).post(`${API}/feedback`).set(as('alice')).send({ request_id: id, row: 1, code: '611011' }).expect(201);
    expect((await classifyOne(app, CARDIGAN)).row.candidates[0].hs6).toBe('611011');
    await request(app).post(`${API}/feedback`).set(as('bob')).send({ request_id: id, row: 1, code: '611020' }).expect(201);
    expect((await classifyOne(app, CARDIGAN)).row.memory).toMatchObject({ code: '611020', who: 'bob' });
    await request(app).post(`${API}/feedback`).set(as('alice')).send({ request_id: id, row: 1, code: '611011' }).expect(201);
    expect((await classifyOne(app, CARDIGAN)).row.memory).toMatchObject({ code: '611011', who: 'alice' });
  });

  test('withdrawal by an admin only: the event stays in the chain, no longer counts, and is listed as withdrawn', async () => {
    const { app, store, file } = h.makeApp({ apiKeys: KEYS });
    const { id } = await classifyOne(app, CARDIGAN);
    const fb = await request(app).post(`${API}/feedback`).set(as('alice')).send({ request_id: id, row: 1, code: '611011', comment: 'wool' }).expect(201);
    expect((await classifyOne(app, CARDIGAN)).row.memory?.feedback_id).toBe(fb.body.feedback_id);
    await request(app).post(`${API}/feedback/${fb.body.feedback_id}/withdraw`).set(as('alice')).send({ reason: 'mine' }).expect(403);
    const w = await request(app).post(`${API}/feedback/${fb.body.feedback_id}/withdraw`).set(as('root')).send({ reason: 'not wool' }).expect(201);
    S.Withdrawal.parse(w.body);
    expect(w.body).toMatchObject({ feedback_id: fb.body.feedback_id, who: 'root', reason: 'not wool' });
    expect((await classifyOne(app, CARDIGAN)).row.memory).toBeUndefined();
    expect((await request(app).post(`${API}/feedback/${fb.body.feedback_id}/withdraw`).set(as('root')).expect(409)).body.error).toMatch(/already withdrawn by root/);

    // GET /feedback: filters and pages; withdrawn events are shown with their withdrawal
    const other = await classifyOne(app, 'lithium ion battery pack for laptop');
    await request(app).post(`${API}/feedback`).set(as('bob')).send({ request_id: other.id, row: 1, code: '850760' }).expect(201);
    const list = S.FeedbackList.parse((await request(app).get(`${API}/feedback`).set(as('alice')).expect(200)).body);
    expect(list.events.map((e) => [e.who, e.code, e.withdrawn?.who ?? null])).toEqual([['alice', '611011', 'root'], ['bob', '850760', null]]);
    expect(list.next).toBeNull();
    const byCode = (await request(app).get(`${API}/feedback?code=850760`).set(as('alice')).expect(200)).body;
    expect(byCode.events.map((e: { request_id: string }) => e.request_id)).toEqual([other.id]);
    expect((await request(app).get(`${API}/feedback?request_id=${id}`).set(as('alice')).expect(200)).body.events).toHaveLength(1);
    expect((await request(app).get(`${API}/feedback?since=2999-01-01`).set(as('alice')).expect(200)).body.events).toHaveLength(0);
    const page1 = (await request(app).get(`${API}/feedback?limit=1`).set(as('alice')).expect(200)).body;
    expect(page1.events).toHaveLength(1);
    const page2 = (await request(app).get(`${API}/feedback?limit=1&after=${page1.next}`).set(as('alice')).expect(200)).body;
    expect(page2.events[0].feedback_id).not.toBe(page1.events[0].feedback_id);
    expect(page2.next).toBeNull();
    await request(app).get(`${API}/feedback?since=yesterday`).set(as('alice')).expect(400);

    // every event is in the chain, which still verifies (also with the CLI)
    const recs = await store.readFeedback({});
    expect(recs.map((r) => JSON.parse(r.payload).event)).toEqual(['feedback', 'withdrawal', 'feedback']);
    expect((await verifyChain(store)).ok).toBe(true);
    const out: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((s: string) => (out.push(s), true)) as typeof process.stdout.write;
    try {
      expect(await cli(['node', 'hs-classify', 'audit', 'verify', '--sqlite', file])).toBe(0);
    } finally {
      process.stdout.write = write;
    }
    expect(out.join('')).toMatch(/audit trail intact/);
  });

  test('a Note decides: feedback whose code a Note excludes is 422; a remembered code a Note excludes is not served and the conflict shows', async () => {
    const { app, store } = h.makeApp({ apiKeys: KEYS });
    const drone = 'camera drone with 4k camera and gps';
    const { id, row: before } = await classifyOne(app, drone);
    expect(before.candidates[0].hs6.slice(0, 4)).toBe('8806');
    const r = await request(app).post(`${API}/feedback`).set(as('alice')).send({ request_id: id, row: 1, code: '950300' }).expect(422);
    expect(r.body.error).toMatch(/^code: Chapter 95 Note 1\(p\) excludes 950300/);
    expect(r.body.issues).toEqual([{ path: 'code', message: 'excluded by Chapter 95 Note 1(p)' }]);
    expect(await store.readFeedback({})).toHaveLength(0);
    // A memory answer from before the check (or from before a Note was encoded) is in the store:
    const createdAt = new Date().toISOString();
    const legacy = { feedback_id: crypto.randomUUID(), request_id: id, row: 1, description: drone, code: '950300', country: null, verdict: 'corrected', previous_code: before.candidates[0].code, who: 'old-import', comment: null, created_at: createdAt };
    await store.appendFeedback({ requestId: id, createdAt, lookupKey: memoryKey(drone), payload: JSON.stringify(legacy) });
    const { row } = await classifyOne(app, drone);
    expect(row.candidates.map((c) => c.hs6)).toEqual(before.candidates.map((c) => c.hs6));
    expect(row.candidates.some((c) => c.hs6.startsWith('95'))).toBe(false);
    expect(row.status).toBe(before.status);
    expect(row.memory).toMatchObject({ code: '950300', served: false, conflict: { citation: 'Chapter 95 Note 1(p)' } });
    const steps = (row.reasoning as { steps: { rule: string; citation: string }[] }).steps;
    expect(steps[0]).toMatchObject({ rule: 'classification-memory-conflict', citation: 'Chapter 95 Note 1(p)' });
    expect((row.reasoning as { summary: string }).summary).toMatch(/memory 950300 not served \(Chapter 95 Note 1\(p\)\)/);
  });

  test('the Note check reads the whole description as the classifier does, however many UTF-16 units it takes (emoji padding)', async () => {
    const { app, store } = h.makeApp({ apiKeys: KEYS });
    // 1,035 characters, 2,035 UTF-16 units: the words are past unit 2,000, inside the 2,000-character limit
    const drone = 'camera drone with 4k camera and gps';
    const padded = `${'🚁'.repeat(1000)} ${drone}`;
    const { id, row: before } = await classifyOne(app, padded);
    expect(before.candidates[0].hs6.slice(0, 4)).toBe('8806');
    const r = await request(app).post(`${API}/feedback`).set(as('alice')).send({ request_id: id, row: 1, code: '950300' }).expect(422);
    expect(r.body.error).toMatch(/^code: Chapter 95 Note 1\(p\) excludes 950300/);
    // and a remembered 950300 for the same words is not served to the padded description either
    const createdAt = new Date().toISOString();
    const legacy = { feedback_id: crypto.randomUUID(), request_id: id, row: 1, description: drone, code: '950300', country: null, verdict: 'corrected', previous_code: null, who: 'old-import', comment: null, created_at: createdAt };
    await store.appendFeedback({ requestId: id, createdAt, lookupKey: memoryKey(drone), payload: JSON.stringify(legacy) });
    const { row } = await classifyOne(app, padded);
    expect(row.memory).toMatchObject({ code: '950300', served: false, conflict: { citation: 'Chapter 95 Note 1(p)' } });
    expect(row.candidates[0].hs6.slice(0, 4)).toBe('8806');
  });

  test('without keys (loopback only) every right stays local, and the reviewer is "local"', async () => {
    const { app } = h.makeApp();
    const { id } = await classifyOne(app, CARDIGAN, {} as never);
    const fb = await request(app).post(`${API}/feedback`).send({ request_id: id, row: 1, code: '611011', who: 'someone-else' }).expect(201);
    expect(fb.body.who).toBe('local');
  });
});

// The store side of the memory, on SQLite and (with TEST_DATABASE_URL) PostgreSQL: several feedback records in one
// transaction, read back by lookup key (many keys at once) or all of them, in chain order.
const PG_URL = process.env.TEST_DATABASE_URL;
describe.each([
  ['sqlite', async () => new (await import('../server/audit/sqlite')).SqliteStore(`${h.dir}/store-${Date.now()}.sqlite`)],
  ...(PG_URL ? [['postgres', async () => (await import('../server/audit/postgres')).PgStore.open(PG_URL, { schema: `fb_${process.pid}_${Date.now()}` })] as const] : []),
] as [string, () => Promise<import('../server/audit/store').AuditStore>][])('readFeedback on %s', (_name, open) => {
  test('appendFeedback of several records is one go; readFeedback by keys (over 500 at once), after a seq, or all', async () => {
    const store = await open();
    try {
      const at = new Date().toISOString();
      await store.appendFeedback([
        { requestId: 'r-0000001', createdAt: at, lookupKey: 'a', payload: '{"n":1}' },
        { requestId: 'r-0000001', createdAt: at, lookupKey: 'b', payload: '{"n":2}' },
      ]);
      await store.appendFeedback({ requestId: 'r-0000002', createdAt: at, lookupKey: 'a', payload: '{"n":3}' });
      const many = [...Array.from({ length: 1200 }, (_, i) => `k${i}`), 'b', 'a'];
      expect((await store.readFeedback({ keys: many })).map((r) => r.payload)).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
      expect((await store.readFeedback({ keys: ['a'], afterSeq: 1 })).map((r) => r.payload)).toEqual(['{"n":3}']);
      expect((await store.readFeedback({ limit: 2 })).map((r) => r.seq)).toEqual([1, 2]);
      expect(await store.readFeedback({ keys: [] })).toEqual([]);
      expect((await verifyChain(store)).ok).toBe(true);
    } finally {
      await store.close();
    }
  });
});
