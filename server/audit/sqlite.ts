// The embedded audit store: one SQLite file (WAL), append-only (triggers refuse UPDATE and DELETE), hash-chained.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  DuplicateRequestError,
  GENESIS_HASH,
  NotAStoreError,
  checkRequest,
  checkRun,
  recordHash,
  type AuditStore,
  type ChainRecord,
  type NewFeedback,
  type NewRequest,
  type RecordKind,
  type StagedRequest,
  type StoredRequest,
  STAGED_MAX_AGE_MS,
  rowRecords,
  stagedRequest,
} from './store';

/** Versioned schema migrations, applied in order, each once (recorded in schema_migrations). */
export const SQLITE_MIGRATIONS: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'hash-chained records',
    sql: `
      CREATE TABLE records (
        seq INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('request', 'row', 'feedback')),
        request_id TEXT NOT NULL,
        row_no INTEGER,
        row_count INTEGER,
        created_at TEXT NOT NULL,
        lookup_key TEXT,
        payload TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE UNIQUE INDEX records_request ON records (request_id) WHERE kind = 'request';
      CREATE UNIQUE INDEX records_row ON records (request_id, row_no) WHERE kind = 'row';
      CREATE INDEX records_lookup ON records (lookup_key, seq) WHERE kind = 'feedback';
      CREATE TRIGGER records_no_update BEFORE UPDATE ON records BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
      CREATE TRIGGER records_no_delete BEFORE DELETE ON records BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
    `,
  },
  {
    version: 2,
    name: 'staged rows of big requests',
    sql: `
      CREATE TABLE staged_rows (
        token TEXT NOT NULL,
        row_no INTEGER NOT NULL,
        payload TEXT NOT NULL,
        staged_at TEXT NOT NULL,
        PRIMARY KEY (token, row_no)
      );
    `,
  },
];

/** Records per multi-row INSERT (10 parameters each; SQLite allows 32,766). */
const INSERT_ROWS = 200;
/** Lookup keys per query of readFeedback. */
const KEYS_PER_QUERY = 500;
/** Staged rows read per page while committing. */
const STAGE_PAGE = 1000;

/** A records row as SQLite returns it. */
export interface Row {
  seq: number;
  kind: RecordKind;
  request_id: string;
  row_no: number | null;
  row_count: number | null;
  created_at: string;
  lookup_key: string | null;
  payload: string;
  prev_hash: string;
  hash: string;
}

export const toRecord = (r: Row): ChainRecord => ({
  seq: r.seq,
  kind: r.kind,
  requestId: r.request_id,
  rowNo: r.row_no,
  rowCount: r.row_count,
  createdAt: r.created_at,
  lookupKey: r.lookup_key,
  payload: r.payload,
  prevHash: r.prev_hash,
  hash: r.hash,
});

export class SqliteStore implements AuditStore {
  readonly backend = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly inserts = new Map<number, Database.Statement>();
  private readonly last: Database.Statement;

  /**
   * Opens (creating and migrating when needed) the store at `file`. With `readonly` (audit verify) the file must
   * exist and already be a store: it is opened read-only, nothing is migrated or written, and a file that is not a
   * store throws NotAStoreError.
   */
  constructor(
    readonly file: string,
    opts: { readonly?: boolean } = {},
  ) {
    if (opts.readonly) {
      this.db = SqliteStore.openReadOnly(file);
      this.last = this.db.prepare('SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1');
      return;
    }
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // FULL: a request acknowledged to the caller survives a power cut, not only a killed process.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 10000');
    this.migrate();
    this.db.prepare('DELETE FROM staged_rows WHERE staged_at < ?').run(new Date(Date.now() - STAGED_MAX_AGE_MS).toISOString());
    this.last = this.db.prepare('SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1');
  }

  private static openReadOnly(file: string): Database.Database {
    if (!fs.existsSync(file)) throw new NotAStoreError(file, 'no such file');
    if (!fs.statSync(file).isFile()) throw new NotAStoreError(file, 'not a regular file');
    if (fs.statSync(file).size === 0) throw new NotAStoreError(file, 'empty file');
    let db: Database.Database | null = null;
    try {
      db = new Database(file, { readonly: true, fileMustExist: true });
      const tables = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
      for (const t of ['records', 'schema_migrations']) if (!tables.has(t)) throw new NotAStoreError(file, `no ${t} table`);
      return db;
    } catch (e) {
      db?.close();
      if (e instanceof NotAStoreError) throw e;
      throw new NotAStoreError(file, (e as Error).message);
    }
  }

  private migrate(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    const applied = new Set(this.db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
    for (const m of SQLITE_MIGRATIONS) {
      if (applied.has(m.version)) continue;
      this.db
        .transaction(() => {
          this.db.exec(m.sql);
          this.db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
        })
        .immediate();
    }
  }

  /** INSERT of n records in one statement (prepared once per n). */
  private insertOf(n: number): Database.Statement {
    let st = this.inserts.get(n);
    if (!st) {
      st = this.db.prepare(
        `INSERT INTO records (seq, kind, request_id, row_no, row_count, created_at, lookup_key, payload, prev_hash, hash) VALUES ${Array(n).fill('(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      );
      this.inserts.set(n, st);
    }
    return st;
  }

  /** The chain head: the last record's seq and hash. */
  private chainHead(): { seq: number; prevHash: string } {
    const h = this.last.get() as { seq: number; hash: string } | undefined;
    return { seq: h?.seq ?? 0, prevHash: h?.hash ?? GENESIS_HASH };
  }

  /** Chains records after `at` and inserts them, many per statement; returns the new head. Inside an IMMEDIATE transaction. */
  private chain(at: { seq: number; prevHash: string }, recs: Omit<ChainRecord, 'seq' | 'prevHash' | 'hash'>[]): { seq: number; prevHash: string } {
    let { seq, prevHash } = at;
    for (let i = 0; i < recs.length; i += INSERT_ROWS) {
      const part = recs.slice(i, i + INSERT_ROWS);
      const params: unknown[] = [];
      for (const r of part) {
        const rec = { ...r, seq: ++seq, prevHash };
        const hash = recordHash(rec);
        params.push(rec.seq, rec.kind, rec.requestId, rec.rowNo, rec.rowCount, rec.createdAt, rec.lookupKey, rec.payload, rec.prevHash, hash);
        prevHash = hash;
      }
      this.insertOf(part.length).run(...params);
    }
    return { seq, prevHash };
  }

  /** Appends records after the current chain head; must run inside an IMMEDIATE transaction. */
  private appendAll(recs: Omit<ChainRecord, 'seq' | 'prevHash' | 'hash'>[]): void {
    this.chain(this.chainHead(), recs);
  }

  async stageRequest(requestId: string, createdAt: string): Promise<StagedRequest> {
    const stage = this.db.prepare('INSERT INTO staged_rows (token, row_no, payload, staged_at) VALUES (?, ?, ?, ?)');
    const page = this.db.prepare('SELECT row_no, payload FROM staged_rows WHERE token = ? AND row_no > ? ORDER BY row_no LIMIT ?');
    const drop = this.db.prepare('DELETE FROM staged_rows WHERE token = ?');
    return stagedRequest(requestId, {
      stage: async (token, first, batch) => {
        const at = new Date().toISOString();
        this.db.transaction(() => batch.forEach((payload, i) => stage.run(token, first + i, payload, at)))();
      },
      commit: async (token, rows, head) => {
        try {
          this.db
            .transaction(() => {
              let at = this.chain(this.chainHead(), [{ kind: 'request', requestId, rowNo: null, rowCount: rows, createdAt, lookupKey: null, payload: head }]);
              for (let after = 0; after < rows; ) {
                const part = page.all(token, after, STAGE_PAGE) as { row_no: number; payload: string }[];
                if (part.length === 0) throw new Error(`staged rows of request ${requestId} are missing after row ${after}`);
                at = this.chain(at, rowRecords(requestId, createdAt, part));
                after = part[part.length - 1].row_no;
              }
              drop.run(token);
            })
            .immediate();
        } catch (e) {
          if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' && (await this.hasRequest(requestId))) throw new DuplicateRequestError(requestId);
          throw e;
        }
      },
      drop: async (token) => {
        drop.run(token);
      },
    });
  }

  /** The request record and its rows, unchained. */
  private static requestRecords(r: NewRequest): Omit<ChainRecord, 'seq' | 'prevHash' | 'hash'>[] {
    return [
      { kind: 'request', requestId: r.requestId, rowNo: null, rowCount: r.rows.length, createdAt: r.createdAt, lookupKey: null, payload: r.head },
      ...r.rows.map((payload, i) => ({
        kind: 'row' as const,
        requestId: r.requestId,
        rowNo: i + 1,
        rowCount: null,
        createdAt: r.createdAt,
        lookupKey: null,
        payload,
      })),
    ];
  }

  /** A failed append as the caller should see it: a taken id is a DuplicateRequestError. */
  private appendError(r: NewRequest, e: unknown): unknown {
    const taken = (e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' && this.db.prepare("SELECT 1 FROM records WHERE kind = 'request' AND request_id = ?").get(r.requestId) !== undefined;
    return taken ? new DuplicateRequestError(r.requestId) : e;
  }

  async appendRequest(r: NewRequest): Promise<void> {
    const recs = SqliteStore.requestRecords(r);
    try {
      this.db.transaction(() => this.appendAll(recs)).immediate();
    } catch (e) {
      throw this.appendError(r, e);
    }
  }

  /**
   * Group commit: several requests in ONE transaction (one fsync), each in a savepoint of its own, so a request that
   * fails (a taken id) is rolled back alone and every other one is recorded whole. Returns, per request, null when it
   * was recorded or the error it failed with; throws (nothing recorded) when the transaction itself fails.
   */
  appendRequests(rs: NewRequest[]): (unknown | null)[] {
    const one = this.db.transaction((r: NewRequest) => this.appendAll(SqliteStore.requestRecords(r)));
    return this.db
      .transaction(() =>
        rs.map((r) => {
          try {
            one(r); // nested: a savepoint
            return null;
          } catch (e) {
            return this.appendError(r, e);
          }
        }),
      )
      .immediate();
  }

  async hasRequest(requestId: string): Promise<boolean> {
    return this.db.prepare("SELECT 1 FROM records WHERE kind = 'request' AND request_id = ?").get(requestId) !== undefined;
  }

  /** Records first-1 and last+1 (null where there is none), for checking a run's links. */
  private neighbours(first: number, last: number): [ChainRecord | null, ChainRecord | null] {
    const st = this.db.prepare('SELECT * FROM records WHERE seq = ?');
    const get = (seq: number) => {
      const r = st.get(seq) as Row | undefined;
      return r ? toRecord(r) : null;
    };
    return [first > 1 ? get(first - 1) : null, get(last + 1)];
  }

  async getRequest(requestId: string): Promise<StoredRequest | null> {
    const head = this.db.prepare("SELECT * FROM records WHERE kind = 'request' AND request_id = ?").get(requestId) as Row | undefined;
    if (head === undefined) return null;
    const rows = (this.db.prepare("SELECT * FROM records WHERE kind = 'row' AND request_id = ? ORDER BY row_no").all(requestId) as Row[]).map(toRecord);
    const recs = [toRecord(head), ...rows];
    checkRequest(requestId, recs, ...this.neighbours(recs[0].seq, recs[recs.length - 1].seq));
    return { head: head.payload, rows: rows.map((r) => r.payload) };
  }

  async getRow(requestId: string, rowNo: number): Promise<string | null> {
    const r = this.db.prepare("SELECT * FROM records WHERE kind = 'row' AND request_id = ? AND row_no = ?").get(requestId, rowNo) as Row | undefined;
    if (!r) return null;
    checkRun(requestId, [toRecord(r)], ...this.neighbours(r.seq, r.seq));
    return r.payload;
  }

  async appendFeedback(f: NewFeedback | NewFeedback[]): Promise<void> {
    const all = Array.isArray(f) ? f : [f];
    this.db
      .transaction(() =>
        this.appendAll(all.map((x) => ({ kind: 'feedback' as const, requestId: x.requestId, rowNo: null, rowCount: null, createdAt: x.createdAt, lookupKey: x.lookupKey, payload: x.payload }))),
      )
      .immediate();
  }

  async findMemory(keys: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const stmt = this.db.prepare("SELECT * FROM records WHERE kind = 'feedback' AND lookup_key = ? ORDER BY seq DESC LIMIT 1");
    for (const k of new Set(keys)) {
      const r = stmt.get(k) as Row | undefined;
      if (r === undefined) continue;
      checkRun(r.request_id, [toRecord(r)], ...this.neighbours(r.seq, r.seq));
      found.set(k, r.payload);
    }
    return found;
  }

  async readRecord(seq: number): Promise<ChainRecord | null> {
    const r = this.db.prepare('SELECT * FROM records WHERE seq = ?').get(seq) as Row | undefined;
    return r ? toRecord(r) : null;
  }

  async head(): Promise<{ seq: number; hash: string } | null> {
    return (this.last.get() as { seq: number; hash: string } | undefined) ?? null;
  }

  async readFeedback(q: { keys?: string[]; afterSeq?: number; limit?: number }): Promise<ChainRecord[]> {
    const after = q.afterSeq ?? 0;
    const limit = q.limit ?? -1;
    // like every read: each record's hash and its links to the records on either side
    const checked = (rows: Row[]) =>
      rows.map((r) => {
        const x = toRecord(r);
        checkRun(x.requestId, [x], ...this.neighbours(x.seq, x.seq));
        return x;
      });
    if (!q.keys) return checked(this.db.prepare("SELECT * FROM records WHERE kind = 'feedback' AND seq > ? ORDER BY seq LIMIT ?").all(after, limit) as Row[]);
    // by key, in parts (SQLite limits the parameters of a statement), merged back into chain order
    const keys = [...new Set(q.keys)];
    const found: Row[] = [];
    for (let i = 0; i < keys.length; i += KEYS_PER_QUERY) {
      const part = keys.slice(i, i + KEYS_PER_QUERY);
      const sql = `SELECT * FROM records WHERE kind = 'feedback' AND seq > ? AND lookup_key IN (${part.map(() => '?').join(', ')}) ORDER BY seq LIMIT ?`;
      found.push(...(this.db.prepare(sql).all(after, ...part, limit) as Row[]));
    }
    found.sort((a, b) => a.seq - b.seq);
    return checked(limit >= 0 ? found.slice(0, limit) : found);
  }

  async readRecords(afterSeq: number, limit: number): Promise<ChainRecord[]> {
    const rows = this.db.prepare('SELECT * FROM records WHERE seq > ? ORDER BY seq LIMIT ?').all(afterSeq, limit) as Row[];
    return rows.map(toRecord);
  }

  async migrations(): Promise<number[]> {
    return this.db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all() as number[];
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
