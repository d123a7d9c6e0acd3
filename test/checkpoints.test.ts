// Signed checkpoints: the attacks the hash chain alone misses (a re-chained store, a cut-off tail) and forged
// checkpoints, caught by `hs-classify audit verify --checkpoints --public-key`; the service's every-N and shutdown
// checkpoints; `audit verify` opening the store read-only and refusing files that are not stores.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { start, StartupError } from '../server/service/main';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { SqliteStore } from '../server/audit/sqlite';
import { PgStore } from '../server/audit/postgres';
import { GENESIS_HASH, recordHash, verifyChain } from '../server/audit/store';
import crypto from 'node:crypto';
import {
  CHECKPOINT_V1,
  CHECKPOINT_VERSION,
  Checkpoint,
  Checkpointer,
  CheckpointError,
  CheckpointMismatchError,
  checkpointConfig,
  checkpointMessage,
  loadPrivateKey,
  loadPublicKey,
  readCheckpoints,
  signCheckpoint,
  signatureValid,
  verifyCheckpoints,
  withCheckpoints,
} from '../server/audit/checkpoints';
import { makeKeys, rechain, sha256File, tamperSql } from './support/tamper';

const BIN = path.resolve(__dirname, '..', 'bin', 'hs-classify.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-checkpoints-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const keys = makeKeys(dir);
const other = makeKeys(dir, 'other');
const quiet = { info: () => undefined, error: () => undefined };

const run = (...args: string[]) =>
  spawnSync(process.execPath, [BIN, 'audit', ...args], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '', AUDIT_SIGNING_KEY: '', AUDIT_CHECKPOINTS: '' } });

const req = (id: string, rows: number) => ({
  requestId: id,
  createdAt: '2026-12-02T00:00:00.000Z',
  head: JSON.stringify({ request_id: id, row_count: rows }),
  rows: Array.from({ length: rows }, (_, i) => JSON.stringify({ id: i + 1, description: `row ${i + 1} of ${id}`, status: 'ok', candidates: [{ code: '610910' }] })),
});

let n = 0;
/** A store of `requests` requests of 2 rows (3 records each), checkpointed every `every` records; closed (shutdown checkpoint). */
async function checkpointedStore(requests: number, every: number): Promise<{ file: string; checkpoints: string }> {
  const file = path.join(dir, `s${n}.sqlite`);
  const checkpoints = path.join(dir, `s${n++}.checkpoints.jsonl`);
  const raw = new SqliteStore(file);
  const cp = await Checkpointer.open(raw, { keyFile: keys.privateKey, file: checkpoints, every, storeId: `test ${file}` }, quiet);
  const store = withCheckpoints(raw, cp);
  for (let i = 1; i <= requests; i++) await store.appendRequest(req(`req-${i}-checkpt`, 2));
  await store.close();
  return { file, checkpoints };
}
const verify = (f: { file: string; checkpoints: string }, key = keys.publicKey) => run('verify', '--store', f.file, '--checkpoints', f.checkpoints, '--public-key', key);

describe('checkpoints', () => {
  test('the signed message is a version-tagged JSON array; any change to a field breaks the signature', () => {
    const key = loadPrivateKey(keys.privateKey);
    const pub = loadPublicKey(keys.publicKey);
    const hashes = 'c'.repeat(64) + 'a'.repeat(64);
    const c = signCheckpoint(key, { store: 'sqlite x', seq: 12, hash: 'a'.repeat(64), time: '2026-12-02T10:00:00.000Z', from: 11, hashes });
    const digest = crypto.createHash('sha256').update(hashes).digest('hex');
    expect(checkpointMessage(c).toString()).toBe(JSON.stringify([CHECKPOINT_VERSION, 'sqlite x', 12, 'a'.repeat(64), '2026-12-02T10:00:00.000Z', 11, digest]));
    expect(signatureValid(pub, c)).toBe(true);
    for (const changed of [{ seq: 13 }, { hash: 'b'.repeat(64) }, { time: '2026-12-03T10:00:00.000Z' }, { store: 'sqlite y' }, { from: 10 }, { hashes: 'd'.repeat(64) + 'a'.repeat(64) }]) {
      expect(signatureValid(pub, { ...c, ...changed })).toBe(false);
    }
    expect(signatureValid(loadPublicKey(other.publicKey), c)).toBe(false);
    // a version 1 line (the head alone) still verifies
    const v1 = { v: CHECKPOINT_V1, store: 'sqlite x', seq: 12, hash: 'a'.repeat(64), time: '2026-12-02T10:00:00.000Z' } as const;
    const sig1 = crypto.sign(null, Buffer.from(JSON.stringify([CHECKPOINT_V1, 'sqlite x', 12, 'a'.repeat(64), '2026-12-02T10:00:00.000Z'])), key).toString('base64');
    expect(signatureValid(pub, { ...v1, key: c.key, sig: sig1 })).toBe(true);
    // a version 2 line's hashes must end with the signed head and cover from..seq
    expect(Checkpoint.safeParse({ ...c, hashes: 'a'.repeat(64) }).success).toBe(false);
    expect(Checkpoint.safeParse({ ...c, hashes: 'a'.repeat(64) + 'c'.repeat(64) }).success).toBe(false);
    expect(Checkpoint.safeParse(c).success).toBe(true);
  });

  test('keys and configuration: clear errors for a missing or wrong key and for half a configuration', () => {
    expect(() => loadPrivateKey(path.join(dir, 'none.pem'))).toThrow(/cannot read the signing key .*none\.pem: ENOENT/);
    expect(() => loadPrivateKey(keys.publicKey)).toThrow(/is not a PEM private key/);
    const rsa = path.join(dir, 'rsa.pem');
    fs.writeFileSync(rsa, require('node:crypto').generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    expect(() => loadPrivateKey(rsa)).toThrow(/is a rsa key, not the Ed25519 private key/);
    expect(checkpointConfig({}, 'x')).toBeNull();
    expect(() => checkpointConfig({ AUDIT_SIGNING_KEY: keys.privateKey }, 'x')).toThrow(CheckpointError);
    expect(() => checkpointConfig({ AUDIT_CHECKPOINTS: 'c' }, 'x')).toThrow(/AUDIT_SIGNING_KEY is not/);
    expect(() => checkpointConfig({ AUDIT_SIGNING_KEY: 'k', AUDIT_CHECKPOINTS: 'c', AUDIT_CHECKPOINT_EVERY: '0' }, 'x')).toThrow(/AUDIT_CHECKPOINT_EVERY/);
    expect(checkpointConfig({ AUDIT_SIGNING_KEY: 'k', AUDIT_CHECKPOINTS: 'c' }, 'sqlite a')).toEqual({ keyFile: 'k', file: 'c', every: 1000, storeId: 'sqlite a' });
  });

  test('every N records and at shutdown: one JSON line each, signed, covering the head', async () => {
    // 4 requests of 3 records, every 5: after request 2 (head 6) and 4 (head 12); the shutdown one adds nothing new.
    const f = await checkpointedStore(4, 5);
    const lines = readCheckpoints(f.checkpoints);
    expect(lines.map((l) => l.checkpoint?.seq)).toEqual([6, 12]);
    const store = new SqliteStore(f.file, { readonly: true });
    const pub = loadPublicKey(keys.publicKey);
    for (const l of lines) {
      expect(signatureValid(pub, l.checkpoint!)).toBe(true);
      expect((await store.readRecord(l.checkpoint!.seq))!.hash).toBe(l.checkpoint!.hash);
    }
    expect(await verifyCheckpoints(store, lines, pub)).toMatchObject({ ok: true, valid: 2, uncovered: 0, bad: [] });
    await store.close();
    // At shutdown: a head not yet checkpointed gets one.
    const g = await checkpointedStore(3, 100);
    expect(readCheckpoints(g.checkpoints).map((l) => l.checkpoint?.seq)).toEqual([9]);
  });

  test('an intact trail verifies; records appended after the last checkpoint are reported as not yet covered (exit 0)', async () => {
    const f = await checkpointedStore(2, 3);
    const before = sha256File(f.file);
    const ok = verify(f);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/audit trail intact: 6 records, 2 requests/);
    expect(ok.stdout).toMatch(/checkpoints: 2 signed checkpoints verified; records 1-6 match the last one/);
    expect(sha256File(f.file)).toBe(before); // read-only: byte for byte the same
    const store = new SqliteStore(f.file);
    await store.appendRequest(req('req-late-checkpt', 1));
    await store.close();
    const later = verify(f);
    expect(later.status).toBe(0);
    expect(later.stdout).toMatch(/2 records after record 6 not yet covered by a checkpoint/);
  });

  test('a re-chained store (a row edited, every hash recomputed): the chain verifies, the checkpoints do not, exit 3 naming the edited record', async () => {
    const f = await checkpointedStore(4, 1); // a checkpoint after every request: heads 3, 6, 9, 12
    rechain(f.file, (r) => (r.requestId === 'req-3-checkpt' && r.rowNo === 1 ? { ...r, payload: r.payload.replace('610910', '930190') } : r));
    const plain = run('verify', '--store', f.file);
    expect(plain.status).toBe(0); // what the attacker counted on
    expect(plain.stdout).toMatch(/audit trail intact: 12 records/);
    const caught = verify(f);
    expect(caught.status).toBe(3);
    expect(caught.stdout).toMatch(/audit trail intact: 12 records/);
    // Records 1-6 still match the checkpoint of record 6; record 9's does not, and it lists the hashes of records 7-9:
    // the edited record is 8, request 3's row 1 (not the checkpoint's head, 9, nor the first record after 6).
    expect(caught.stdout).toMatch(
      /does NOT match the checkpoint of record 9 signed [0-9T:.Z-]+: the first record whose content no longer matches it is record 8 \(row 1 of request req-3-checkpt\) \(.*; records 1-6 match the checkpoint of record 6\)/,
    );
  });

  test('version 1 checkpoints (the head alone) still verify, and a mismatch names the first record that may differ', async () => {
    const f = await checkpointedStore(4, 1);
    const key = loadPrivateKey(keys.privateKey);
    const v1 = readCheckpoints(f.checkpoints).map(({ checkpoint: c }) => {
      const head = { v: CHECKPOINT_V1, store: c!.store, seq: c!.seq, hash: c!.hash, time: c!.time } as const;
      return JSON.stringify({ ...head, key: c!.key, sig: crypto.sign(null, checkpointMessage(head), key).toString('base64') });
    });
    fs.writeFileSync(f.checkpoints, `${v1.join('\n')}\n`);
    expect(verify(f).status).toBe(0);
    rechain(f.file, (r) => (r.requestId === 'req-3-checkpt' && r.rowNo === 1 ? { ...r, payload: r.payload.replace('610910', '930190') } : r));
    const caught = verify(f);
    expect(caught.status).toBe(3);
    expect(caught.stdout).toMatch(/does NOT match the checkpoint of record 9 .*: the first record that may no longer match is record 7 \(request req-3-checkpt\) \(somewhere in records 7-9/);
  });

  test('the newest requests deleted at a request boundary: exit 3, N records removed', async () => {
    const f = await checkpointedStore(3, 1);
    tamperSql(f.file, 'DELETE FROM records WHERE seq > 3');
    expect(run('verify', '--store', f.file).status).toBe(0); // the chain alone cannot tell
    const caught = verify(f);
    expect(caught.status).toBe(3);
    expect(caught.stdout).toMatch(/6 records removed: the store ends at record 3 but a signed checkpoint covers record 9/);
  });

  test('a cut-off tail followed by new appends (same length again) is caught as a mismatch', async () => {
    const f = await checkpointedStore(2, 1);
    tamperSql(f.file, 'DELETE FROM records WHERE seq > 3');
    const s = new SqliteStore(f.file);
    await s.appendRequest(req('req-2-replaced', 2));
    await s.close();
    const caught = verify(f);
    expect(caught.status).toBe(3);
    expect(caught.stdout).toMatch(/does NOT match the checkpoint of record 6 .*first record whose content no longer matches it is record 4 \(request req-2-replaced\)/);
  });

  test('a forged checkpoint line (edited, or signed with another key) is a failure of its own', async () => {
    const f = await checkpointedStore(2, 1);
    const lines = fs.readFileSync(f.checkpoints, 'utf8').trim().split('\n');
    const c = JSON.parse(lines[1]) as Checkpoint;
    // The attacker re-chains the store and writes a matching checkpoint line without the key.
    rechain(f.file, (r) => (r.rowNo === 1 ? { ...r, payload: r.payload.replace('610910', '930190') } : r));
    const head = new Database(f.file, { readonly: true }).prepare('SELECT hash FROM records WHERE seq = 6').pluck().get() as string;
    const forged = { ...c, hash: head, hashes: c.hashes!.slice(0, -64) + head };
    const byOther = signCheckpoint(loadPrivateKey(other.privateKey), { store: c.store, seq: 6, hash: head, time: c.time, from: c.from!, hashes: forged.hashes });
    fs.writeFileSync(f.checkpoints, [JSON.stringify(forged), JSON.stringify(byOther), 'not json', ''].join('\n'));
    const caught = verify(f);
    expect(caught.status).toBe(3);
    expect(caught.stdout).toMatch(/checkpoint line 1 of .*: bad signature \(record 6\): forged or altered/);
    expect(caught.stdout).toMatch(/checkpoint line 2 of .*: bad signature \(record 6\)/);
    expect(caught.stdout).toMatch(/checkpoint line 3 of .*: not JSON/);
  });

  test('the service refuses to sign a store that no longer matches its last checkpoint', async () => {
    const f = await checkpointedStore(2, 1);
    rechain(f.file, (r) => (r.rowNo === 2 ? { ...r, payload: r.payload.replace('610910', '930190') } : r));
    const store = new SqliteStore(f.file);
    await expect(Checkpointer.open(store, { keyFile: keys.privateKey, file: f.checkpoints, every: 1, storeId: 'x' }, quiet)).rejects.toBeInstanceOf(CheckpointMismatchError);
    await store.close();
    const cli = run('checkpoint', '--store', f.file, '--key', keys.privateKey, '--checkpoints', f.checkpoints);
    expect(cli.status).toBe(3);
    expect(cli.stdout).toMatch(/not signing: the audit store does not match the last checkpoint .*record 6 no longer has the hash/);
  });

  test('the running service never signs a chain changed under it: an edit after the last checkpoint, or a re-chain reaching back before it, is refused and logged; nothing is appended', async () => {
    const running = async (name: string) => {
      const file = path.join(dir, `${name}.sqlite`);
      const checkpoints = path.join(dir, `${name}.jsonl`);
      const errors: string[] = [];
      const raw = new SqliteStore(file);
      const cfg = { keyFile: keys.privateKey, file: checkpoints, every: 6, storeId: name };
      const store = withCheckpoints(raw, await Checkpointer.open(raw, cfg, { info: () => undefined, error: (_o: object, m: string) => void errors.push(m) }));
      for (let i = 1; i <= 3; i++) await store.appendRequest(req(`${name}-${i}-chkpt`, 2)); // a checkpoint at record 6; head 9
      expect(readCheckpoints(checkpoints).map((l) => l.checkpoint?.seq)).toEqual([6]);
      return { file, checkpoints, errors, store, cfg };
    };
    // An edit of record 8 (after the checkpoint of record 6), hashes left as they were.
    const a = await running('edited-live');
    tamperSql(a.file, "UPDATE records SET payload = replace(payload, '610910', '930190') WHERE seq = 8");
    await a.store.appendRequest(req('edited-live-4-chkpt', 2)); // head 12: a checkpoint is due
    await a.store.appendRequest(req('edited-live-5-chkpt', 2));
    await a.store.close(); // and at shutdown
    expect(readCheckpoints(a.checkpoints)).toHaveLength(1);
    expect(a.errors).toHaveLength(2);
    for (const e of a.errors) expect(e).toMatch(/^audit checkpoint refused: the audit store does not verify after record 6 \(record 8: content does not match its hash \(record edited\)\); nothing was signed/);
    // A restart refuses too (the records after the last checkpoint do not verify).
    const again = new SqliteStore(a.file);
    await expect(Checkpointer.open(again, a.cfg, quiet)).rejects.toThrow(/does not verify after the last checkpoint .*\(record 8: content does not match its hash/);
    await again.close();

    // A re-chain that rewrites record 2 (covered by the checkpoint of record 6) while the service runs.
    const b = await running('rechained-live');
    rechain(b.file, (r) => (r.seq === 2 ? { ...r, payload: r.payload.replace('610910', '930190') } : r));
    await b.store.appendRequest(req('rechained-live-4-chkpt', 2));
    await b.store.close();
    expect(readCheckpoints(b.checkpoints)).toHaveLength(1);
    expect(b.errors[0]).toMatch(/^audit checkpoint refused: .*after record 6 \(record 7: prev_hash does not match the previous record's hash\)/);

    // Without any checkpoint yet, the whole chain is verified before the first is signed.
    const c = path.join(dir, 'never-signed.sqlite');
    const s = new SqliteStore(c);
    await s.appendRequest(req('never-signed-01', 2));
    await s.close();
    tamperSql(c, "UPDATE records SET payload = '{}' WHERE seq = 3");
    const t = new SqliteStore(c);
    await expect(Checkpointer.open(t, { ...a.cfg, file: path.join(dir, 'never-signed.jsonl') }, quiet)).rejects.toThrow(/does not verify after its start \(record 3: content does not match its hash/);
    await t.close();
  });

  test('audit checkpoint writes one on demand (after verifying the chain), and says when the head is already covered', async () => {
    const file = path.join(dir, 'demand.sqlite');
    const checkpoints = path.join(dir, 'demand.jsonl');
    const s = new SqliteStore(file);
    await s.appendRequest(req('req-demand-01', 2));
    await s.close();
    const before = sha256File(file);
    const first = run('checkpoint', '--store', file, '--key', keys.privateKey, '--checkpoints', checkpoints);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/checkpoint: record 3, hash [0-9a-f]{64}, signed /);
    expect(sha256File(file)).toBe(before);
    expect(run('checkpoint', '--store', file, '--key', keys.privateKey, '--checkpoints', checkpoints).stdout).toMatch(/record 3 is already covered/);
    expect(readCheckpoints(checkpoints)).toHaveLength(1);
    expect(run('verify', '--store', file, '--checkpoints', checkpoints, '--public-key', keys.publicKey).status).toBe(0);
    // An edit without re-chaining: not signed.
    tamperSql(file, "UPDATE records SET payload = '{}' WHERE seq = 2");
    const refused = run('checkpoint', '--store', file, '--key', keys.privateKey, '--checkpoints', checkpoints);
    expect(refused.status).toBe(3);
    expect(refused.stdout).toMatch(/not signing: audit trail BROKEN at record 2/);
  });
});

describe('audit verify opens the store read-only and refuses what is not a store', () => {
  const oneLine = (r: ReturnType<typeof run>, file: string) => {
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`not an audit store: ${file} (`);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  };
  const sidecars = (file: string) => ['-wal', '-shm', '-journal'].filter((s) => fs.existsSync(file + s));

  test('an empty file: exit 2, one line, the file still empty and nothing created beside it', () => {
    const file = path.join(dir, 'empty.sqlite');
    fs.writeFileSync(file, '');
    oneLine(run('verify', '--store', file), file);
    expect(fs.statSync(file).size).toBe(0);
    expect(sidecars(file)).toEqual([]);
  });

  test('a file that is not SQLite, and a SQLite file without the store tables: exit 2, one line, unchanged', () => {
    const text = path.join(dir, 'notes.sqlite');
    fs.writeFileSync(text, 'these are not the records you are looking for\n'.repeat(100));
    const before = sha256File(text);
    oneLine(run('verify', '--store', text), text);
    expect(sha256File(text)).toBe(before);
    const other = path.join(dir, 'other.sqlite');
    const db = new Database(other);
    db.exec('CREATE TABLE things (x INTEGER)');
    db.close();
    const otherBefore = sha256File(other);
    const r = run('verify', '--store', other);
    oneLine(r, other);
    expect(r.stderr).toMatch(/no records table/);
    expect(sha256File(other)).toBe(otherBefore);
    expect(sidecars(other)).toEqual([]);
  });

  test('a missing file: exit 2, one line, no file created', () => {
    const missing = path.join(dir, 'nowhere.sqlite');
    oneLine(run('verify', '--store', missing), missing);
    expect(fs.existsSync(missing)).toBe(false);
  });

  test('a real store is byte-identical after verify, and verifyChain reads it the same read-only', async () => {
    const file = path.join(dir, 'real.sqlite');
    const s = new SqliteStore(file);
    await s.appendRequest(req('req-real-0001', 3));
    await s.close();
    const before = sha256File(file);
    const r = run('verify', '--store', file);
    expect(r.status).toBe(0);
    expect(sha256File(file)).toBe(before);
    const ro = new SqliteStore(file, { readonly: true });
    expect(await verifyChain(ro)).toMatchObject({ ok: true, records: 4 });
    // (not .rejects.toThrow: better-sqlite3's native binding keeps the error class of the first test file that loaded
    // it in this jest worker, so in a later file the rejection is an Error of another realm and toThrow misses it)
    const refused = await ro.appendRequest(req('req-real-0002', 1)).then(() => null, (e: unknown) => e as Error);
    expect(refused?.message).toMatch(/readonly/);
    await ro.close();
    expect(sha256File(file)).toBe(before);
  });
});

const PG_URL = process.env.TEST_DATABASE_URL;
(PG_URL ? describe : describe.skip)('checkpoints on PostgreSQL (TEST_DATABASE_URL)', () => {
  const schema = `cp_${process.pid}_${Date.now() % 1e6}`;
  afterAll(async () => {
    const c = new Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_empty CASCADE`);
    await c.end();
  });

  test('the same checkpoints, read-only verification and re-chain detection as on SQLite', async () => {
    const checkpoints = path.join(dir, 'pg.jsonl');
    const raw = await PgStore.open(PG_URL!, { schema });
    const store = withCheckpoints(raw, await Checkpointer.open(raw, { keyFile: keys.privateKey, file: checkpoints, every: 3, storeId: 'pg test' }, quiet));
    for (let i = 1; i <= 3; i++) await store.appendRequest(req(`req-${i}-pgcheck`, 2));
    await store.close();
    const pub = loadPublicKey(keys.publicKey);
    const ro = await PgStore.open(PG_URL!, { schema, readonly: true });
    expect(await verifyCheckpoints(ro, readCheckpoints(checkpoints), pub)).toMatchObject({ ok: true, valid: 3 });
    expect(String(await ro.appendRequest(req('req-4-pgcheck', 1)).catch((e) => e.message))).toMatch(/read-only transaction/);
    // Re-chain: edit row 1 of request 2 and recompute every hash.
    const c = new Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
    await c.connect();
    await c.query('ALTER TABLE records DISABLE TRIGGER USER');
    let prev = GENESIS_HASH;
    for (const r of await ro.readRecords(0, 100)) {
      const rec = { ...r, prevHash: prev, payload: r.requestId === 'req-2-pgcheck' && r.rowNo === 1 ? '{"forged":true}' : r.payload };
      prev = recordHash(rec);
      await c.query('UPDATE records SET payload = $1, prev_hash = $2, hash = $3 WHERE seq = $4', [rec.payload, rec.prevHash, prev, r.seq]);
    }
    await c.end();
    expect((await verifyChain(ro)).ok).toBe(true);
    const report = await verifyCheckpoints(ro, readCheckpoints(checkpoints), pub);
    // the edited record itself: request 2 is records 4-6, its row 1 record 5
    expect(report).toMatchObject({ ok: false, mismatch: { lastMatching: 3, firstSeq: 5, exact: true, first: { requestId: 'req-2-pgcheck', kind: 'row', rowNo: 1 } } });
    await ro.close();
    await expect(PgStore.open(PG_URL!, { schema: `${schema}_empty`, readonly: true })).rejects.toThrow(/not an audit store: postgres schema .*_empty \(no records table\)/);
  });
});

describe('the service writes checkpoints (main.ts)', () => {
  test('every AUDIT_CHECKPOINT_EVERY records and at shutdown; it refuses to start on a store rewritten since', async () => {
    const file = path.join(dir, 'service.sqlite');
    const checkpoints = path.join(dir, 'service.jsonl');
    const env = {
      ...process.env,
      HTTP: '1',
      PORT: '0',
      HOST: '127.0.0.1',
      WORKERS: '0',
      LOG_LEVEL: 'silent',
      STATIC_DIR: path.join(dir, 'no-static'),
      SQLITE_PATH: file,
      DATABASE_URL: '',
      API_KEYS: '',
      AUDIT_SIGNING_KEY: keys.privateKey,
      AUDIT_CHECKPOINTS: checkpoints,
      AUDIT_CHECKPOINT_EVERY: '4',
    };
    const s = await start(env);
    const url = `http://127.0.0.1:${(s.server.address() as AddressInfo).port}/api/v1/classify`;
    const post = (n: number) =>
      fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ rows: Array.from({ length: n }, () => ({ description: 'steel bolts' })) }) });
    expect((await post(2)).status).toBe(200); // records 1-3
    expect(readCheckpoints(checkpoints)).toEqual([]);
    expect((await post(1)).status).toBe(200); // records 4-5: 5 >= 0 + 4
    expect(readCheckpoints(checkpoints).map((l) => l.checkpoint!.seq)).toEqual([5]);
    expect((await post(1)).status).toBe(200); // records 6-7
    await s.close(); // the shutdown checkpoint covers 7
    const lines = readCheckpoints(checkpoints);
    expect(lines.map((l) => l.checkpoint!.seq)).toEqual([5, 7]);
    expect(lines[0].checkpoint!.store).toBe(`sqlite ${file}`);
    expect(verify({ file, checkpoints }).status).toBe(0);

    rechain(file, (r) => (r.rowNo === 1 ? { ...r, payload: r.payload.replace(/"status":"\w+"/, '"status":"ok"') + ' ' } : r));
    await expect(start(env)).rejects.toThrow(StartupError);
    await expect(start(env)).rejects.toThrow(/the audit store does not match the last checkpoint in .*service\.jsonl \(record 7 no longer has the hash/);
  });
});
