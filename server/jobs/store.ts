// Where bulk jobs are kept: their state, progress, input and (for workbooks) result, in a `jobs` table of the same
// database as the audit trail (SQLite file or PostgreSQL). Not part of the audit chain: a job's classifications
// are recorded there as one request whose id is the job's id, exactly once however often the job is attempted.
import Database from 'better-sqlite3';
import { Pool } from 'pg';

export type JobState = 'queued' | 'active' | 'completed' | 'failed';
export type JobKind = 'rows' | 'file';

export interface JobRecord {
  id: string;
  kind: JobKind;
  state: JobState;
  /** JSON text of the job's options (country; for files the column options of review and the file name). */
  options: string;
  done: number;
  total: number | null;
  attempts: number;
  /** The instance working it (or that last did). */
  worker: string | null;
  error: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  hasResult: boolean;
}

export interface NewJob {
  id: string;
  kind: JobKind;
  options: string;
  input: Buffer;
  total: number | null;
  createdAt: string;
}

export interface JobStore {
  create(j: NewJob): Promise<void>;
  get(id: string): Promise<JobRecord | null>;
  input(id: string): Promise<Buffer | null>;
  result(id: string): Promise<Buffer | null>;
  /** A new attempt by `worker`: state active, attempts + 1. Returns the record, or null when the job is finished or unknown. */
  start(id: string, worker: string): Promise<JobRecord | null>;
  progress(id: string, done: number, total: number | null): Promise<void>;
  saveResult(id: string, body: Buffer): Promise<void>;
  finish(id: string, state: 'completed' | 'failed' | 'queued', error: string | null): Promise<void>;
  /** Jobs not finished (queued or active), oldest first: what an in-process runner takes up again after a restart. */
  unfinished(): Promise<string[]>;
  close(): Promise<void>;
}

interface Row {
  id: string;
  kind: JobKind;
  state: JobState;
  options: string;
  done: number | string;
  total: number | string | null;
  attempts: number;
  worker: string | null;
  error: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  has_result: number | boolean;
}

const COLUMNS = 'id, kind, state, options, done, total, attempts, worker, error, created_at, updated_at, finished_at, (result IS NOT NULL) AS has_result';

const toRecord = (r: Row): JobRecord => ({
  id: r.id,
  kind: r.kind,
  state: r.state,
  options: r.options,
  done: Number(r.done),
  total: r.total === null ? null : Number(r.total),
  attempts: r.attempts,
  worker: r.worker,
  error: r.error,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  finishedAt: r.finished_at,
  hasResult: Boolean(r.has_result),
});

const now = () => new Date().toISOString();

/** The table, in SQL both databases take (BYTEA / BLOB chosen by the caller). */
const table = (blob: string) => `
  CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('rows', 'file')),
    state TEXT NOT NULL CHECK (state IN ('queued', 'active', 'completed', 'failed')),
    options TEXT NOT NULL,
    input ${blob} NOT NULL,
    result ${blob},
    done BIGINT NOT NULL DEFAULT 0,
    total BIGINT,
    attempts INTEGER NOT NULL DEFAULT 0,
    worker TEXT,
    error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    finished_at TEXT
  )`;

/** What the job store needs of a database: statements written with `?` placeholders. */
interface Sql {
  all(sql: string, params: unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

function sqliteSql(file: string): Sql {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 10000');
  db.exec(table('BLOB'));
  return {
    all: async (sql, params) => {
      const st = db.prepare(sql);
      return st.reader ? (st.all(...params) as Record<string, unknown>[]) : (st.run(...params), []);
    },
    close: async () => {
      if (db.open) db.close();
    },
  };
}

async function pgSql(url: string): Promise<Sql> {
  const pool = new Pool({ connectionString: url, max: 4 });
  pool.on('error', () => undefined); // an idle client's error must not crash the process
  try {
    await pool.query(table('BYTEA'));
  } catch (e) {
    await pool.end();
    throw e;
  }
  return {
    all: async (sql, params) => {
      let n = 0;
      return (await pool.query(sql.replace(/\?/g, () => `$${++n}`), params)).rows;
    },
    close: () => pool.end(),
  };
}

export class SqlJobStore implements JobStore {
  private constructor(private readonly db: Sql) {}

  /** The jobs table in the SQLite file of the audit trail. */
  static sqlite(file: string): SqlJobStore {
    return new SqlJobStore(sqliteSql(file));
  }

  /** The jobs table in the PostgreSQL database of the audit trail. */
  static async postgres(url: string): Promise<SqlJobStore> {
    return new SqlJobStore(await pgSql(url));
  }

  private async one(sql: string, params: unknown[]): Promise<Record<string, unknown> | undefined> {
    return (await this.db.all(sql, params))[0];
  }

  async create(j: NewJob): Promise<void> {
    await this.db.all("INSERT INTO jobs (id, kind, state, options, input, total, created_at, updated_at) VALUES (?, ?, 'queued', ?, ?, ?, ?, ?)", [
      j.id,
      j.kind,
      j.options,
      j.input,
      j.total,
      j.createdAt,
      j.createdAt,
    ]);
  }

  async get(id: string): Promise<JobRecord | null> {
    const r = await this.one(`SELECT ${COLUMNS} FROM jobs WHERE id = ?`, [id]);
    return r ? toRecord(r as unknown as Row) : null;
  }

  async input(id: string): Promise<Buffer | null> {
    return ((await this.one('SELECT input FROM jobs WHERE id = ?', [id]))?.input as Buffer | undefined) ?? null;
  }

  async result(id: string): Promise<Buffer | null> {
    return ((await this.one('SELECT result FROM jobs WHERE id = ?', [id]))?.result as Buffer | null | undefined) ?? null;
  }

  async start(id: string, worker: string): Promise<JobRecord | null> {
    const r = await this.one(
      `UPDATE jobs SET state = 'active', attempts = attempts + 1, worker = ?, error = NULL, updated_at = ?
       WHERE id = ? AND state IN ('queued', 'active') RETURNING ${COLUMNS}`,
      [worker, now(), id],
    );
    return r ? toRecord(r as unknown as Row) : null;
  }

  async progress(id: string, done: number, total: number | null): Promise<void> {
    await this.db.all('UPDATE jobs SET done = ?, total = ?, updated_at = ? WHERE id = ?', [done, total, now(), id]);
  }

  async saveResult(id: string, body: Buffer): Promise<void> {
    await this.db.all('UPDATE jobs SET result = ?, updated_at = ? WHERE id = ?', [body, now(), id]);
  }

  async finish(id: string, state: 'completed' | 'failed' | 'queued', error: string | null): Promise<void> {
    const t = now();
    await this.db.all('UPDATE jobs SET state = ?, error = ?, updated_at = ?, finished_at = ? WHERE id = ?', [state, error, t, state === 'queued' ? null : t, id]);
  }

  async unfinished(): Promise<string[]> {
    return (await this.db.all("SELECT id FROM jobs WHERE state IN ('queued', 'active') ORDER BY created_at, id", [])).map((r) => r.id as string);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
