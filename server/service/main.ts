// Starts the service: `npm start` (https with development certificates) or `HTTP=1 npm start` (plain http).
//
// Environment:
//   PORT             port (default 3000; 0 = any free port)
//   HOST             address to listen on (default 127.0.0.1); any non-loopback address needs API_KEYS
//   HTTP=1           plain http instead of https
//   CERT_DIR         where the development certificates are generated (default ./.certs, git-ignored)
//   SQLITE_PATH      the audit store's SQLite file (default ./data/audit.sqlite)
//   DATABASE_URL     use PostgreSQL for the audit store instead
//   API_KEYS         comma-separated keys (X-API-Key or Authorization: Bearer): bare keys (every right) or name:role:key,
//                    role classify, review or admin (see auth.ts)
//   FEEDBACK_APPROVALS  distinct reviewers who must agree before a code is served from the memory (default 1)
//   ALLOWED_ORIGINS  comma-separated CORS origins (default https://localhost:3000, the add-in's origin)
//   RATE_LIMIT       requests per minute and client IP on /api/v1 (default 600)
//   RATE_LIMIT_ROWS  rows classified per minute and client IP (classify, reclassify; default 20000)
//   ROWS_IN_FLIGHT   rows of classify/reclassify requests worked on at once; the other requests wait (default 1000)
//   AUDIT_SIGNING_KEY, AUDIT_CHECKPOINTS, AUDIT_CHECKPOINT_EVERY, AUDIT_STORE_ID   signed checkpoints (server/audit/checkpoints.ts)
//   LOG_LEVEL        pino level (default info; descriptions are never logged at info)
//   HS_DATA_DIR      the reference data (see the engine)
//   WORKERS          classification worker threads (default: the core count; 0 = on the event loop)
//   WORKER_HEAP_MB   heap cap of each worker thread in MB (default 320)
//   JOB_ATTEMPTS, JOB_EXPIRE_SECONDS, JOB_POLL_SECONDS, JOB_MAINTENANCE_SECONDS   bulk jobs (see server/jobs/runner.ts)
//   STATIC_DIR       built add-in / web page to serve at / (default dist/addin, when it exists)
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import pino from 'pino';
import { openEngine, sharedModel } from '../engine';
import { openStore, describeStore, DEFAULT_SQLITE_PATH } from '../audit/open';
import { checkpointedStore, CheckpointError } from '../audit/checkpoints';
import { Jobs, jobsConfig, type JobsConfig } from '../jobs/runner';
import { SqlJobStore } from '../jobs/store';
import { createApp, type ServiceConfig } from './app';
import { DEFAULT_RATE_LIMIT_ROWS } from './row-limit';
import { DEFAULT_ROWS_IN_FLIGHT } from './admission';
import { dutyVersions, loadDutyData } from '../duties/load';
import { resolveDataDir } from '../data/files';
import { openClassifier, workerCount, workerHeapMb } from '../pool';
import { parseApiKeys } from './auth';
import { approvalsFrom } from '../memory/feedback';
import { CompanyExampleSet } from '../memory/examples';

export class StartupError extends Error {}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  if (net.isIPv6(host)) return host === '::1' || /^::ffff:127\./i.test(host);
  return false;
}

const list = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);

export function serviceConfig(env: NodeJS.ProcessEnv): ServiceConfig & { host: string; port: number; http: boolean; certDir: string } {
  const host = env.HOST || '127.0.0.1';
  const port = env.PORT === undefined || env.PORT === '' ? 3000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new StartupError(`PORT must be a port number, not "${env.PORT}"`);
  const apiKeys = list(env.API_KEYS);
  if (!isLoopback(host) && apiKeys.length === 0) {
    throw new StartupError(
      `refusing to listen on ${host} without API keys: set API_KEYS (comma-separated) or listen on 127.0.0.1`,
    );
  }
  try {
    parseApiKeys(apiKeys);
  } catch (e) {
    throw new StartupError((e as Error).message);
  }
  let feedbackApprovals: number;
  try {
    feedbackApprovals = approvalsFrom(env);
  } catch (e) {
    throw new StartupError((e as Error).message);
  }
  const limit = env.RATE_LIMIT ? Number(env.RATE_LIMIT) : 600;
  if (!Number.isInteger(limit) || limit < 1) throw new StartupError(`RATE_LIMIT must be a positive whole number, not "${env.RATE_LIMIT}"`);
  const rows = env.RATE_LIMIT_ROWS ? Number(env.RATE_LIMIT_ROWS) : DEFAULT_RATE_LIMIT_ROWS;
  if (!Number.isInteger(rows) || rows < 1) throw new StartupError(`RATE_LIMIT_ROWS must be a positive whole number, not "${env.RATE_LIMIT_ROWS}"`);
  const rowsInFlight = env.ROWS_IN_FLIGHT ? Number(env.ROWS_IN_FLIGHT) : DEFAULT_ROWS_IN_FLIGHT;
  if (!Number.isInteger(rowsInFlight) || rowsInFlight < 1) throw new StartupError(`ROWS_IN_FLIGHT must be a positive whole number, not "${env.ROWS_IN_FLIGHT}"`);
  return {
    host,
    port,
    http: env.HTTP === '1' || env.HTTP === 'true',
    certDir: env.CERT_DIR || '.certs',
    apiKeys,
    feedbackApprovals,
    allowedOrigins: env.ALLOWED_ORIGINS ? list(env.ALLOWED_ORIGINS) : ['https://localhost:3000'],
    rateLimit: { windowMs: 60_000, limit, rows },
    rowsInFlight,
    staticDir: env.STATIC_DIR || path.resolve('dist', 'addin'),
  };
}

/** Development certificates, generated offline into certDir on first use. Never touches the system trust store. */
async function devCertificates(certDir: string): Promise<{ cert: Buffer; key: Buffer; ca: string }> {
  const ca = path.resolve(certDir, 'ca.crt');
  const cert = path.resolve(certDir, 'localhost.crt');
  const key = path.resolve(certDir, 'localhost.key');
  if (!fs.existsSync(cert) || !fs.existsSync(key) || !fs.existsSync(ca)) {
    fs.rmSync(ca, { force: true }); // generateCertificates writes nothing when the CA file already exists
    const { generateCertificates } = await import('office-addin-dev-certs/lib/generate');
    await generateCertificates(ca, cert, key, 30);
  }
  return { cert: fs.readFileSync(cert), key: fs.readFileSync(key), ca };
}

export async function start(env: NodeJS.ProcessEnv = process.env): Promise<{ server: http.Server; close(): Promise<void> }> {
  const cfg = serviceConfig(env);
  const logger = pino({ level: env.LOG_LEVEL || 'info', redact: ['req.headers.authorization', 'req.headers["x-api-key"]'] });
  // The cached model read once into shared memory: this thread's engine and every worker's use the same bytes.
  const shared = sharedModel();
  const opened = openEngine({ dataDir: env.HS_DATA_DIR, log: (m) => logger.info(m), shared });
  const duties = loadDutyData(resolveDataDir(env));
  const versions = { ...opened.versions, ...dutyVersions(duties) };
  logger.info({ versions, timings: opened.timings }, 'engine ready');
  let workers: number;
  try {
    workers = workerCount(env);
    workerHeapMb(env);
  } catch (e) {
    throw new StartupError((e as Error).message);
  }
  const classifier = await openClassifier({ workers, opened, dataDir: env.HS_DATA_DIR, shared: opened.timings.shared ? shared : undefined });
  logger.info(workers ? `${workers} classification worker threads ready` : 'classifying on the event loop (WORKERS=0)');
  const store = await checkpointedStore(await openStore(env, { thread: true }), env, describeStore(env), logger).catch((e) => {
    throw e instanceof CheckpointError ? new StartupError(e.message) : e;
  });
  logger.info(`audit store: ${describeStore(env)}`);
  let jobsCfg: JobsConfig;
  try {
    jobsCfg = jobsConfig(env);
  } catch (e) {
    throw new StartupError((e as Error).message);
  }
  const jobStore = env.DATABASE_URL ? await SqlJobStore.postgres(env.DATABASE_URL) : SqlJobStore.sqlite(env.SQLITE_PATH || DEFAULT_SQLITE_PATH);
  const memory = { approvals: cfg.feedbackApprovals, company: new CompanyExampleSet(store) };
  const jobs = new Jobs({ engine: opened.engine, classifier, versions, store, jobs: jobStore, logger, databaseUrl: env.DATABASE_URL || undefined, config: jobsCfg, memory });
  await jobs.start();
  logger.info(`bulk jobs: ${jobs.backend} (instance ${jobs.instance})`);
  const app = createApp({ engine: opened.engine, versions, classifier, jobs, store, config: cfg, logger, duties });
  let server: http.Server;
  if (cfg.http) {
    server = http.createServer(app);
  } else {
    const c = await devCertificates(cfg.certDir);
    server = https.createServer({ cert: c.cert, key: c.key }, app);
    logger.info(`https with development certificates from ${cfg.certDir} (CA: ${c.ca}; trust it yourself if you want, nothing was installed)`);
  }
  server.requestTimeout = 120_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.port, cfg.host, resolve);
  });
  const addr = server.address() as net.AddressInfo;
  const url = `${cfg.http ? 'http' : 'https'}://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  logger.info({ url, keys: cfg.apiKeys.length, origins: cfg.allowedOrigins }, `listening on ${url}`);
  return {
    server,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await jobs.stop();
      await jobStore.close();
      await store.close();
      await classifier.close();
    },
  };
}

if (require.main === module) {
  start().then(
    (s) => {
      const stop = () => {
        s.close().then(() => process.exit(0));
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    },
    (e) => {
      process.stderr.write(`hs-classify service: ${e instanceof StartupError ? e.message : (e as Error).stack ?? e}\n`);
      process.exit(e instanceof StartupError ? 2 : 1);
    },
  );
}
