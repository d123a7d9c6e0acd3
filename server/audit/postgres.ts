// The shared audit store for several instances: PostgreSQL (DATABASE_URL). Same records, same hash chain and
// verifier as SQLite; appends are serialised across instances by a transaction-scoped advisory lock.
import { Pool, type PoolClient } from 'pg';
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
  type StagedRequest,
  type StoredRequest,
  STAGED_MAX_AGE_MS,
  rowRecords,
  stagedRequest,
} from './store';

/** Versioned schema migrations, applied in order, each once (recorded in schema_migrations). */
export const PG_MIGRATIONS: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'hash-chained records',
    sql: `
      CREATE TABLE records (
        seq BIGINT PRIMARY KEY,
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
      CREATE FUNCTION records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'audit records are append-only'; END $$;
      CREATE TRIGGER records_no_update BEFORE UPDATE OR DELETE ON records FOR EACH ROW EXECUTE FUNCTION records_append_only();
      CREATE TRIGGER records_no_truncate BEFORE TRUNCATE ON records FOR EACH STATEMENT EXECUTE FUNCTION records_append_only();
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
        staged_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (token, row_no)
      );
    `,
  },
];

/** Staged rows read per page while committing. */
const STAGE_PAGE = 1000;

/** Advisory lock keys: one for appends, one for migrations. */
const APPEND_LOCK = 734_001;
const MIGRATE_LOCK = 734_002;
/** Rows per INSERT statement. */
const INSERT_CHUNK = 500;

interface Row {
  seq: string;
  kind: ChainRecord['kind'];
  request_id: string;
  row_no: number | null;
  row_count: number | null;
  created_at: string;
  lookup_key: string | null;
  payload: string;
  prev_hash: string;
  hash: string;
}

const toRecord = (x: Row): ChainRecord => ({
  seq: Number(x.seq),
  kind: x.kind,
  requestId: x.request_id,
  rowNo: x.row_no,
  rowCount: x.row_count,
  createdAt: x.created_at,
  lookupKey: x.lookup_key,
  payload: x.payload,
  prevHash: x.prev_hash,
  hash: x.hash,
});

export class PgStore implements AuditStore {
  readonly backend = 'postgres' as const;

  private constructor(private readonly pool: Pool) {}

  /**
   * Connects and migrates. `schema` (default public) keeps separate trails apart, e.g. one per test run. With
   * `readonly` (audit verify) every transaction is read-only, nothing is migrated, and a database without the
   * store's tables throws NotAStoreError.
   */
  static async open(url: string, opts: { schema?: string; readonly?: boolean } = {}): Promise<PgStore> {
    const schema = opts.schema;
    if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`bad schema name ${schema}`);
    const options = [schema ? `-c search_path=${schema}` : '', opts.readonly ? '-c default_transaction_read_only=on' : ''].filter(Boolean).join(' ');
    const pool = new Pool({ connectionString: url, max: 10, ...(options ? { options } : {}) });
    pool.on('error', () => undefined); // an idle client's error must not crash the process; the next query reports it
    const store = new PgStore(pool);
    if (opts.readonly) {
      try {
        const t = (await pool.query("SELECT to_regclass('records') AS r, to_regclass('schema_migrations') AS m")).rows[0];
        if (!t.r || !t.m) throw new NotAStoreError(`postgres${schema ? ` schema ${schema}` : ''}`, `no ${t.r ? 'schema_migrations' : 'records'} table`);
      } catch (e) {
        await pool.end();
        throw e;
      }
      return store;
    }
    try {
      if (schema) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await store.migrate();
      await pool.query(`DELETE FROM staged_rows WHERE staged_at < now() - make_interval(secs => $1)`, [STAGED_MAX_AGE_MS / 1000]);
    } catch (e) {
      await pool.end();
      throw e;
    }
    return store;
  }

  private async tx<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const r = await fn(c);
      await c.query('COMMIT');
      return r;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  private async migrate(): Promise<void> {
    await this.tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATE_LOCK]);
      await c.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
      const applied = new Set((await c.query('SELECT version FROM schema_migrations')).rows.map((r) => r.version as number));
      for (const m of PG_MIGRATIONS) {
        if (applied.has(m.version)) continue;
        await c.query(m.sql);
        await c.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, new Date().toISOString()]);
      }
    });
  }

  /** The chain head, under the append lock (taken here, held to the end of the transaction). */
  private async lockedHead(c: PoolClient): Promise<{ seq: number; prevHash: string }> {
    await c.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
    const head = (await c.query('SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1')).rows[0] as { seq: string; hash: string } | undefined;
    return { seq: head ? Number(head.seq) : 0, prevHash: head?.hash ?? GENESIS_HASH };
  }

  /** Chains records after `at` and inserts them, INSERT_CHUNK per statement; returns the new head. */
  private async chain(c: PoolClient, at: { seq: number; prevHash: string }, recs: Omit<ChainRecord, 'seq' | 'prevHash' | 'hash'>[]): Promise<{ seq: number; prevHash: string }> {
    let { seq, prevHash } = at;
    const all: ChainRecord[] = recs.map((r) => {
      const rec = { ...r, seq: ++seq, prevHash };
      const hash = recordHash(rec);
      prevHash = hash;
      return { ...rec, hash };
    });
    for (let i = 0; i < all.length; i += INSERT_CHUNK) {
      const chunk = all.slice(i, i + INSERT_CHUNK);
      const col = <K extends keyof ChainRecord>(k: K) => chunk.map((r) => r[k]);
      await c.query(
        `INSERT INTO records (seq, kind, request_id, row_no, row_count, created_at, lookup_key, payload, prev_hash, hash)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])`,
        [col('seq'), col('kind'), col('requestId'), col('rowNo'), col('rowCount'), col('createdAt'), col('lookupKey'), col('payload'), col('prevHash'), col('hash')],
      );
    }
    return { seq, prevHash };
  }

  private async appendAll(c: PoolClient, recs: Omit<ChainRecord, 'seq' | 'prevHash' | 'hash'>[]): Promise<void> {
    await this.chain(c, await this.lockedHead(c), recs);
  }

  async stageRequest(requestId: string, createdAt: string): Promise<StagedRequest> {
    return stagedRequest(requestId, {
      stage: async (token, first, batch) => {
        await this.pool.query(
          'INSERT INTO staged_rows (token, row_no, payload) SELECT $1, $2::int + n - 1, p FROM unnest($3::text[]) WITH ORDINALITY AS t(p, n)',
          [token, first, batch],
        );
      },
      commit: async (token, rows, head) => {
        try {
          await this.tx(async (c) => {
            let at = await this.chain(c, await this.lockedHead(c), [{ kind: 'request', requestId, rowNo: null, rowCount: rows, createdAt, lookupKey: null, payload: head }]);
            for (let after = 0; after < rows; ) {
              const part = (await c.query('SELECT row_no, payload FROM staged_rows WHERE token = $1 AND row_no > $2 ORDER BY row_no LIMIT $3', [token, after, STAGE_PAGE]))
                .rows as { row_no: number; payload: string }[];
              if (part.length === 0) throw new Error(`staged rows of request ${requestId} are missing after row ${after}`);
              at = await this.chain(c, at, rowRecords(requestId, createdAt, part));
              after = part[part.length - 1].row_no;
            }
            await c.query('DELETE FROM staged_rows WHERE token = $1', [token]);
          });
        } catch (e) {
          if ((e as { code?: string }).code === '23505' && (await this.hasRequest(requestId))) throw new DuplicateRequestError(requestId);
          throw e;
        }
      },
      drop: async (token) => {
        await this.pool.query('DELETE FROM staged_rows WHERE token = $1', [token]);
      },
    });
  }

  async appendRequest(r: NewRequest): Promise<void> {
    const recs: Omit<ChainRecord, 'seq' | 'prevHash' | 'hash'>[] = [
      { kind: 'request', requestId: r.requestId, rowNo: null, rowCount: r.rows.length, createdAt: r.createdAt, lookupKey: null, payload: r.head },
      ...r.rows.map((payload, i) => ({ kind: 'row' as const, requestId: r.requestId, rowNo: i + 1, rowCount: null, createdAt: r.createdAt, lookupKey: null, payload })),
    ];
    try {
      await this.tx((c) => this.appendAll(c, recs));
    } catch (e) {
      if ((e as { code?: string }).code === '23505' && (await this.hasRequest(r.requestId))) throw new DuplicateRequestError(r.requestId);
      throw e;
    }
  }

  async hasRequest(requestId: string): Promise<boolean> {
    return (await this.pool.query("SELECT 1 FROM records WHERE kind = 'request' AND request_id = $1", [requestId])).rowCount! > 0;
  }

  /** Records first-1 and last+1 (null where there is none), for checking a run's links. */
  private async neighbours(first: number, last: number): Promise<[ChainRecord | null, ChainRecord | null]> {
    const r = (await this.pool.query('SELECT * FROM records WHERE seq = $1 OR seq = $2', [first - 1, last + 1])).rows.map((x) => toRecord(x as Row));
    return [r.find((x) => x.seq === first - 1) ?? null, r.find((x) => x.seq === last + 1) ?? null];
  }

  async getRequest(requestId: string): Promise<StoredRequest | null> {
    const head = (await this.pool.query("SELECT * FROM records WHERE kind = 'request' AND request_id = $1", [requestId])).rows[0] as Row | undefined;
    if (!head) return null;
    const rows = (await this.pool.query("SELECT * FROM records WHERE kind = 'row' AND request_id = $1 ORDER BY row_no", [requestId])).rows.map((x) => toRecord(x as Row));
    const recs = [toRecord(head), ...rows];
    checkRequest(requestId, recs, ...(await this.neighbours(recs[0].seq, recs[recs.length - 1].seq)));
    return { head: head.payload, rows: rows.map((r) => r.payload) };
  }

  async getRow(requestId: string, rowNo: number): Promise<string | null> {
    const x = (await this.pool.query("SELECT * FROM records WHERE kind = 'row' AND request_id = $1 AND row_no = $2", [requestId, rowNo])).rows[0] as Row | undefined;
    if (!x) return null;
    const r = toRecord(x);
    checkRun(requestId, [r], ...(await this.neighbours(r.seq, r.seq)));
    return r.payload;
  }

  async appendFeedback(f: NewFeedback | NewFeedback[]): Promise<void> {
    const all = Array.isArray(f) ? f : [f];
    await this.tx((c) =>
      this.appendAll(c, all.map((x) => ({ kind: 'feedback' as const, requestId: x.requestId, rowNo: null, rowCount: null, createdAt: x.createdAt, lookupKey: x.lookupKey, payload: x.payload }))),
    );
  }

  async findMemory(keys: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (keys.length === 0) return found;
    const r = await this.pool.query(
      "SELECT DISTINCT ON (lookup_key) * FROM records WHERE kind = 'feedback' AND lookup_key = ANY($1::text[]) ORDER BY lookup_key, seq DESC",
      [[...new Set(keys)]],
    );
    for (const x of r.rows as Row[]) {
      const rec = toRecord(x);
      checkRun(rec.requestId, [rec], ...(await this.neighbours(rec.seq, rec.seq)));
      found.set(x.lookup_key as string, x.payload);
    }
    return found;
  }

  async readFeedback(q: { keys?: string[]; afterSeq?: number; limit?: number }): Promise<ChainRecord[]> {
    const keys = q.keys ? [...new Set(q.keys)] : null;
    if (keys && keys.length === 0) return [];
    const r = await this.pool.query(
      `SELECT * FROM records WHERE kind = 'feedback' AND seq > $1${keys ? ' AND lookup_key = ANY($3::text[])' : ''} ORDER BY seq LIMIT $2`,
      [q.afterSeq ?? 0, q.limit ?? null, ...(keys ? [keys] : [])],
    );
    const recs = (r.rows as Row[]).map(toRecord);
    // like every read: each record's hash and its links to the records on either side
    for (const x of recs) checkRun(x.requestId, [x], ...(await this.neighbours(x.seq, x.seq)));
    return recs;
  }

  async readRecords(afterSeq: number, limit: number): Promise<ChainRecord[]> {
    const r = await this.pool.query('SELECT * FROM records WHERE seq > $1 ORDER BY seq LIMIT $2', [afterSeq, limit]);
    return (r.rows as Row[]).map(toRecord);
  }

  async readRecord(seq: number): Promise<ChainRecord | null> {
    const r = (await this.pool.query('SELECT * FROM records WHERE seq = $1', [seq])).rows[0] as Row | undefined;
    return r ? toRecord(r) : null;
  }

  async head(): Promise<{ seq: number; hash: string } | null> {
    const r = (await this.pool.query('SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1')).rows[0] as { seq: string; hash: string } | undefined;
    return r ? { seq: Number(r.seq), hash: r.hash } : null;
  }

  async migrations(): Promise<number[]> {
    return (await this.pool.query('SELECT version FROM schema_migrations ORDER BY version')).rows.map((r) => r.version as number);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
