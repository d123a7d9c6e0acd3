// Chooses the audit store from the environment: PostgreSQL when DATABASE_URL is set, else the SQLite file at
// SQLITE_PATH (default ./data/audit.sqlite).
import { SqliteStore } from './sqlite';
import { ThreadedSqliteStore } from './thread';
// A static import: a dynamic import('./postgres') does not resolve when the service runs under `node --require tsx/cjs`.
import { PgStore } from './postgres';
import type { AuditStore } from './store';

export const DEFAULT_SQLITE_PATH = './data/audit.sqlite';

/**
 * Opens the store; `readonly` (audit verify and checkpoint) never creates, migrates or writes, and refuses what is not
 * a store (NotAStoreError). `thread` (the service) runs a SQLite store on a thread of its own (thread.ts).
 */
export async function openStore(env: NodeJS.ProcessEnv = process.env, opts: { readonly?: boolean; thread?: boolean } = {}): Promise<AuditStore> {
  if (env.DATABASE_URL) {
    return PgStore.open(env.DATABASE_URL, { readonly: opts.readonly });
  }
  const file = env.SQLITE_PATH || DEFAULT_SQLITE_PATH;
  return opts.thread ? ThreadedSqliteStore.open(file, { readonly: opts.readonly }) : new SqliteStore(file, { readonly: opts.readonly });
}

/** Where the store is, for messages (no password). */
export function describeStore(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DATABASE_URL) {
    try {
      const u = new URL(env.DATABASE_URL);
      return `postgres ${u.hostname}:${u.port || 5432}${u.pathname}`;
    } catch {
      return 'postgres (DATABASE_URL)';
    }
  }
  return `sqlite ${env.SQLITE_PATH || DEFAULT_SQLITE_PATH}`;
}
