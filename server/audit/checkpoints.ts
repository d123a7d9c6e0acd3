// Signed checkpoints of the audit chain: tamper evidence that someone with write access to the store cannot forge.
//
// The hash chain alone shows an edit only to someone who does not recompute the hashes; recordHash is documented,
// so an insider can edit a record and re-chain everything after it, or cut the newest records off. A checkpoint is
// the chain head (sequence number and hash) signed with an Ed25519 key the store's writers do not have, written to
// a file outside the store (and the log). Because each hash covers every record before it, a checkpoint commits to
// the whole prefix 1..seq: `hs-classify audit verify --checkpoints FILE --public-key FILE` re-verifies the chain and
// checks that the record at each checkpoint's sequence still has the signed hash, and that none was cut off.
// (Certificate Transparency's signed tree heads, without the Merkle tree: no consistency proofs, the whole prefix is
// re-verified instead.)
//
// One line of AUDIT_CHECKPOINTS per checkpoint:
//   {"v":"hs-classify-checkpoint/2","store":"sqlite ./data/audit.sqlite","seq":1000,"hash":"<64 hex>",
//    "time":"2026-12-02T13:00:00.000Z","from":1,"hashes":"<64 hex per record from..seq>","key":"<key id>",
//    "sig":"<base64 Ed25519 signature>"}
// The signature is over checkpointMessage(): the UTF-8 JSON array [v, store, seq, hash, time, from, sha256(hashes)].
// `hashes` are the chain hashes of the records since the previous checkpoint (at most MAX_LISTED of them): with
// them verify names the very record whose content no longer matches, since an edit changes that record's hash
// and, re-chained, every later one. Version 1 lines (the head alone) are still read and verified.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { GENESIS_HASH, verifyChain, type AuditStore, type ChainRecord, type StagedRequest } from './store';

export const CHECKPOINT_VERSION = 'hs-classify-checkpoint/2';
/** The first version: the head only, without the record hashes (still verified). */
export const CHECKPOINT_V1 = 'hs-classify-checkpoint/1';
/** At most this many record hashes in one checkpoint (the first checkpoint of a long store lists its newest ones). */
export const MAX_LISTED = 100_000;
/** Records between two checkpoints by default (AUDIT_CHECKPOINT_EVERY). */
export const DEFAULT_CHECKPOINT_EVERY = 1000;

export const Checkpoint = z
  .object({
    v: z.enum([CHECKPOINT_VERSION, CHECKPOINT_V1]),
    store: z.string(),
    seq: z.number().int().min(1),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
    time: z.string(),
    from: z.number().int().min(1).optional(),
    hashes: z.string().regex(/^(?:[0-9a-f]{64})+$/).optional(),
    key: z.string(),
    sig: z.string(),
  })
  .strict()
  .refine((c) => (c.v === CHECKPOINT_V1 ? c.from === undefined && c.hashes === undefined : c.from !== undefined && c.hashes !== undefined && c.hashes.length / 64 === c.seq - c.from + 1 && c.hashes.endsWith(c.hash)), {
    message: 'version 2 needs from and the hashes of records from..seq, the last one the signed hash; version 1 has neither',
  });
export type Checkpoint = z.infer<typeof Checkpoint>;

/** A problem with the keys, the checkpoint file or the configuration (a clear one-line message). */
export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

/** The store no longer holds what a checkpoint signed (the service refuses to start; `audit checkpoint` to sign). */
export class CheckpointMismatchError extends CheckpointError {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointMismatchError';
  }
}

/** The signed bytes: an unambiguous JSON array with the version tag first (version 2 adds from and the hashes' SHA-256). */
export function checkpointMessage(c: Pick<Checkpoint, 'v' | 'store' | 'seq' | 'hash' | 'time' | 'from' | 'hashes'>): Buffer {
  const fields: unknown[] = [c.v, c.store, c.seq, c.hash, c.time];
  if (c.v !== CHECKPOINT_V1) fields.push(c.from, crypto.createHash('sha256').update(c.hashes ?? '', 'utf8').digest('hex'));
  return Buffer.from(JSON.stringify(fields), 'utf8');
}

/** A short identifier of a public key: the first 16 hex digits of the SHA-256 of its SubjectPublicKeyInfo. */
export function keyId(pub: crypto.KeyObject): string {
  return crypto.createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

function readKeyFile(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new CheckpointError(`cannot read the ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

const ed25519 = (k: crypto.KeyObject, file: string, what: string) => {
  if (k.asymmetricKeyType !== 'ed25519') throw new CheckpointError(`${file} is a ${k.asymmetricKeyType} key, not the Ed25519 ${what} the checkpoints need`);
  return k;
};

const HOW = {
  private: (f: string) => `openssl genpkey -algorithm ed25519 -out ${f}`,
  public: (f: string) => `openssl pkey -in private.pem -pubout -out ${f}`,
};

function loadKey(file: string, kind: 'private' | 'public'): crypto.KeyObject {
  const pem = readKeyFile(file, kind === 'private' ? 'signing key' : 'public key');
  try {
    return ed25519(kind === 'private' ? crypto.createPrivateKey(pem) : crypto.createPublicKey(pem), file, `${kind} key`);
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError(`${file} is not a PEM ${kind} key (${HOW[kind](path.basename(file))})`);
  }
}

/** The Ed25519 private key of a PEM file (as `openssl genpkey -algorithm ed25519` writes it). */
export const loadPrivateKey = (file: string) => loadKey(file, 'private');

/** The Ed25519 public key of a PEM file (`openssl pkey -in private.pem -pubout`). */
export const loadPublicKey = (file: string) => loadKey(file, 'public');

/** Signs the head `seq`/`hash` with the hashes of records from..seq (concatenated, the last one `hash`). */
export function signCheckpoint(key: crypto.KeyObject, head: { store: string; seq: number; hash: string; time: string; from: number; hashes: string }): Checkpoint {
  const pub = crypto.createPublicKey(key);
  const c = { v: CHECKPOINT_VERSION, store: head.store, seq: head.seq, hash: head.hash, time: head.time, from: head.from, hashes: head.hashes } as const;
  const sig = crypto.sign(null, checkpointMessage(c), key).toString('base64');
  return { ...c, key: keyId(pub), sig };
}

/** The chain hashes of records after..to, concatenated, checked to link from `after`'s hash to `toHash`; null when they do not. */
export async function listedHashes(store: AuditStore, after: { seq: number; hash: string }, to: { seq: number; hash: string }): Promise<string | null> {
  const parts: string[] = [];
  let prev = after;
  while (prev.seq < to.seq) {
    const page = await store.readRecords(prev.seq, Math.min(2000, to.seq - prev.seq));
    if (page.length === 0) return null;
    for (const r of page) {
      if (r.seq !== prev.seq + 1 || r.prevHash !== prev.hash) return null;
      parts.push(r.hash);
      prev = r;
    }
  }
  return prev.hash === to.hash ? parts.join('') : null;
}

export function signatureValid(pub: crypto.KeyObject, c: Checkpoint): boolean {
  try {
    return crypto.verify(null, checkpointMessage(c), pub, Buffer.from(c.sig, 'base64'));
  } catch {
    return false;
  }
}

/** Appends one checkpoint line and fsyncs the file (and its directory when the file is new). */
export function appendCheckpoint(file: string, c: Checkpoint): void {
  const isNew = !fs.existsSync(file);
  const fd = fs.openSync(file, 'a', 0o644);
  try {
    fs.writeSync(fd, `${JSON.stringify(c)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  if (isNew) {
    const dir = fs.openSync(path.dirname(path.resolve(file)), 'r');
    try {
      fs.fsyncSync(dir);
    } finally {
      fs.closeSync(dir);
    }
  }
}

/** One line of a checkpoint file: the checkpoint, or why the line is not one. */
export interface CheckpointLine {
  line: number;
  checkpoint?: Checkpoint;
  problem?: string;
}

/** The lines of a checkpoint file (blank lines skipped). A missing or unreadable file is a CheckpointError. */
export function readCheckpoints(file: string): CheckpointLine[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new CheckpointError(`cannot read the checkpoint file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const out: CheckpointLine[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch {
      out.push({ line: i + 1, problem: 'not JSON' });
      return;
    }
    const r = Checkpoint.safeParse(v);
    out.push(r.success ? { line: i + 1, checkpoint: r.data } : { line: i + 1, problem: `not a checkpoint (${r.error.issues[0].path.join('.') || 'line'}: ${r.error.issues[0].message})` });
  });
  return out;
}

export interface CheckpointConfig {
  /** PEM file of the Ed25519 private key (AUDIT_SIGNING_KEY). */
  keyFile: string;
  /** The checkpoint file, outside the store (AUDIT_CHECKPOINTS). */
  file: string;
  /** A checkpoint every this many records (AUDIT_CHECKPOINT_EVERY). */
  every: number;
  /** Names the store in each checkpoint (AUDIT_STORE_ID, default the store's description). */
  storeId: string;
}

/** The checkpoint settings of the environment, or null when AUDIT_SIGNING_KEY is not set. */
export function checkpointConfig(env: NodeJS.ProcessEnv, defaultStoreId: string): CheckpointConfig | null {
  if (!env.AUDIT_SIGNING_KEY) {
    if (env.AUDIT_CHECKPOINTS) throw new CheckpointError('AUDIT_CHECKPOINTS is set but AUDIT_SIGNING_KEY is not: set both (the PEM private key and the checkpoint file) or neither');
    return null;
  }
  if (!env.AUDIT_CHECKPOINTS) throw new CheckpointError('AUDIT_SIGNING_KEY is set but AUDIT_CHECKPOINTS is not: name the file the signed checkpoints are appended to (outside the store)');
  const every = env.AUDIT_CHECKPOINT_EVERY ? Number(env.AUDIT_CHECKPOINT_EVERY) : DEFAULT_CHECKPOINT_EVERY;
  if (!Number.isInteger(every) || every < 1) throw new CheckpointError(`AUDIT_CHECKPOINT_EVERY must be a positive whole number, not "${env.AUDIT_CHECKPOINT_EVERY}"`);
  return { keyFile: env.AUDIT_SIGNING_KEY, file: env.AUDIT_CHECKPOINTS, every, storeId: env.AUDIT_STORE_ID || defaultStoreId };
}

/** The last checkpoint of the file signed by `pub` (ignoring lines that are not, or not by that key), or null. */
export function lastCheckpoint(file: string, pub: crypto.KeyObject): Checkpoint | null {
  if (!fs.existsSync(file)) return null;
  const own = keyId(pub);
  let last: Checkpoint | null = null;
  for (const l of readCheckpoints(file)) {
    const c = l.checkpoint;
    if (c && c.key === own && signatureValid(pub, c) && (!last || c.seq >= last.seq)) last = c;
  }
  return last;
}

/**
 * Whether the store still holds what a checkpoint signed: its head is at least at the checkpoint's sequence and
 * the record there has the signed hash (one read: the hash covers every record before it). Null when it does, else why not.
 */
export async function checkpointMismatch(store: AuditStore, c: Checkpoint): Promise<string | null> {
  const head = await store.head();
  if (!head || head.seq < c.seq) return `the store ends at record ${head?.seq ?? 0} but the checkpoint of ${c.time} covers record ${c.seq}: ${c.seq - (head?.seq ?? 0)} records removed`;
  const r = await store.readRecord(c.seq);
  if (!r) return `record ${c.seq}, covered by the checkpoint of ${c.time}, is missing`;
  if (r.hash !== c.hash) return `record ${c.seq} no longer has the hash the checkpoint of ${c.time} signed: records up to it were edited, inserted or removed and the chain recomputed`;
  return null;
}

export interface Logish {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Writes checkpoints for one store: every `every` records (maybe(), after each append) and on demand (checkpoint(),
 * at shutdown). One per process and store; its state is its own (the last sequence it checkpointed).
 */
export class Checkpointer {
  private lastSeq = 0;
  /**
   * The last record known to be intact (its hash): the last checkpoint this process signed or found, or the head it
   * verified at open(). Before signing, the records after it are verified to chain from it.
   */
  private known = { seq: 0, hash: GENESIS_HASH };
  /** Why the last attempt to sign was refused: the every-N checkpoints stop (the chain does not mend itself). */
  private refused: string | null = null;
  private busy: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly store: AuditStore,
    private readonly cfg: CheckpointConfig,
    private readonly key: crypto.KeyObject,
    private readonly log: Logish,
  ) {}

  /**
   * Loads the key and checks the checkpoint file can be appended to. Refuses (CheckpointMismatchError) when the store
   * no longer holds what the file's last checkpoint signed, or when the records after it (all of them when there is
   * none) do not verify: the service must not sign a rewritten or broken chain.
   */
  static async open(store: AuditStore, cfg: CheckpointConfig, log: Logish): Promise<Checkpointer> {
    const key = loadPrivateKey(cfg.keyFile);
    try {
      fs.closeSync(fs.openSync(cfg.file, 'a', 0o644));
    } catch (e) {
      throw new CheckpointError(`cannot append to the checkpoint file ${cfg.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const cp = new Checkpointer(store, cfg, key, log);
    const last = lastCheckpoint(cfg.file, crypto.createPublicKey(key));
    if (last) {
      const why = await checkpointMismatch(store, last);
      if (why) throw new CheckpointMismatchError(`the audit store does not match the last checkpoint in ${cfg.file} (${why}); run hs-classify audit verify --checkpoints ${cfg.file} --public-key <public key>`);
      cp.lastSeq = last.seq;
      cp.known = { seq: last.seq, hash: last.hash };
    }
    const head = await store.head();
    if (head) {
      const why = await cp.brokenSince(head);
      if (why) throw new CheckpointMismatchError(`the audit store does not verify after ${last ? `the last checkpoint in ${cfg.file}` : 'its start'} (${why}); run hs-classify audit verify`);
    }
    return cp;
  }

  /**
   * Why the records after the last known-intact one, up to `head`, do not verify (an edit, or a chain recomputed
   * over records already verified), or null when they do; on success `head` becomes the known-intact record.
   */
  private async brokenSince(head: { seq: number; hash: string }): Promise<string | null> {
    if (head.seq < this.known.seq) return `the store ends at record ${head.seq}, before record ${this.known.seq} it held before`;
    if (head.seq === this.known.seq && head.hash !== this.known.hash) return `record ${head.seq} no longer has the hash it had`;
    const r = await verifyChain(this.store, 2000, { from: this.known, to: head.seq });
    if (!r.ok) return `record ${r.broken!.seq}: ${r.broken!.reason}`;
    if (head.seq > this.known.seq && r.last?.hash !== head.hash) return `record ${head.seq} changed while it was verified`;
    this.known = { seq: head.seq, hash: head.hash };
    return null;
  }

  /** Writes a checkpoint when `every` records were appended since the last one. Never throws: a failure is logged and retried next time. */
  async maybe(): Promise<void> {
    const run = this.busy.then(async () => {
      try {
        const head = await this.store.head();
        if (head && !this.refused && head.seq >= this.lastSeq + this.cfg.every) await this.write(head, 'every');
      } catch (e) {
        this.log.error({ err: e }, `audit checkpoint failed: ${(e as Error).message}`);
      }
    });
    this.busy = run;
    await run;
  }

  /** Writes a checkpoint of the current head unless it is already checkpointed; returns it, or null. */
  async checkpoint(reason: string): Promise<Checkpoint | null> {
    const run = this.busy.then(async () => {
      const head = await this.store.head();
      return head && head.seq > this.lastSeq ? this.write(head, reason) : null;
    });
    this.busy = run.catch(() => undefined);
    return run;
  }

  /** Signs `head` after verifying the records since the last known-intact one; refuses (logged, null) when they do not verify. */
  private async write(head: { seq: number; hash: string }, reason: string): Promise<Checkpoint | null> {
    const why = this.refused ?? (await this.brokenSince(head));
    if (why) {
      this.refused = why;
      this.log.error({ head, reason, problem: why }, `audit checkpoint refused: the audit store does not verify after record ${this.known.seq} (${why}); nothing was signed; run hs-classify audit verify`);
      return null;
    }
    // The hashes of the records since the last checkpoint (the newest MAX_LISTED of them), linked up to the head.
    const fromSeq = Math.max(this.lastSeq + 1, head.seq - MAX_LISTED + 1);
    const before = fromSeq === 1 ? { seq: 0, hash: GENESIS_HASH } : await this.store.readRecord(fromSeq - 1);
    const hashes = before && (await listedHashes(this.store, { seq: before.seq, hash: before.hash }, head));
    if (!hashes) {
      this.refused = `the records ${fromSeq}-${head.seq} changed while they were read`;
      this.log.error({ head, reason }, `audit checkpoint refused: ${this.refused}; nothing was signed; run hs-classify audit verify`);
      return null;
    }
    const c = signCheckpoint(this.key, { store: this.cfg.storeId, seq: head.seq, hash: head.hash, time: new Date().toISOString(), from: fromSeq, hashes });
    appendCheckpoint(this.cfg.file, c);
    this.lastSeq = head.seq;
    this.log.info({ checkpoint: c, reason }, `audit checkpoint: record ${c.seq}, hash ${c.hash}`);
    return c;
  }
}

/**
 * The store with checkpoints: after every append (request, staged commit, feedback) the checkpointer may write one,
 * and close() writes a last one before closing the store.
 */
export function withCheckpoints(store: AuditStore, cp: Checkpointer): AuditStore {
  const after = async <T>(p: Promise<T>): Promise<T> => {
    const r = await p;
    await cp.maybe();
    return r;
  };
  return {
    backend: store.backend,
    appendRequest: (r) => after(store.appendRequest(r)),
    appendFeedback: (f) => after(store.appendFeedback(f)),
    async stageRequest(requestId, createdAt): Promise<StagedRequest> {
      const s = await store.stageRequest(requestId, createdAt);
      return {
        requestId: s.requestId,
        get rows() {
          return s.rows;
        },
        add: (rows) => s.add(rows),
        commit: (head) => after(s.commit(head)),
        discard: () => s.discard(),
      };
    },
    hasRequest: (id) => store.hasRequest(id),
    getRequest: (id) => store.getRequest(id),
    getRow: (id, n) => store.getRow(id, n),
    findMemory: (keys) => store.findMemory(keys),
    readFeedback: (q) => store.readFeedback(q),
    readRecords: (after, limit) => store.readRecords(after, limit),
    readRecord: (seq) => store.readRecord(seq),
    head: () => store.head(),
    migrations: () => store.migrations(),
    ping: () => store.ping(),
    async close() {
      try {
        await cp.checkpoint('shutdown');
      } finally {
        await store.close();
      }
    },
  };
}

/**
 * The store with checkpoints when the environment sets AUDIT_SIGNING_KEY (and AUDIT_CHECKPOINTS), else the store
 * itself. On a CheckpointError (bad key, unwritable file, a store that no longer matches) the store is closed.
 */
export async function checkpointedStore(store: AuditStore, env: NodeJS.ProcessEnv, storeId: string, log: Logish): Promise<AuditStore> {
  try {
    const cfg = checkpointConfig(env, storeId);
    if (!cfg) return store;
    const cp = await Checkpointer.open(store, cfg, log);
    log.info({ file: cfg.file, every: cfg.every, key: keyId(crypto.createPublicKey(loadPrivateKey(cfg.keyFile))) }, `audit checkpoints every ${cfg.every} records and at shutdown to ${cfg.file}`);
    return withCheckpoints(store, cp);
  } catch (e) {
    await store.close().catch(() => undefined);
    throw e;
  }
}

export interface CheckpointReport {
  /** Checkpoint lines read, and those with a valid signature. */
  lines: number;
  valid: number;
  /** Lines that are not checkpoints or whose signature does not verify (each one a failure). */
  bad: { line: number; problem: string }[];
  /**
   * The first checkpoint (by sequence) the store no longer matches, and the first record that differs: `exact` when
   * the checkpoint lists that record's signed hash (version 2), else the first record that may differ.
   */
  mismatch?: { checkpoint: Checkpoint; lastMatching: number; first: ChainRecord | null; firstSeq: number; exact: boolean };
  /** Records cut off after the store's head: the last checkpoint covers more than the store holds. */
  removed?: { head: number; covered: number; count: number };
  /** Records after the last checkpoint (not yet covered by one). */
  uncovered: number;
  /** The last checkpoint, by sequence. */
  last?: Checkpoint;
  ok: boolean;
}

/**
 * Checks a store against checkpoint lines with the public key: every signature, then the record at each
 * checkpoint's sequence (the chain itself is verifyChain's job: with an intact chain a matching hash at a
 * checkpoint's sequence means the whole prefix is what was signed).
 */
export async function verifyCheckpoints(store: AuditStore, lines: CheckpointLine[], pub: crypto.KeyObject): Promise<CheckpointReport> {
  const bad: CheckpointReport['bad'] = [];
  const good: Checkpoint[] = [];
  for (const l of lines) {
    if (!l.checkpoint) bad.push({ line: l.line, problem: l.problem ?? 'not a checkpoint' });
    else if (!signatureValid(pub, l.checkpoint)) bad.push({ line: l.line, problem: `bad signature (record ${l.checkpoint.seq}): forged or altered, or signed with another key (${l.checkpoint.key})` });
    else good.push(l.checkpoint);
  }
  good.sort((a, b) => a.seq - b.seq);
  const head = (await store.head())?.seq ?? 0;
  let lastMatching = 0;
  let mismatch: CheckpointReport['mismatch'];
  for (const c of good) {
    if (c.seq > head) break;
    const r = await store.readRecord(c.seq);
    if (r && r.hash === c.hash) {
      lastMatching = c.seq;
      continue;
    }
    const found = await firstDiffering(store, c, lastMatching);
    mismatch = { checkpoint: c, lastMatching, firstSeq: found.seq, exact: found.exact, first: await store.readRecord(found.seq) };
    break;
  }
  const last = good[good.length - 1];
  const removed = last && last.seq > head ? { head, covered: last.seq, count: last.seq - head } : undefined;
  return {
    lines: lines.length,
    valid: good.length,
    bad,
    ...(mismatch ? { mismatch } : {}),
    ...(removed ? { removed } : {}),
    uncovered: last ? Math.max(0, head - last.seq) : head,
    ...(last ? { last } : {}),
    ok: bad.length === 0 && !mismatch && !removed,
  };
}

/**
 * The first record after `lastMatching` that no longer has the hash checkpoint `c` signed for it. Exact when `c`
 * lists it (version 2) and it is not the first listed with the change possibly before the list; else the record
 * after the last matching checkpoint (the change lies somewhere from there to c.seq).
 */
async function firstDiffering(store: AuditStore, c: Checkpoint, lastMatching: number): Promise<{ seq: number; exact: boolean }> {
  if (c.from === undefined || c.hashes === undefined) return { seq: lastMatching + 1, exact: false };
  for (let seq = Math.max(c.from, lastMatching + 1); seq <= c.seq; ) {
    const page = await store.readRecords(seq - 1, Math.min(2000, c.seq - seq + 1));
    if (page.length === 0) break;
    for (const r of page) {
      const signed = c.hashes.slice((r.seq - c.from) * 64, (r.seq - c.from + 1) * 64);
      if (r.seq !== seq || r.hash !== signed) {
        const exact = seq > c.from || c.from === lastMatching + 1;
        return exact ? { seq, exact } : { seq: lastMatching + 1, exact: false };
      }
      seq++;
    }
  }
  return { seq: lastMatching + 1, exact: false };
}
