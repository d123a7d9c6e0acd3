// npm run bench:addin: 10,000 selected rows classified and written end to end by the task pane: the production
// build served by the real service (real engine, SQLite audit file, HTTP on 127.0.0.1) in headless Chromium with
// the fake Excel workbook (test/support/fake-excel.js). Timed from the click on Classify to the summary, after one
// warm-up run of 500 rows. Writes reports/bench-addin.json. Target: under 10 s. The service classifies on
// a worker pool of WORKERS threads (default the core count), as `npm start` does.
//   BENCH_ROWS (default 10000), BENCH_SYNC_DELAY_MS (default 0: extra latency per Excel sync, to model a slow host)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openEngine } from '../engine';
import { openClassifier } from '../pool';
import { buildAddin, invoiceSheet, launchChromium, openPane, startService } from '../../test/support/addin-harness';
import { invented, rng } from './rows';

const ROOT = path.resolve(__dirname, '..', '..');
const ROWS = Number(process.env.BENCH_ROWS || 10_000);
const SYNC_DELAY = Number(process.env.BENCH_SYNC_DELAY_MS || 0);

async function main(): Promise<void> {
  const build = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-bench-addin-'));
  const t0 = performance.now();
  await buildAddin(build);
  const buildMs = performance.now() - t0;
  // As the service runs: classification on a worker pool of WORKERS threads (default the core count).
  const svc = await startService(build, openEngine(), await openClassifier());
  const browser = await launchChromium();
  try {
    const run = async (n: number, cells: Record<string, string | number>) => {
      const { page, errors } = await openPane(browser, svc.url, { sheet: 'Invoices', cells, selection: `B1:B${n + 1}`, syncDelayMs: SYNC_DELAY });
      await page.fill('#opt-id-column', 'A');
      const start = performance.now();
      await page.click('#classify');
      await page.waitForSelector('#summary:not([hidden])', { timeout: 600_000 });
      const ms = performance.now() - start;
      const note = await page.textContent('#sum-note');
      const stats = (await page.evaluate('window.__fakeExcel.stats()')) as { syncs: number; syncSizes: number[] };
      const written = (await page.evaluate(`window.__fakeExcel.values('J2:J${n + 1}').filter(r => r[0] !== '').length`)) as number;
      await page.context().close();
      if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
      if (written !== n) throw new Error(`only ${written} of ${n} rows written (${note})`);
      return { ms, note, syncs: stats.syncs, writeSyncs: stats.syncSizes.length };
    };
    // warm-up (JIT, browser) on the harness's fixed descriptions; then invented supplier lines (server/bench/rows.ts),
    // which repeat as a real selection does: the service classifies each distinct description once
    await run(500, invoiceSheet(500));
    const { cells, distinct } = inventedSheet(ROWS);
    const r = await run(ROWS, cells);
    const result = {
      date: new Date().toISOString(),
      rows: ROWS,
      distinctDescriptions: distinct,
      seconds: Math.round(r.ms / 10) / 100,
      rowsPerSecond: Math.round(ROWS / (r.ms / 1000)),
      excelSyncs: r.syncs,
      writeSyncs: r.writeSyncs,
      syncDelayMs: SYNC_DELAY,
      buildSeconds: Math.round(buildMs / 10) / 100,
      cores: os.cpus().length,
      summary: r.note,
      targetSeconds: 10,
    };
    fs.mkdirSync(path.join(ROOT, 'reports'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'reports', 'bench-addin.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(
      `${ROWS.toLocaleString('en-US')} rows (${distinct.toLocaleString('en-US')} distinct descriptions) end to end in ${result.seconds} s (${result.rowsPerSecond} rows/s; ${r.writeSyncs} write syncs, ${r.syncs} syncs in all; ` +
        `target < 10 s: ${result.seconds < 10 ? 'met' : 'NOT met'}). reports/bench-addin.json\n`,
    );
  } finally {
    await browser.close();
    await svc.close();
    fs.rmSync(build, { recursive: true, force: true });
  }
}

/** An invoice sheet of n invented lines (seeded), as invoiceSheet lays it out, and how many distinct descriptions it has. */
function inventedSheet(n: number): { cells: Record<string, string | number>; distinct: number } {
  const r = rng(1);
  const describe = invented(r);
  const cells: Record<string, string | number> = { A1: 'Item', B1: 'Description' };
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const d = describe(`SKU-${(1000 + Math.floor(r() * 90000)).toString(36).toUpperCase()}`);
    seen.add(d);
    cells[`A${i + 2}`] = `INV-${String(i + 1).padStart(5, '0')}`;
    cells[`B${i + 2}`] = d;
  }
  return { cells, distinct: seen.size };
}

main().catch((e) => {
  process.stderr.write(`bench:addin: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
