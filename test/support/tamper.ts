// What an insider with write access to a SQLite audit store can do behind the service's back, for the tests that
// check it no longer goes unnoticed: edit records (with or without their hashes), re-chain the whole store with the
// documented recordHash formula, cut the newest records off. And the signing keys the checkpoints use.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { GENESIS_HASH, recordHash, type ChainRecord } from '../../server/audit/store';
import { toRecord, type Row } from '../../server/audit/sqlite';

const TRIGGERS = `
  CREATE TRIGGER records_no_update BEFORE UPDATE ON records BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
  CREATE TRIGGER records_no_delete BEFORE DELETE ON records BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;`;

/** Runs SQL on the store with the append-only triggers dropped, and puts them back (as a careful attacker would). */
export function tamperSql(file: string, sql: string, ...params: unknown[]): void {
  const db = new Database(file);
  try {
    db.exec('DROP TRIGGER records_no_update; DROP TRIGGER records_no_delete;');
    db.prepare(sql).run(...params);
    db.exec(TRIGGERS);
  } finally {
    db.close();
  }
}

/**
 * Rewrites every record: `edit` may change any record's fields (not seq, prev_hash, hash); then the whole chain is
 * recomputed from the genesis hash with recordHash, so the hash chain verifies again.
 */
export function rechain(file: string, edit: (r: ChainRecord) => ChainRecord): void {
  const db = new Database(file);
  try {
    db.exec('DROP TRIGGER records_no_update; DROP TRIGGER records_no_delete;');
    const rows = db.prepare('SELECT * FROM records ORDER BY seq').all() as Row[];
    const update = db.prepare('UPDATE records SET kind = ?, request_id = ?, row_no = ?, row_count = ?, created_at = ?, lookup_key = ?, payload = ?, prev_hash = ?, hash = ? WHERE seq = ?');
    let prev = GENESIS_HASH;
    db.transaction(() => {
      for (const x of rows) {
        const r = edit(toRecord(x));
        const rec = { ...r, prevHash: prev };
        const hash = recordHash(rec);
        update.run(rec.kind, rec.requestId, rec.rowNo, rec.rowCount, rec.createdAt, rec.lookupKey, rec.payload, prev, hash, x.seq);
        prev = hash;
      }
    })();
    db.exec(TRIGGERS);
  } finally {
    db.close();
  }
}

/** An Ed25519 key pair as PEM files: with openssl when it is installed (as the README tells), else Node's crypto. */
export function makeKeys(dir: string, name = 'audit'): { privateKey: string; publicKey: string } {
  const privateKey = path.join(dir, `${name}-private.pem`);
  const publicKey = path.join(dir, `${name}-public.pem`);
  const gen = spawnSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', privateKey]);
  const pub = gen.status === 0 ? spawnSync('openssl', ['pkey', '-in', privateKey, '-pubout', '-out', publicKey]) : null;
  if (gen.status !== 0 || pub?.status !== 0) {
    const k = crypto.generateKeyPairSync('ed25519');
    fs.writeFileSync(privateKey, k.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    fs.writeFileSync(publicKey, k.publicKey.export({ type: 'spki', format: 'pem' }));
  }
  return { privateKey, publicKey };
}

export const sha256File = (f: string) => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');
