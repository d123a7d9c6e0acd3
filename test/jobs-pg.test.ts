// Two service instances (child processes) on one PostgreSQL database: jobs enqueued on one are worked by both
// (pg-boss), and kill -9 of the instance working a job mid-way still completes it exactly once (the other instance
// takes it up when its lease expires; the job id is the audited request id, so no duplicate or partial record).
import path from 'node:path';
import crypto from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { Client } from 'pg';
import { PgStore } from '../server/audit/postgres';
import { verifyChain } from '../server/audit/store';

const ROOT = path.resolve(__dirname, '..');
const PG_URL = process.env.TEST_DATABASE_URL;
const children: ChildProcess[] = [];
let dbName = '';
let dbUrl = '';

if (!PG_URL) {
  if (process.env.CI) test('CI runs the two-instance job test (TEST_DATABASE_URL must be set by .ci/run)', () => {
    throw new Error('TEST_DATABASE_URL is not set');
  });
  else test.skip('two service instances on one PostgreSQL: SKIPPED, TEST_DATABASE_URL is not set (eval "$(.ci/postgres.sh start)")', () => undefined);
}

function startService(): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'server/service/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        HTTP: '1', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: dbUrl, API_KEYS: '', RATE_LIMIT: '100000', WORKERS: '1',
        JOB_EXPIRE_SECONDS: '25', JOB_POLL_SECONDS: '0.5', JOB_MAINTENANCE_SECONDS: '1', LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve({ url: m[1], child });
    });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    child.on('exit', (code) => reject(new Error(`service exited (${code}) before listening: ${err}${out.slice(-2000)}`)));
  });
}

const job = async (url: string, id: string) => (await (await fetch(`${url}/api/v1/jobs/${id}`)).json()) as { state: string; worker: string | null; attempts: number; progress: { done: number } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

(PG_URL ? describe : describe.skip)('two service instances on one PostgreSQL', () => {
  beforeAll(async () => {
    dbName = `hs_jobs_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
    const c = new Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`CREATE DATABASE ${dbName}`);
    await c.end();
    const u = new URL(PG_URL!);
    u.pathname = `/${dbName}`;
    dbUrl = u.toString();
  });
  afterAll(async () => {
    for (const ch of children) if (ch.exitCode === null && ch.signalCode === null) ch.kill('SIGKILL');
    await sleep(500);
    const c = new Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await c.end();
  });

  test('jobs enqueued on one instance are worked by both; killing the one working a job mid-way still completes it exactly once', async () => {
    const a = await startService();
    const b = await startService();
    const rows = (k: number) => ({ rows: Array.from({ length: 1500 }, (_, i) => ({ description: `${['cotton knitted t-shirt', 'lithium ion battery', 'steel bolts', 'frozen shrimp'][i % 4]} job ${k} lot ${i}`, item_id: `${k}-${i}` })) });
    const ids = ['pg-job-0001', 'pg-job-0002'];
    for (const [k, id] of ids.entries()) {
      const r = await fetch(`${a.url}/api/v1/jobs`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Request-Id': id }, body: JSON.stringify(rows(k)) });
      expect(r.status).toBe(202);
    }
    // Each instance works one job at a time: both jobs get going, one on each instance.
    let states: Awaited<ReturnType<typeof job>>[] = [];
    for (let t = 0; t < 600; t++) {
      states = await Promise.all(ids.map((id) => job(b.url, id)));
      if (states.every((s) => s.state === 'active' && s.progress.done > 0)) break;
      await sleep(100);
    }
    expect(states.map((s) => s.state)).toEqual(['active', 'active']);
    const pids = new Set(states.map((s) => s.worker!.split(':').pop()));
    expect(pids).toEqual(new Set([String(a.child.pid), String(b.child.pid)]));
    // kill -9 the instance working the first job, mid-job.
    const victim = states[0].worker!.endsWith(`:${a.child.pid}`) ? a : b;
    const survivor = victim === a ? b : a;
    victim.child.kill('SIGKILL');
    let done: Awaited<ReturnType<typeof job>>[] = [];
    for (let t = 0; t < 1800; t++) {
      done = await Promise.all(ids.map((id) => job(survivor.url, id)));
      if (done.every((s) => s.state === 'completed' || s.state === 'failed')) break;
      await sleep(100);
    }
    expect(done.map((s) => s.state)).toEqual(['completed', 'completed']);
    expect(done[0].attempts).toBe(2); // taken up again by the survivor
    expect(done[0].worker).toBe(states[0].worker!.replace(/:\d+$/, `:${survivor.child.pid}`));
    for (const [k, id] of ids.entries()) {
      const res = await fetch(`${survivor.url}/api/v1/jobs/${id}/result`);
      expect(res.status).toBe(200);
      const lines = (await res.text()).trimEnd().split('\n').map((l) => JSON.parse(l) as { id: string });
      expect(lines.map((l) => l.id)).toEqual(rows(k).rows.map((r) => r.item_id));
    }
    // Exactly once: one request record per job, every row, and an unbroken chain.
    const store = await PgStore.open(dbUrl);
    try {
      const v = await verifyChain(store);
      expect(v).toMatchObject({ ok: true, requests: 2, records: 2 * 1501 });
    } finally {
      await store.close();
    }
  });
});
