// The command line on big generated files, each run a fresh `hs-classify classify` process (start-up included):
//   npm run bench:workers   10,000 rows with WORKERS=1 and WORKERS=2, alternating, BENCH_RUNS (default 3) each:
//                           how throughput scales with workers. Writes reports/bench-workers.json.
//   npm run bench:cli       BENCH_ROWS (default 300,000) rows CSV -> JSONL with the default WORKERS: time and
//                           peak memory (the whole process, worker threads included). Writes reports/bench-cli.json.
// Rows are invented (server/bench/rows.ts). The CLI prints its own classification time (after the workers are
// ready) and peak memory on its last line; both are reported beside the wall time of the whole process.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { writeInvoiceCsv } from './rows';

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'hs-classify.js');

interface Run {
  workers: string;
  wallS: number;
  classifyS: number;
  rowsPerS: number;
  peakMb: number;
}

function runCli(input: string, output: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [BIN, 'classify', '--input', input, '--column', 'Description', '--id-column', 'Line', '--output', output], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
    child.on('exit', (code) => {
      const wallS = (performance.now() - t0) / 1000;
      const m = /(\d+) rows in ([\d.]+) s \((\d+) rows\/s\).*peak memory (\d+) MB/.exec(err);
      if (code !== 0 || !m) return reject(new Error(`hs-classify exited ${code}: ${err}`));
      resolve({ workers: env.WORKERS ?? `default (${os.availableParallelism()})`, wallS: +wallS.toFixed(2), classifyS: +m[2], rowsPerS: +m[3], peakMb: +m[4] });
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const mode = process.argv[2] ?? 'workers';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-bench-cli-'));
  try {
    const rows = mode === 'workers' ? 10_000 : Number(process.env.BENCH_ROWS || 300_000);
    const input = path.join(dir, `invoice-${rows}.csv`);
    await writeInvoiceCsv(input, rows);
    const output = path.join(dir, 'out.jsonl');
    process.stderr.write(`${rows} rows (${(fs.statSync(input).size / 1e6).toFixed(1)} MB CSV); ${os.availableParallelism()} cores, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
    let report: Record<string, unknown>;
    if (mode === 'workers') {
      const runs: Run[] = [];
      const n = Number(process.env.BENCH_RUNS || 3);
      for (let i = 0; i < n; i++) {
        for (const w of ['1', '2']) {
          const r = await runCli(input, output, { WORKERS: w });
          process.stderr.write(`  WORKERS=${w}: ${r.wallS} s whole process, ${r.classifyS} s classifying (${r.rowsPerS} rows/s), peak ${r.peakMb} MB\n`);
          runs.push(r);
        }
      }
      const of = (w: string) => runs.filter((r) => r.workers === w);
      const summary = (w: string) => ({ wallS: median(of(w).map((r) => r.wallS)), classifyS: median(of(w).map((r) => r.classifyS)), rowsPerS: median(of(w).map((r) => r.rowsPerS)), peakMb: median(of(w).map((r) => r.peakMb)) });
      const one = summary('1');
      const two = summary('2');
      report = { rows, one, two, speedupClassifying: +(two.rowsPerS / one.rowsPerS).toFixed(2), speedupWholeProcess: +(one.wallS / two.wallS).toFixed(2), runs };
      process.stderr.write(`median: 1 worker ${one.rowsPerS} rows/s, 2 workers ${two.rowsPerS} rows/s: x${report.speedupClassifying} classifying, x${report.speedupWholeProcess} whole process\n`);
    } else {
      const r = await runCli(input, output, {});
      report = { rows, ...r, outputMb: +(fs.statSync(output).size / 1e6).toFixed(1) };
      process.stderr.write(`${rows} rows: ${r.wallS} s whole process, ${r.classifyS} s classifying (${r.rowsPerS} rows/s), peak ${r.peakMb} MB\n`);
    }
    const out = { date: new Date().toISOString(), cores: os.availableParallelism(), loadAverageAtStart: os.loadavg(), node: process.version, ...report };
    fs.mkdirSync(path.join(ROOT, 'reports'), { recursive: true });
    const file = path.join(ROOT, 'reports', mode === 'workers' ? 'bench-workers.json' : 'bench-cli.json');
    fs.writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`bench: ${(e as Error).message}\n`);
  process.exit(1);
});
