// hs-classify audit: verify the trail (hash chain, and signed checkpoints with the public key) and write a
// checkpoint on demand. Both open the store read-only: nothing is created, migrated or written to it.
//   hs-classify audit verify [--store FILE] [--checkpoints FILE --public-key FILE]
//   hs-classify audit checkpoint [--store FILE] [--key FILE] [--checkpoints FILE]
import type { Command } from 'commander';
import { InputError } from '../cli/io';
import { openStore, describeStore } from './open';
import { NotAStoreError, verifyChain, type AuditStore, type ChainRecord } from './store';
import {
  CheckpointError,
  CheckpointMismatchError,
  Checkpointer,
  DEFAULT_CHECKPOINT_EVERY,
  loadPublicKey,
  readCheckpoints,
  verifyCheckpoints,
} from './checkpoints';

/** Exit code of `audit verify` when the trail does not verify (and of `audit checkpoint` when it refuses to sign). */
export const EXIT_CHAIN_BROKEN = 3;

interface StoreOptions {
  store?: string;
  /** The older name of --store. */
  sqlite?: string;
}

/** The environment with --store (a SQLite file) applied. */
function storeEnv(o: StoreOptions): NodeJS.ProcessEnv {
  const file = o.store ?? o.sqlite;
  return file ? { ...process.env, SQLITE_PATH: file, DATABASE_URL: '' } : process.env;
}

/** Opens the store read-only; a file that is not a store is an input error (exit 2, one line). */
async function openReadOnly(env: NodeJS.ProcessEnv): Promise<AuditStore> {
  try {
    return await openStore(env, { readonly: true });
  } catch (e) {
    if (e instanceof NotAStoreError) throw new InputError(e.message);
    throw e;
  }
}

/** Checkpoint problems that are the caller's (a key, a file) become input errors. */
function asInput<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CheckpointError && !(e instanceof CheckpointMismatchError)) throw new InputError(e.message);
    throw e;
  }
}

/** "record 7 (row 2 of request X)". */
export function describeRecord(r: ChainRecord | null, seq: number): string {
  if (!r) return `record ${seq}`;
  const what = r.kind === 'row' ? `row ${r.rowNo} of request ${r.requestId}` : r.kind === 'feedback' ? `feedback on request ${r.requestId}` : `request ${r.requestId}`;
  return `record ${seq} (${what})`;
}

/** Adds `audit verify` and `audit checkpoint` to the program; setExit receives their exit code. */
export function registerAuditCommands(program: Command, setExit: (code: number) => void): void {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const audit = program.command('audit').description('the audit trail of the service');
  const storeOption = (c: Command) =>
    c
      .option('--store <file>', 'the SQLite audit file (default: SQLITE_PATH, or ./data/audit.sqlite; DATABASE_URL selects PostgreSQL)')
      .option('--sqlite <file>', 'the same as --store');
  storeOption(
    audit
      .command('verify')
      .description(
        'check every record of the audit trail against its hash and the previous one, and with --checkpoints and --public-key against the signed checkpoints; exit 3 when it does not verify',
      ),
  )
    .option('--checkpoints <file>', 'the signed checkpoint file (AUDIT_CHECKPOINTS of the service; the copy kept off the store host)')
    .option('--public-key <file>', 'the PEM Ed25519 public key the checkpoints were signed with')
    .action(async (o: StoreOptions & { checkpoints?: string; publicKey?: string }) => {
      if ((o.checkpoints === undefined) !== (o.publicKey === undefined)) throw new InputError('--checkpoints and --public-key go together: the checkpoint file and the key that signed it');
      const pub = o.publicKey ? asInput(() => loadPublicKey(o.publicKey!)) : null;
      const lines = o.checkpoints ? asInput(() => readCheckpoints(o.checkpoints!)) : [];
      const env = storeEnv(o);
      const store = await openReadOnly(env);
      let failed = false;
      try {
        const r = await verifyChain(store);
        if (r.ok) {
          out(`audit trail intact: ${r.records} records, ${r.requests} requests (${describeStore(env)})`);
          if (r.last && !pub) out(`last record ${r.last.seq}, hash ${r.last.hash} (keep it elsewhere, or use signed checkpoints: a later removal of the newest records shows as a different last hash)`);
        } else {
          const b = r.broken!;
          out(
            `audit trail BROKEN at record ${b.seq} (${b.kind === 'row' ? `row ${b.rowNo}` : b.kind} of request ${b.requestId}): ${b.reason}; ` +
              `${r.records} records before it are intact (${describeStore(env)})`,
          );
          failed = true;
        }
        if (pub) {
          const c = await verifyCheckpoints(store, lines, pub);
          for (const b of c.bad) out(`checkpoint line ${b.line} of ${o.checkpoints}: ${b.problem}`);
          if (c.mismatch) {
            const m = c.mismatch;
            const before = m.lastMatching ? `; records 1-${m.lastMatching} match the checkpoint of record ${m.lastMatching}` : '';
            out(
              m.exact
                ? `audit trail does NOT match the checkpoint of record ${m.checkpoint.seq} signed ${m.checkpoint.time}: the first record whose content no longer matches it is ` +
                    `${describeRecord(m.first, m.firstSeq)} (its hash is not the one the checkpoint signed: edited, inserted or removed, and the chain recomputed from there${before})`
                : `audit trail does NOT match the checkpoint of record ${m.checkpoint.seq} signed ${m.checkpoint.time}: the first record that may no longer match is ` +
                    `${describeRecord(m.first, m.firstSeq)} (somewhere in records ${m.firstSeq}-${m.checkpoint.seq} content was edited, inserted or removed and the chain recomputed${before})`,
            );
          }
          if (c.removed) out(`${c.removed.count} records removed: the store ends at record ${c.removed.head} but a signed checkpoint covers record ${c.removed.covered}`);
          if (c.valid === 0 && c.bad.length === 0) out(`no checkpoints in ${o.checkpoints}: nothing is covered by a signature yet`);
          else if (c.ok && c.last) out(`checkpoints: ${c.valid} signed checkpoints verified; records 1-${c.last.seq} match the last one, signed ${c.last.time}`);
          if (c.uncovered > 0) out(`${c.uncovered} records after record ${c.last?.seq ?? 0} not yet covered by a checkpoint`);
          if (!c.ok) failed = true;
        }
      } finally {
        await store.close();
      }
      setExit(failed ? EXIT_CHAIN_BROKEN : 0);
    });
  storeOption(
    audit
      .command('checkpoint')
      .description('sign the current head of the audit trail and append the checkpoint to the checkpoint file (the trail is verified first; exit 3 and nothing signed when it does not verify)'),
  )
    .option('--key <file>', 'the PEM Ed25519 private key (default AUDIT_SIGNING_KEY)')
    .option('--checkpoints <file>', 'the checkpoint file to append to (default AUDIT_CHECKPOINTS)')
    .action(async (o: StoreOptions & { key?: string; checkpoints?: string }) => {
      const env = storeEnv(o);
      const keyFile = o.key ?? process.env.AUDIT_SIGNING_KEY;
      const file = o.checkpoints ?? process.env.AUDIT_CHECKPOINTS;
      if (!keyFile || !file) throw new InputError('audit checkpoint needs the signing key (--key or AUDIT_SIGNING_KEY) and the checkpoint file (--checkpoints or AUDIT_CHECKPOINTS)');
      const store = await openReadOnly(env);
      try {
        const r = await verifyChain(store);
        if (!r.ok) {
          out(`not signing: audit trail BROKEN at record ${r.broken!.seq}: ${r.broken!.reason} (run hs-classify audit verify)`);
          return setExit(EXIT_CHAIN_BROKEN);
        }
        let cp: Checkpointer;
        const refusals: string[] = [];
        try {
          const cfg = { keyFile, file, every: DEFAULT_CHECKPOINT_EVERY, storeId: env.AUDIT_STORE_ID || describeStore(env) };
          cp = await Checkpointer.open(store, cfg, { info: () => undefined, error: (_o, msg) => refusals.push(msg) });
        } catch (e) {
          if (!(e instanceof CheckpointError)) throw e;
          if (!(e instanceof CheckpointMismatchError)) throw new InputError(e.message);
          out(`not signing: ${e.message}`);
          return setExit(EXIT_CHAIN_BROKEN);
        }
        const c = await cp.checkpoint('cli');
        if (refusals.length) {
          out(`not signing: ${refusals[0]}`);
          return setExit(EXIT_CHAIN_BROKEN);
        }
        if (c) out(`checkpoint: record ${c.seq}, hash ${c.hash}, signed ${c.time} -> ${file}`);
        else out(r.records ? `record ${r.last!.seq} is already covered by a checkpoint in ${file}` : 'nothing to checkpoint: the audit trail is empty');
        setExit(0);
      } finally {
        await store.close();
      }
    });
}
