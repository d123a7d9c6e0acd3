// The audit trail: an append-only chain of records, each carrying a SHA-256 hash over its own content and
// the previous record's hash, so any edit, insertion or removal inside the chain shows up in `verify`.
//
// A request is one 'request' record (its head: ids, versions, options) followed immediately by its 'row'
// records (1..row_count), all appended in ONE transaction: a failure or a kill leaves either all of them or
// none. Feedback is a 'feedback' record whose lookup_key is the normalised description it confirms.
//
// Two implementations share this interface, the hash and the verifier: SQLite (sqlite.ts, the default) and
// PostgreSQL (postgres.ts, when DATABASE_URL is set).
import crypto from 'node:crypto';

export type RecordKind = 'request' | 'row' | 'feedback';

export interface ChainRecord {
  seq: number;
  kind: RecordKind;
  requestId: string;
  /** Row number (1-based) for 'row' records, else null. */
  rowNo: number | null;
  /** Number of 'row' records that follow a 'request' record, else null. */
  rowCount: number | null;
  createdAt: string;
  lookupKey: string | null;
  payload: string;
  prevHash: string;
  hash: string;
}

/** prev_hash of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** The record's hash: SHA-256 over an unambiguous (JSON array) encoding of every field and the previous hash. */
export function recordHash(r: Omit<ChainRecord, 'hash'>): string {
  const material = JSON.stringify([r.seq, r.kind, r.requestId, r.rowNo, r.rowCount, r.createdAt, r.lookupKey, r.payload, r.prevHash]);
  return crypto.createHash('sha256').update(material, 'utf8').digest('hex');
}

export interface NewRequest {
  requestId: string;
  createdAt: string;
  /** JSON text of the request's head. */
  head: string;
  /** JSON text of each row, in order (row numbers 1..n). */
  rows: string[];
}

export interface NewFeedback {
  requestId: string;
  createdAt: string;
  /** The normalised description this feedback is about; later requests look it up. */
  lookupKey: string;
  payload: string;
}

export interface StoredRequest {
  head: string;
  rows: string[];
}

/**
 * Thrown by the reads (getRequest, getRow, findMemory) when a stored record does not match its hash, or its links to
 * the records beside it are wrong: the store was edited behind the service's back. Never served as data.
 */
export class TamperedRecordError extends Error {
  constructor(
    readonly requestId: string,
    readonly seq: number,
    readonly reason: string,
  ) {
    super(`stored record for request ${requestId} failed its hash check (record ${seq}: ${reason}): the audit store may have been tampered with`);
    this.name = 'TamperedRecordError';
  }
}

/**
 * Checks records read back before they are used: each one's hash against its fields, the links between them, and
 * the links to the records just before and after (`before` is record first-1, null when there is none; `after`
 * record last+1, null at the head). `run` must be consecutive records in order. Both stores read through this.
 */
export function checkRun(requestId: string, run: ChainRecord[], before: ChainRecord | null, after: ChainRecord | null): void {
  if (run.length === 0) return;
  const fail = (seq: number, reason: string): never => {
    throw new TamperedRecordError(requestId, seq, reason);
  };
  const first = run[0];
  if (first.seq === 1) {
    if (first.prevHash !== GENESIS_HASH) fail(first.seq, 'the first record does not start from the genesis hash');
  } else if (!before || before.seq !== first.seq - 1) fail(first.seq, `record ${first.seq - 1} before it is missing`);
  else if (first.prevHash !== before.hash) fail(first.seq, "prev_hash does not match the previous record's hash");
  run.forEach((r, i) => {
    if (recordHash(r) !== r.hash) fail(r.seq, 'content does not match its hash');
    if (i > 0) {
      if (r.seq !== run[i - 1].seq + 1) fail(r.seq, `not consecutive with record ${run[i - 1].seq}`);
      if (r.prevHash !== run[i - 1].hash) fail(r.seq, "prev_hash does not match the previous record's hash");
    }
  });
  const last = run[run.length - 1];
  if (after && after.prevHash !== last.hash) fail(after.seq, `prev_hash does not match record ${last.seq}'s hash`);
}

/** checkRun for a whole request as read: its 'request' record, then rows 1..row_count right after it. */
export function checkRequest(requestId: string, recs: ChainRecord[], before: ChainRecord | null, after: ChainRecord | null): void {
  const head = recs[0];
  if (!head || head.kind !== 'request' || head.requestId !== requestId) throw new TamperedRecordError(requestId, head?.seq ?? 0, 'the request record is missing');
  if (head.rowCount !== recs.length - 1) throw new TamperedRecordError(requestId, head.seq, `row_count ${head.rowCount} but ${recs.length - 1} rows stored`);
  recs.slice(1).forEach((r, i) => {
    if (r.kind !== 'row' || r.requestId !== requestId || r.rowNo !== i + 1) throw new TamperedRecordError(requestId, r.seq, `expected row ${i + 1} of the request`);
  });
  checkRun(requestId, recs, before, after);
}

/** Thrown when a store is opened read-only (audit verify) on something that is not an audit store. */
export class NotAStoreError extends Error {
  constructor(
    readonly where: string,
    readonly why: string,
  ) {
    super(`not an audit store: ${where} (${why})`);
    this.name = 'NotAStoreError';
  }
}

/** Thrown by appendRequest when the request id is already in the trail. */
export class DuplicateRequestError extends Error {
  constructor(readonly requestId: string) {
    super(`request id ${requestId} is already recorded`);
    this.name = 'DuplicateRequestError';
  }
}

/**
 * A request too big to hold in memory: its rows are staged in batches (outside the chain, in a table of their own)
 * and recorded by commit() in ONE transaction, request record and rows in order, so the trail still gets the whole
 * request or nothing. Staged rows of a run that died are never part of the chain (and are dropped after a day).
 */
export interface StagedRequest {
  readonly requestId: string;
  /** Rows staged so far. */
  readonly rows: number;
  /** Stages the next rows (JSON text each), numbered on from the last. */
  add(rows: string[]): Promise<void>;
  /** Records the request (head JSON text) with every staged row in one transaction; throws DuplicateRequestError when the id is taken. */
  commit(head: string): Promise<void>;
  /** Drops the staged rows; nothing is recorded. */
  discard(): Promise<void>;
}

/** What a backend does for a staged request; stagedRequest() adds the bookkeeping. */
export interface StagingOps {
  /** Stores rows first..first+batch.length-1 under the token. */
  stage(token: string, first: number, batch: string[]): Promise<void>;
  /** In one transaction: the request record, the token's rows 1..rows in order, the staging dropped. */
  commit(token: string, rows: number, head: string): Promise<void>;
  drop(token: string): Promise<void>;
}

/** The 'row' records of a request. */
export function rowRecords(requestId: string, createdAt: string, rows: { row_no: number; payload: string }[]): Omit<ChainRecord, 'seq' | 'prevHash' | 'hash'>[] {
  return rows.map((p) => ({ kind: 'row', requestId, rowNo: p.row_no, rowCount: null, createdAt, lookupKey: null, payload: p.payload }));
}

export function stagedRequest(requestId: string, ops: StagingOps): StagedRequest {
  const token = crypto.randomUUID();
  let rows = 0;
  let open = true;
  const check = () => {
    if (!open) throw new Error(`request ${requestId} is already committed or discarded`);
  };
  return {
    requestId,
    get rows() {
      return rows;
    },
    async add(batch) {
      check();
      if (batch.length === 0) return;
      const first = rows + 1;
      rows += batch.length;
      await ops.stage(token, first, batch);
    },
    async commit(head) {
      check();
      await ops.commit(token, rows, head);
      open = false;
    },
    async discard() {
      open = false;
      await ops.drop(token);
    },
  };
}

/** Staged rows older than this are leftovers of runs that died, dropped when a store opens. */
export const STAGED_MAX_AGE_MS = 24 * 3600 * 1000;

export interface AuditStore {
  readonly backend: 'sqlite' | 'postgres';
  /** Appends the request and its rows in one transaction. Throws DuplicateRequestError when the id is taken. */
  appendRequest(r: NewRequest): Promise<void>;
  /** Starts a request whose rows are staged in batches and recorded together by commit(). */
  stageRequest(requestId: string, createdAt: string): Promise<StagedRequest>;
  hasRequest(requestId: string): Promise<boolean>;
  /** The request's head and rows exactly as appended, or null when unknown. */
  getRequest(requestId: string): Promise<StoredRequest | null>;
  /** One row's JSON text, or null. */
  getRow(requestId: string, rowNo: number): Promise<string | null>;
  /** Appends one feedback record, or several in one transaction. */
  appendFeedback(f: NewFeedback | NewFeedback[]): Promise<void>;
  /** The latest feedback payload for each of the keys that has one. */
  findMemory(keys: string[]): Promise<Map<string, string>>;
  /** 'feedback' records with seq > afterSeq (default 0), in order, at most `limit` (default all); only those with these lookup keys when given. */
  readFeedback(q: { keys?: string[]; afterSeq?: number; limit?: number }): Promise<ChainRecord[]>;
  /** Records with seq > afterSeq, in order, at most `limit`. */
  readRecords(afterSeq: number, limit: number): Promise<ChainRecord[]>;
  /** The record with this sequence number, or null. */
  readRecord(seq: number): Promise<ChainRecord | null>;
  /** The chain head (last record's seq and hash), or null when the trail is empty. */
  head(): Promise<{ seq: number; hash: string } | null>;
  /** Applied schema migrations, oldest first. */
  migrations(): Promise<number[]>;
  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface VerifyResult {
  ok: boolean;
  records: number;
  requests: number;
  /** The last record of an intact chain: note its hash somewhere else to detect a later removal of the tail. */
  last?: { seq: number; hash: string };
  /** The first broken link, when !ok. */
  broken?: { seq: number; requestId: string; kind: string; rowNo: number | null; reason: string };
}

/**
 * Walks the whole chain; stops at the first broken link and names it. With `from` (a request boundary whose hash is
 * known, e.g. the last signed checkpoint) only the records after it are walked, chained from that hash; with `to`,
 * only up to that record.
 */
export async function verifyChain(store: AuditStore, pageSize = 2000, segment: { from?: { seq: number; hash: string }; to?: number } = {}): Promise<VerifyResult> {
  const start = segment.from ?? { seq: 0, hash: GENESIS_HASH };
  const to = segment.to ?? Infinity;
  let prev: { seq: number; hash: string } = start;
  let records = 0;
  let requests = 0;
  // The request whose rows are expected next, and how many are still due.
  let open: { requestId: string; next: number; count: number } | null = null;
  const fail = (r: ChainRecord, reason: string): VerifyResult => ({
    ok: false,
    records,
    requests,
    broken: { seq: r.seq, requestId: r.requestId, kind: r.kind, rowNo: r.rowNo, reason },
  });
  let last: ChainRecord | null = null;
  for (let after = start.seq; after < to; ) {
    const page = await store.readRecords(after, Math.min(pageSize, to - after));
    if (page.length === 0) break;
    for (const r of page) {
      const expectedSeq = prev.seq + 1;
      if (r.seq !== expectedSeq) return fail(r, `sequence gap: expected record ${expectedSeq}, found ${r.seq} (records removed)`);
      const expectedPrev = prev.hash;
      if (r.prevHash !== expectedPrev) return fail(r, 'prev_hash does not match the previous record\'s hash');
      if (recordHash(r) !== r.hash) return fail(r, 'content does not match its hash (record edited)');
      if (open && (r.kind !== 'row' || r.requestId !== open.requestId || r.rowNo !== open.next)) {
        return fail(r, `request ${open.requestId} is incomplete: expected its row ${open.next} of ${open.count}`);
      }
      if (r.kind === 'row') {
        if (!open) return fail(r, 'row record outside a request');
        open = open.next === open.count ? null : { requestId: open.requestId, next: open.next + 1, count: open.count };
      } else if (r.kind === 'request') {
        requests++;
        if (r.rowCount === null || r.rowCount < 0) return fail(r, 'request record without a row count');
        if (r.rowCount > 0) open = { requestId: r.requestId, next: 1, count: r.rowCount };
      }
      prev = r;
      last = r;
      records++;
      after = r.seq;
    }
  }
  if (open && last) return fail(last, `request ${open.requestId} is incomplete: expected its row ${open.next} of ${open.count}`);
  return { ok: true, records, requests, ...(last ? { last: { seq: last.seq, hash: last.hash } } : {}) };
}
