// npm run bench: speed and memory of the engine on this machine.
// - cold start (process start to engine ready) in a fresh process, with the model cache and without;
// - training time of the full model;
// - throughput on 10,000 rows in one process, on every core (as the CLI runs) and on one thread,
//   HS 6 only and with US national lines;
// - p50/p95 latency of single descriptions;
// - peak resident memory of the benchmark process.
// Rows are visible example descriptions, cycled. Writes reports/bench.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadDataset } from '../data';
import { loadConfig } from '../config';
import { trainModel } from '../pipeline/train';
import { openEngine } from '../engine';
import { classify } from '../classifier';
import { classifyBatch, classifyAll } from '../parallel';

const log = (s: string) => process.stderr.write(`${s}\n`);
const ROOT = path.resolve(__dirname, '..', '..');

function coldStart(useCache: boolean): { wallMs: number; readyMs: number } {
  const cacheDir = useCache ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'hs-bench-cache-'));
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(__dirname, 'cold.ts')], {
    cwd: process.cwd(),
    env: { ...process.env, ...(cacheDir ? { HS_CACHE_DIR: cacheDir } : {}) },
    encoding: 'utf8',
  });
  const wallMs = performance.now() - t0;
  if (cacheDir) fs.rmSync(cacheDir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`cold start failed: ${r.stderr}`);
  return { wallMs, readyMs: JSON.parse(r.stdout.trim().split('\n').pop()!).readyMs };
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function main() {
  const ds = loadDataset();
  const config = loadConfig();
  log('cold start with the cache...');
  openEngine({ log }); // make sure the cache is warm
  const warm = coldStart(true);
  log('cold start without the cache (trains)...');
  const cold = coldStart(false);

  log('training time...');
  let t = performance.now();
  trainModel(ds, ds.examples, config.training);
  const trainMs = performance.now() - t;

  const { engine } = openEngine();
  // The same kinds of rows as before the new sources arrived (parcel lines, ruling subjects, ATLAS descriptions), so figures stay comparable.
  const texts = ds.examples.filter((e) => e.source === 'uk-parcel' || e.source === 'cross' || e.source === 'atlas').map((e) => e.text);
  const rows = Array.from({ length: 10000 }, (_, i) => texts[(i * 7919) % texts.length]);
  for (const r of rows.slice(0, 200)) await classify(engine, r); // warm-up

  log('throughput on 10,000 rows...');
  const rate = async (f: () => unknown) => {
    const s = performance.now();
    await f();
    return Math.round(rows.length / ((performance.now() - s) / 1000));
  };
  const throughput = {
    // What the CLI does: every core, worker start-up included.
    allCores: await rate(() => classifyBatch(engine, rows)),
    allCoresWithUsLines: await rate(() => classifyBatch(engine, rows, { country: 'US' })),
    oneThread: await rate(() => classifyAll(engine, rows)),
    oneThreadWithUsLines: await rate(() => classifyAll(engine, rows, 'US')),
  };

  log('single-description latency...');
  const lat: number[] = [];
  for (const r of rows.slice(0, 2000)) {
    const s = performance.now();
    await classify(engine, r, 'US');
    lat.push(performance.now() - s);
  }
  lat.sort((a, b) => a - b);

  const result = {
    measuredAt: new Date().toISOString(),
    machine: `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
    coldStartFromCacheMs: Math.round(warm.wallMs),
    coldStartWithoutCacheMs: Math.round(cold.wallMs),
    trainingMs: Math.round(trainMs),
    rowsPerSecond: throughput,
    latencyMs: { p50: +percentile(lat, 0.5).toFixed(2), p95: +percentile(lat, 0.95).toFixed(2), max: +lat[lat.length - 1].toFixed(2) },
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  fs.mkdirSync('reports', { recursive: true });
  fs.writeFileSync(path.join('reports', 'bench.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
}

if (require.main === module) void main();
