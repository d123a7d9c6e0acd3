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
    const run = async (n: number) => {
      const { page, errors } = await openPane(browser, svc.url, { sheet: 'Invoices', cells: invoiceSheet(n), selection: `B1:B${n + 1}`, syncDelayMs: SYNC_DELAY });
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
    await run(500); // warm-up: JIT, engine caches, browser
    const r = await run(ROWS);
    const result = {
      date: new Date().toISOString(),
      rows: ROWS,
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
      `${ROWS.toLocaleString('en-US')} rows end to end in ${result.seconds} s (${result.rowsPerSecond} rows/s; ${r.writeSyncs} write syncs, ${r.syncs} syncs in all; ` +
        `target < 10 s: ${result.seconds < 10 ? 'met' : 'NOT met'}). reports/bench-addin.json\n`,
    );
  } finally {
    await browser.close();
    await svc.close();
    fs.rmSync(build, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`bench:addin: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
