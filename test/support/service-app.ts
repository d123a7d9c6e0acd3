// A service app on its own SQLite file in a temporary directory, for the service tests (supertest connects over
// loopback, 127.0.0.1). `close()` closes every store it opened and removes the directory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { openEngine, type OpenedEngine } from '../../server/engine';
import { createApp, type ServiceConfig } from '../../server/service/app';
import { SqliteStore } from '../../server/audit/sqlite';

export const BASE_CONFIG: ServiceConfig = {
  apiKeys: [],
  allowedOrigins: ['https://localhost:3000'],
  rateLimit: { windowMs: 60_000, limit: 10_000 },
  staticDir: null,
};

export function serviceHarness(prefix: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const stores: SqliteStore[] = [];
  let opened: OpenedEngine | null = null;
  return {
    dir,
    get opened(): OpenedEngine {
      opened ??= openEngine();
      return opened;
    },
    makeApp(config: Partial<ServiceConfig> = {}, file = path.join(dir, `audit-${stores.length}.sqlite`)) {
      const store = new SqliteStore(file);
      stores.push(store);
      const o = this.opened;
      const app = createApp({ engine: o.engine, versions: o.versions, store, config: { ...BASE_CONFIG, ...config }, logger: pino({ level: 'silent' }) });
      return { app, store, file };
    },
    async close() {
      for (const s of stores) await s.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
