// Benchmark of `hs-classify review` on a large workbook: generates an N-row supplier workbook (default 100,000)
// in a temporary directory, reviews it in this process (engine opening included) and prints the wall time and
// the peak resident memory of the process (worker threads included: they share it). Writes reports/bench-review.json.
//   npx tsx server/bench/review.ts [ROWS]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { resultCacheMb } from '../pool/repeats';
import { runReview } from '../review/run';
import { invented, rng } from './rows';

const ROWS = Number(process.argv[2] ?? 100_000);

/** Writes the workbook; returns how many distinct descriptions it has. */
async function generate(file: string, n: number): Promise<number> {
  const seen = new Set<string>();
  const r = rng(1);
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)];
  const describe = invented(r);
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useStyles: true, useSharedStrings: false });
  const ws = wb.addWorksheet('Lines');
  ws.columns = [
    { header: 'Line', width: 8 },
    { header: 'SKU', width: 14 },
    { header: 'Description', width: 50 },
    { header: 'Qty', width: 8 },
    { header: 'Unit price', width: 11 },
    { header: 'Amount', width: 12 },
    { header: 'Origin', width: 8 },
  ];
  for (let i = 1; i <= n; i++) {
    const row = i + 1;
    const sku = `SKU-${(1000 + Math.floor(r() * 90000)).toString(36).toUpperCase()}`;
    const desc = describe(sku);
    seen.add(desc);
    const qty = 1 + Math.floor(r() * 500);
    const price = Math.round(r() * 10000) / 100;
    const x = ws.addRow([i, sku, desc, qty, price, { formula: `D${row}*E${row}`, result: Math.round(qty * price * 100) / 100 }, pick(['CN', 'VN', 'IN', 'TR', 'DE'])]);
    x.getCell(5).numFmt = '#,##0.00';
    x.getCell(6).numFmt = '#,##0.00';
    x.commit();
  }
  ws.commit();
  await wb.commit();
  return seen.size;
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-bench-review-'));
  try {
    const loadAverageAtStart = os.loadavg();
    const input = path.join(dir, `supplier-${ROWS}.xlsx`);
    const tg = performance.now();
    const distinct = await generate(input, ROWS);
    process.stderr.write(`generated ${ROWS} rows (${(fs.statSync(input).size / 1e6).toFixed(1)} MB) in ${((performance.now() - tg) / 1000).toFixed(1)} s\n`);
    const rssBefore = process.memoryUsage().rss;
    const t0 = performance.now();
    const res = await runReview({
      input,
      column: 'Description',
      output: path.join(dir, 'reviewed.xlsx'),
      env: { ...process.env, SQLITE_PATH: path.join(dir, 'audit.sqlite'), DATABASE_URL: '' },
    });
    const s = (performance.now() - t0) / 1000;
    const peakMb = process.resourceUsage().maxRSS / 1024; // kilobytes on Linux
    const out = {
      date: new Date().toISOString(),
      loadAverageAtStart,
      node: process.version,
      rows: res.rows,
      distinctDescriptions: distinct,
      resultCacheMb: resultCacheMb(),
      seconds: Math.round(s * 10) / 10,
      rowsPerSecond: Math.round(res.rows / s),
      phases: res.timings,
      peakRssMb: Math.round(peakMb),
      rssBeforeReviewMb: Math.round(rssBefore / 1e6),
      outputMb: Math.round(fs.statSync(res.output).size / 1e5) / 10,
      audit: res.audit,
      counts: res.counts,
      cores: os.availableParallelism(),
      note: 'peak RSS covers the whole process (generation, engine, worker threads, workbook, audit write)',
    };
    const report = path.resolve(__dirname, '..', '..', 'reports', 'bench-review.json');
    fs.mkdirSync(path.dirname(report), { recursive: true });
    fs.writeFileSync(report, `${JSON.stringify(out, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    process.stderr.write(`-> ${path.relative(process.cwd(), report)}\n`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
