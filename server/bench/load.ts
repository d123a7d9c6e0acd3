// npm run bench:load: autocannon against the real service on 127.0.0.1: requests/s and latency percentiles for
// single-row and 500-row batches, 50 connections for 30 s each, and meanwhile how long GET /api/v1/health takes
// (one probe at a time, every 50 ms: is the event loop free while batches are classified?), and then the same with one
// 500-row body sent over and over, answered from the repeat cache (is the event loop free when nothing is left to
// classify?). Writes reports/bench-load.json.
//
// By default it starts the service itself (plain http, a throw-away SQLite audit file, no rate limit in the way)
// and stops it at the end. BENCH_URL=http://127.0.0.1:PORT benchmarks an already running service instead
// (loopback only); BENCH_API_KEY is sent as X-API-Key when set. BENCH_DURATION (s) and BENCH_CONNECTIONS override.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import { invented, rng } from './rows';

const ROOT = path.resolve(__dirname, '..', '..');
const DURATION = Number(process.env.BENCH_DURATION || 30);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 50);
const OUT = path.join(ROOT, 'reports', 'bench-load.json');

// Each request's rows are invented supplier lines (server/bench/rows.ts), seeded: a pool of different bodies sent in
// turn, which repeat descriptions across requests as a company's invoices do (the service classifies each
// distinct description once, server/pool/repeats.ts), not one body sent over and over.
const BODIES = 64;
function bodies(n: number, count: number): string[] {
  const r = rng(n);
  const describe = invented(r);
  return Array.from({ length: count }, () =>
    JSON.stringify({ rows: Array.from({ length: n }, (_, i) => ({ description: describe(`SKU-${(1000 + Math.floor(r() * 90000)).toString(36).toUpperCase()}`), item_id: String(i + 1) })) }),
  );
}

function startService(dir: string): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'server/service/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, HTTP: '1', PORT: '0', HOST: '127.0.0.1', SQLITE_PATH: path.join(dir, 'audit.sqlite'), DATABASE_URL: '', API_KEYS: '', RATE_LIMIT: '100000000', RATE_LIMIT_ROWS: '1000000000', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    // The service logs at info, as in production; its log is read and dropped.
    let out: string | null = '';
    child.stdout!.on('data', (d) => {
      if (out === null) return;
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        out = null;
        resolve({ url: m[1], child });
      }
    });
    child.on('exit', (code) => reject(new Error(`service exited (${code}) before listening`)));
  });
}

const pct = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN);

/** Probes /api/v1/health one request at a time until `stop()`; the latencies in ms. */
function healthProbe(url: string, headers: Record<string, string>): { stop: () => Promise<{ probes: number; p50: number; p99: number; max: number; failed: number }> } {
  const times: number[] = [];
  let failed = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      try {
        const r = await fetch(`${url}/api/v1/health`, { headers });
        await r.arrayBuffer();
        if (!r.ok) failed++;
      } catch {
        failed++;
      }
      times.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      const sorted = times.sort((a, b) => a - b);
      const r1 = (x: number) => Math.round(x * 10) / 10;
      return { probes: sorted.length, p50: r1(pct(sorted, 0.5)), p99: r1(pct(sorted, 0.99)), max: r1(sorted[sorted.length - 1] ?? NaN), failed };
    },
  };
}

/** `count` different bodies sent in turn; with `warm`, each is sent once first (so the run is answered from the repeat cache). */
async function scenario(url: string, name: string, rows: number, headers: Record<string, string>, count = BODIES, warm = false) {
  const pool = bodies(rows, count);
  if (warm) {
    for (const body of pool) {
      const r = await fetch(`${url}/api/v1/classify`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      await r.arrayBuffer();
      if (!r.ok) throw new Error(`warm-up request failed: HTTP ${r.status}`);
    }
  }
  process.stderr.write(`${name}: ${CONNECTIONS} connections, ${DURATION} s ...\n`);
  const probe = healthProbe(url, headers);
  let next = 0;
  const r = await autocannon({
    url: `${url}/api/v1/classify`,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    requests: [{ setupRequest: (req) => ({ ...req, body: pool[next++ % pool.length] }) }],
    connections: CONNECTIONS,
    duration: DURATION,
    timeout: 300,
  });
  const health = await probe.stop();
  const result = {
    name,
    rows_per_request: rows,
    different_bodies: count,
    connections: CONNECTIONS,
    duration_s: DURATION,
    requests: r.requests.total,
    requests_per_s: r.requests.average,
    rows_per_s: r.requests.average * rows,
    latency_ms: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
    errors: r.errors,
    timeouts: r.timeouts,
    non_2xx: r.non2xx,
    health_ms: health,
  };
  process.stderr.write(
    `  ${result.requests_per_s.toFixed(1)} req/s (${result.rows_per_s.toFixed(0)} rows/s), p50 ${result.latency_ms.p50} ms, p99 ${result.latency_ms.p99} ms, ` +
      `${result.errors} errors, ${result.timeouts} timeouts, ${result.non_2xx} non-2xx\n` +
      `  meanwhile GET /health (${health.probes} probes): p50 ${health.p50} ms, p99 ${health.p99} ms, max ${health.max} ms, ${health.failed} failed\n`,
  );
  return result;
}

async function main() {
  let url = process.env.BENCH_URL;
  let child: ChildProcess | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-bench-load-'));
  try {
    if (url) {
      const host = new URL(url).hostname;
      if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) throw new Error(`BENCH_URL must be a loopback address, not ${host}`);
    } else {
      ({ url, child } = await startService(dir));
    }
    const headers: Record<string, string> = process.env.BENCH_API_KEY ? { 'x-api-key': process.env.BENCH_API_KEY } : {};
    const single = await scenario(url, 'single row', 1, headers);
    const big = await scenario(url, '500-row batch', 500, headers);
    // one body over and over, sent once before: every row answered from the repeat cache, nothing left to classify
    const cached = await scenario(url, '500-row batch, all from the repeat cache', 500, headers, 1, true);
    const report = {
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? '', node: process.version, platform: `${os.platform()} ${os.release()}` },
      service: url === undefined ? null : url,
      store: process.env.BENCH_URL ? 'as configured by the running service' : 'sqlite (throw-away file)',
      scenarios: [single, big, cached],
    };
    fs.mkdirSync(path.dirname(OUT), { recursive: true });
    fs.writeFileSync(OUT, `${JSON.stringify(report, null, 2)}\n`);
    process.stderr.write(`-> ${path.relative(process.cwd(), OUT)}\n`);
    const failures = [single, big, cached].reduce((s, x) => s + x.errors + x.timeouts + x.non_2xx + x.health_ms.failed, 0);
    if (failures > 0) {
      process.stderr.write(`bench:load: ${failures} failed requests (expected none)\n`);
      process.exitCode = 1;
    }
  } finally {
    child?.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`bench:load: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
