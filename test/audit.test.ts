// The audit store: the same tests against SQLite and, when TEST_DATABASE_URL is set (CI starts a server), PostgreSQL.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { SqliteStore, SQLITE_MIGRATIONS } from '../server/audit/sqlite';
import { ThreadedSqliteStore } from '../server/audit/thread';
import { PgStore, PG_MIGRATIONS } from '../server/audit/postgres';
import { verifyChain, recordHash, GENESIS_HASH, DuplicateRequestError, type AuditStore } from '../server/audit/store';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-audit-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const PG_URL = process.env.TEST_DATABASE_URL;
const BIN = path.resolve(__dirname, '..', 'bin', 'hs-classify.js');

/** A backend under test: how to open a fresh store, reopen it, and tamper with it behind the store's back. */
interface Backend {
  name: string;
  fresh(): Promise<{ store: AuditStore; reopen(): Promise<AuditStore>; tamper(sql: string): Promise<void> }>;
}

let n = 0;
/** Edits a SQLite store behind its back (triggers dropped first). */
const sqliteTamper = (file: string) => async (sql: string) => {
  const db = new Database(file);
  db.exec('DROP TRIGGER IF EXISTS records_no_update; DROP TRIGGER IF EXISTS records_no_delete;');
  db.exec(sql);
  db.close();
};
const sqlite: Backend = {
  name: 'sqlite',
  async fresh() {
    const file = path.join(dir, `a${n++}.sqlite`);
    return {
      store: new SqliteStore(file),
      reopen: async () => new SqliteStore(file),
      tamper: sqliteTamper(file),
    };
  },
};
/** The same file format, on a thread of its own (the service's store). */
const sqliteThread: Backend = {
  name: 'sqlite on its own thread',
  async fresh() {
    const file = path.join(dir, `t${n++}.sqlite`);
    return {
      store: await ThreadedSqliteStore.open(file),
      reopen: () => ThreadedSqliteStore.open(file),
      tamper: sqliteTamper(file),
    };
  },
};
const postgres: Backend = {
  name: 'postgres',
  async fresh() {
    const schema = `t_${process.pid}_${n++}_${crypto.randomBytes(3).toString('hex')}`;
    const c = new Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
    return {
      store: await PgStore.open(PG_URL!, { schema }),
      reopen: () => PgStore.open(PG_URL!, { schema }),
      tamper: async (sql) => {
        const t = new Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
        await t.connect();
        await t.query('ALTER TABLE records DISABLE TRIGGER USER');
        await t.query(sql);
        await t.end();
      },
    };
  },
};

const backends = PG_URL ? [sqlite, sqliteThread, postgres] : [sqlite, sqliteThread];
if (process.env.CI && !PG_URL) {
  test('CI runs the store tests against PostgreSQL (TEST_DATABASE_URL must be set by .ci/run)', () => {
    throw new Error('TEST_DATABASE_URL is not set');
  });
}

/**
 * The message a promise rejects with, or null. (better-sqlite3's errors come from a native module loaded once per
 * process, so under jest they may not be `instanceof Error` of this test's realm, and `rejects.toThrow` misses them.)
 */
async function rejection(p: Promise<unknown>): Promise<string | null> {
  try {
    await p;
    return null;
  } catch (e) {
    return String((e as { message?: unknown }).message ?? e);
  }
}

const req = (id: string, rows: number) => ({
  requestId: id,
  createdAt: '2026-11-22T00:00:00.000Z',
  head: JSON.stringify({ request_id: id, row_count: rows }),
  rows: Array.from({ length: rows }, (_, i) => JSON.stringify({ id: i + 1, description: `row ${i + 1} of ${id}`, status: 'ok', candidates: [] })),
});

describe.each(backends)('audit store: $name', (backend) => {
  const opened: AuditStore[] = [];
  const fresh = async () => {
    const f = await backend.fresh();
    opened.push(f.store);
    return f;
  };
  afterAll(async () => {
    for (const s of opened) await s.close().catch(() => undefined);
  });

  test('append and read back exactly; rows in order; unknown is null', async () => {
    const { store } = await fresh();
    const r = req('req-aaaa-0001', 3);
    await store.appendRequest(r);
    expect(await store.getRequest('req-aaaa-0001')).toEqual({ head: r.head, rows: r.rows });
    expect(await store.getRow('req-aaaa-0001', 2)).toBe(r.rows[1]);
    expect(await store.getRow('req-aaaa-0001', 4)).toBeNull();
    expect(await store.getRequest('nope')).toBeNull();
    expect(await store.hasRequest('req-aaaa-0001')).toBe(true);
    expect(await store.hasRequest('nope')).toBe(false);
  });

  test('records are hash-chained from the genesis hash', async () => {
    const { store } = await fresh();
    await store.appendRequest(req('req-aaaa-0001', 2));
    await store.appendFeedback({ requestId: 'req-aaaa-0001', createdAt: 'x', lookupKey: 'k', payload: '{}' });
    const recs = await store.readRecords(0, 100);
    expect(recs.map((r) => [r.seq, r.kind, r.rowNo])).toEqual([[1, 'request', null], [2, 'row', 1], [3, 'row', 2], [4, 'feedback', null]]);
    expect(recs[0].prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < recs.length; i++) expect(recs[i].prevHash).toBe(recs[i - 1].hash);
    for (const r of recs) expect(r.hash).toBe(recordHash(r));
    expect(await verifyChain(store, 2)).toMatchObject({ ok: true, records: 4, requests: 1, last: { seq: 4, hash: recs[3].hash } });
  });

  test('a duplicate request id is refused and nothing is added', async () => {
    const { store } = await fresh();
    await store.appendRequest(req('req-aaaa-0001', 2));
    await expect(store.appendRequest(req('req-aaaa-0001', 5))).rejects.toBeInstanceOf(DuplicateRequestError);
    expect((await verifyChain(store)).records).toBe(3);
  });

  test('a failure in the middle of a request leaves nothing of it (one transaction)', async () => {
    const { store } = await fresh();
    await store.appendRequest(req('req-aaaa-0001', 1));
    const bad = req('req-bbbb-0002', 600);
    bad.rows[550] = null as unknown as string; // NOT NULL violated on row 551, after 550 rows were inserted
    expect(await rejection(store.appendRequest(bad))).toMatch(/NOT NULL|null value/);
    expect(await store.hasRequest('req-bbbb-0002')).toBe(false);
    expect(await store.getRow('req-bbbb-0002', 1)).toBeNull();
    expect(await verifyChain(store)).toMatchObject({ ok: true, records: 2, requests: 1 });
    await store.appendRequest(req('req-cccc-0003', 2));
    expect(await verifyChain(store)).toMatchObject({ ok: true, records: 5, requests: 2 });
  });

  test('appends sent together: each recorded whole or refused alone, one unbroken chain', async () => {
    const { store } = await fresh();
    await store.appendRequest(req('req-dddd-0000', 1));
    const bad = req('req-dddd-0003', 300);
    bad.rows[250] = null as unknown as string;
    const sent = [req('req-dddd-0001', 3), req('req-dddd-0002', 250), bad, req('req-dddd-0000', 2), req('req-dddd-0004', 1)];
    const outcomes = await Promise.all(sent.map((r) => rejection(store.appendRequest(r))));
    expect(outcomes[0]).toBeNull();
    expect(outcomes[1]).toBeNull();
    expect(outcomes[2]).toMatch(/NOT NULL|null value/);
    expect(outcomes[3]).toMatch(/already recorded/);
    expect(outcomes[4]).toBeNull();
    expect(await store.hasRequest('req-dddd-0003')).toBe(false);
    expect((await store.getRequest('req-dddd-0002'))!.rows).toHaveLength(250);
    expect((await store.getRequest('req-dddd-0000'))!.rows).toHaveLength(1);
    expect(await verifyChain(store)).toMatchObject({ ok: true, records: 2 + 4 + 251 + 2, requests: 4 });
  });

  test('append-only: UPDATE and DELETE are refused by the database', async () => {
    const { store } = await fresh();
    await store.appendRequest(req('req-aaaa-0001', 1));
    // Reach the database the way a careless script would, with the store's own connection settings.
    const attempt = async (sql: string) => {
      if (backend.name.startsWith('sqlite')) {
        const file = (store as SqliteStore | ThreadedSqliteStore).file;
        const db = new Database(file);
        try {
          db.exec(sql);
        } finally {
          db.close();
        }
      } else {
        const schema = (await (store as PgStore as unknown as { pool: { query(q: string): Promise<{ rows: { s: string }[] }> } }).pool.query('SELECT current_schema() AS s')).rows[0].s;
        const c = new Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
        await c.connect();
        try {
          await c.query(sql);
        } finally {
          await c.end();
        }
      }
    };
    expect(await rejection(attempt("UPDATE records SET payload = '{}' WHERE seq = 2"))).toMatch(/append-only/);
    expect(await rejection(attempt('DELETE FROM records WHERE seq = 2'))).toMatch(/append-only/);
    expect((await verifyChain(store)).ok).toBe(true);
  });

  test('an edited row breaks the chain and verify names it; so do a removed record and an edited hash', async () => {
    const a = await fresh();
    for (let i = 1; i <= 3; i++) await a.store.appendRequest(req(`req-${i}-aaaaaa`, 3));
    await a.tamper(`UPDATE records SET payload = replace(payload, 'row 2 of', 'row 9 of') WHERE request_id = 'req-2-aaaaaa' AND row_no = 2`);
    expect(await verifyChain(a.store)).toEqual({
      ok: false,
      records: 6,
      requests: 2,
      broken: { seq: 7, requestId: 'req-2-aaaaaa', kind: 'row', rowNo: 2, reason: 'content does not match its hash (record edited)' },
    });

    const b = await fresh();
    for (let i = 1; i <= 2; i++) await b.store.appendRequest(req(`req-${i}-bbbbbb`, 2));
    await b.tamper('DELETE FROM records WHERE seq = 2');
    expect((await verifyChain(b.store)).broken).toMatchObject({ seq: 3, reason: expect.stringMatching(/sequence gap/) });

    // Recomputing the edited record's own hash does not help: the next record's link breaks.
    const c = await fresh();
    for (let i = 1; i <= 2; i++) await c.store.appendRequest(req(`req-${i}-cccccc`, 2));
    const recs = await c.store.readRecords(0, 10);
    const forged = { ...recs[1], payload: '{"forged":true}' };
    const forgedHash = recordHash(forged);
    await c.tamper(`UPDATE records SET payload = '{"forged":true}', hash = '${forgedHash}' WHERE seq = 2`);
    expect((await verifyChain(c.store)).broken).toMatchObject({ seq: 3, reason: expect.stringMatching(/prev_hash/) });
  });

  test('a request whose rows are missing is reported as incomplete', async () => {
    const a = await fresh();
    await a.store.appendRequest(req('req-1-dddddd', 2));
    // Remove the last row and the chain still links (it is the tail): the request is incomplete.
    await a.tamper('DELETE FROM records WHERE seq = 3');
    expect((await verifyChain(a.store)).broken).toMatchObject({ requestId: 'req-1-dddddd', reason: expect.stringMatching(/incomplete: expected its row 2 of 2/) });
  });

  test('feedback memory: the latest record per key', async () => {
    const { store } = await fresh();
    await store.appendFeedback({ requestId: 'r1', createdAt: 'a', lookupKey: 'cotton shirt', payload: '{"n":1}' });
    await store.appendFeedback({ requestId: 'r1', createdAt: 'b', lookupKey: 'cotton shirt', payload: '{"n":2}' });
    await store.appendFeedback({ requestId: 'r1', createdAt: 'c', lookupKey: 'steel bolt', payload: '{"n":3}' });
    const m = await store.findMemory(['cotton shirt', 'steel bolt', 'nothing', 'cotton shirt']);
    expect([...m.entries()].sort()).toEqual([['cotton shirt', '{"n":2}'], ['steel bolt', '{"n":3}']]);
    expect((await store.findMemory([])).size).toBe(0);
  });

  test('migrations are recorded once and reopening keeps the trail', async () => {
    const f = await fresh();
    await f.store.appendRequest(req('req-1-eeeeee', 2));
    const expected = (backend.name.startsWith('sqlite') ? SQLITE_MIGRATIONS : PG_MIGRATIONS).map((m) => m.version);
    expect(await f.store.migrations()).toEqual(expected);
    await f.store.close();
    const again = await f.reopen();
    opened.push(again);
    expect(await again.migrations()).toEqual(expected);
    expect(await verifyChain(again)).toMatchObject({ ok: true, records: 3, requests: 1 });
    await again.appendRequest(req('req-2-eeeeee', 1));
    expect(await verifyChain(again)).toMatchObject({ ok: true, records: 5, requests: 2 });
  });

  test('a staged request commits as one request with its rows in order, records the same as appendRequest would', async () => {
    const { store } = await fresh();
    await store.appendRequest(req('req-before-01', 1));
    const r = req('req-staged-01', 2500);
    const staged = await store.stageRequest(r.requestId, r.createdAt);
    for (let i = 0; i < r.rows.length; i += 700) await staged.add(r.rows.slice(i, i + 700));
    expect(staged.rows).toBe(2500);
    expect(await store.hasRequest(r.requestId)).toBe(false); // staged rows are not in the trail
    await staged.commit(r.head);
    expect(await store.getRequest(r.requestId)).toEqual({ head: r.head, rows: r.rows });
    const v = await verifyChain(store);
    expect(v).toMatchObject({ ok: true, records: 2 + 2501, requests: 2 });
    // The same content appended directly on another store chains to the same hashes.
    const other = (await fresh()).store;
    await other.appendRequest(req('req-before-01', 1));
    await other.appendRequest(r);
    expect((await verifyChain(other)).last).toEqual(v.last);
  });

  test('a staged request that is discarded, or never committed, leaves nothing in the trail; a taken id is refused whole', async () => {
    const { store, reopen } = await fresh();
    const a = await store.stageRequest('req-staged-02', 'x');
    await a.add(['{"a":1}', '{"a":2}']);
    await a.discard();
    await expect(a.commit('{}')).rejects.toThrow(/already committed or discarded/);
    const b = await store.stageRequest('req-staged-03', 'x');
    await b.add(['{"b":1}']); // the process "dies" here: never committed
    await store.appendRequest(req('req-taken-001', 1));
    const c = await store.stageRequest('req-taken-001', 'x');
    await c.add(['{"c":1}', '{"c":2}']);
    await expect(c.commit('{"again":true}')).rejects.toBeInstanceOf(DuplicateRequestError);
    expect(await store.getRequest('req-taken-001')).toEqual({ head: req('req-taken-001', 1).head, rows: req('req-taken-001', 1).rows });
    expect(await store.hasRequest('req-staged-02')).toBe(false);
    expect(await store.hasRequest('req-staged-03')).toBe(false);
    const again = await reopen();
    opened.push(again);
    expect(await verifyChain(again)).toMatchObject({ ok: true, records: 2, requests: 1 });
  });

  test('reads check each record against its hash and its links: an edited record is never returned', async () => {
    const message = /stored record for request req-2-ffffff failed its hash check .*: the audit store may have been tampered with/;
    // Edited content, hash left as it was.
    const a = await fresh();
    for (let i = 1; i <= 3; i++) await a.store.appendRequest(req(`req-${i}-ffffff`, 2));
    await a.tamper(`UPDATE records SET payload = replace(payload, '"ok"', '"review"') WHERE request_id = 'req-2-ffffff' AND row_no = 2`);
    expect(await rejection(a.store.getRequest('req-2-ffffff'))).toMatch(message);
    expect(await rejection(a.store.getRow('req-2-ffffff', 2))).toMatch(message);
    expect(await a.store.getRow('req-2-ffffff', 1)).toBe(req('req-2-ffffff', 2).rows[0]); // its neighbour is intact
    expect(await a.store.getRequest('req-1-ffffff')).toEqual({ head: req('req-1-ffffff', 2).head, rows: req('req-1-ffffff', 2).rows });

    // The edited record's own hash recomputed: the next record's link gives it away.
    const b = await fresh();
    for (let i = 1; i <= 3; i++) await b.store.appendRequest(req(`req-${i}-ffffff`, 2));
    const rec = (await b.store.readRecords(0, 100)).find((r) => r.requestId === 'req-2-ffffff' && r.rowNo === 2)!;
    const edited = { ...rec, payload: '{"forged":true}' };
    await b.tamper(`UPDATE records SET payload = '{"forged":true}', hash = '${recordHash(edited)}' WHERE seq = ${rec.seq}`);
    expect(await rejection(b.store.getRequest('req-2-ffffff'))).toMatch(message);
    expect(await rejection(b.store.getRow('req-2-ffffff', 2))).toMatch(message);

    // A row removed from the middle of a request, and feedback edited.
    const c = await fresh();
    for (let i = 1; i <= 3; i++) await c.store.appendRequest(req(`req-${i}-ffffff`, 2));
    await c.store.appendFeedback({ requestId: 'req-2-ffffff', createdAt: 'x', lookupKey: 'cotton shirt', payload: '{"code":"610910"}' });
    await c.store.appendRequest(req('req-4-ffffff', 1));
    await c.tamper(`UPDATE records SET payload = '{"code":"930190"}' WHERE kind = 'feedback'`);
    expect(await rejection(c.store.findMemory(['cotton shirt']))).toMatch(message);
    await c.tamper(`DELETE FROM records WHERE request_id = 'req-2-ffffff' AND row_no = 1`);
    expect(await rejection(c.store.getRequest('req-2-ffffff'))).toMatch(/request req-2-ffffff failed its hash check \(record \d+: row_count 2 but 1 rows stored\)/);
  });

  test('head and readRecord', async () => {
    const { store } = await fresh();
    expect(await store.head()).toBeNull();
    await store.appendRequest(req('req-1-gggggg', 2));
    const recs = await store.readRecords(0, 10);
    expect(await store.head()).toEqual({ seq: 3, hash: recs[2].hash });
    expect(await store.readRecord(2)).toEqual(recs[1]);
    expect(await store.readRecord(4)).toBeNull();
  });

  test('concurrent appends from two store instances keep one unbroken chain', async () => {
    const f = await fresh();
    const other = await f.reopen();
    opened.push(other);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? f.store : other).appendRequest(req(`req-con-${String(i).padStart(4, '0')}`, 3))),
    );
    expect(await verifyChain(f.store)).toMatchObject({ ok: true, records: 80, requests: 20 });
  });
});

describe('hs-classify audit verify', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [BIN, 'audit', 'verify', ...args], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } });

  test('exit 0 on an intact trail, 3 and the first broken link when a row was edited, 2 when there is no trail', async () => {
    const file = path.join(dir, 'cli.sqlite');
    const store = new SqliteStore(file);
    await store.appendRequest(req('req-cli-0001', 2));
    await store.appendRequest(req('req-cli-0002', 2));
    await store.close();
    const ok = run('--sqlite', file);
    expect(ok.stdout).toMatch(/audit trail intact: 6 records, 2 requests/);
    expect(ok.stdout).toMatch(/last record 6, hash [0-9a-f]{64}/);
    expect(ok.status).toBe(0);

    const db = new Database(file);
    db.exec('DROP TRIGGER records_no_update');
    db.prepare("UPDATE records SET payload = replace(payload, '\"ok\"', '\"review\"') WHERE request_id = 'req-cli-0002' AND row_no = 1").run();
    db.close();
    const bad = run('--sqlite', file);
    expect(bad.status).toBe(3);
    expect(bad.stdout).toMatch(/BROKEN at record 5 \(row 1 of request req-cli-0002\): content does not match its hash/);

    const none = run('--sqlite', path.join(dir, 'missing.sqlite'));
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/not an audit store: .*missing.sqlite \(no such file\)/);
  });
});
