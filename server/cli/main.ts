// hs-classify: the command line.
//   hs-classify classify --input FILE --column NAME [--id-column NAME] [--country US|EU] --output FILE
//   hs-classify build      train the model into the cache (what the first start would do)
import { Command, CommanderError, Option } from 'commander';
import cliProgress from 'cli-progress';
import { readRows, openWriter, assertDistinctPaths, InputError, type ResultRow } from './io';
import { openEngine } from '../engine';
import { classifyBatch } from '../parallel';
import { DataError } from '../data';
import type { Country } from '../types';
/** Inputs at least this long show a progress bar on stderr. */
const PROGRESS_FROM = 500;

const log = (msg: string) => process.stderr.write(`${msg}\n`);

async function runClassify(o: { input: string; column: string; idColumn?: string; country?: Country; output: string }) {
  assertDistinctPaths(o.input, o.output);
  const rows = await readRows(o.input, { column: o.column, idColumn: o.idColumn });
  const { engine, timings } = openEngine({ log });
  log(`engine ready (data ${timings.dataMs.toFixed(0)} ms, model ${timings.modelMs.toFixed(0)} ms${timings.fromCache ? ' from cache' : ''})`);
  const writer = await openWriter(o.output);
  const bar =
    rows.length >= PROGRESS_FROM
      ? new cliProgress.SingleBar(
          { format: 'classifying [{bar}] {percentage}% | {value}/{total} rows | {eta_formatted} left', stream: process.stderr, noTTYOutput: true, notTTYSchedule: 2000 },
          cliProgress.Presets.shades_classic,
        )
      : null;
  bar?.start(rows.length, 0);
  const counts = { ok: 0, review: 0, error: 0 };
  const t0 = performance.now();
  try {
    const readable = rows.filter((r) => r.description !== null);
    const results = await classifyBatch(
      engine,
      readable.map((r) => r.description!),
      { country: o.country, onProgress: (done) => bar?.update(done) },
    );
    let next = 0;
    for (const row of rows) {
      const result: ResultRow =
        row.description === null
          ? { id: row.id, description: null, status: 'error', candidates: [], error: row.problem ?? 'unreadable description' }
          : { id: row.id, description: row.description, ...results[next++] };
      counts[result.status]++;
      await writer.write(result);
    }
    bar?.update(rows.length);
    await writer.close();
  } catch (e) {
    await writer.abort?.();
    throw e;
  } finally {
    bar?.stop();
  }
  const s = (performance.now() - t0) / 1000;
  log(`${rows.length} rows in ${s.toFixed(1)} s (${(rows.length / Math.max(s, 1e-9)).toFixed(0)} rows/s): ${counts.ok} ok, ${counts.review} review, ${counts.error} error -> ${o.output}`);
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command('hs-classify')
    .description('Classify invoice descriptions into HS 2022 codes with confidences and supporting examples.')
    .exitOverride();
  program
    .command('classify')
    .description('classify a column of a CSV, XLSX or JSONL file; the output format follows the extension (.jsonl, .csv, .xlsx)')
    .requiredOption('--input <file>', 'input file (.csv, .xlsx, .jsonl)')
    .requiredOption('--column <name>', 'the column with the descriptions')
    .option('--id-column <name>', 'a column whose values identify the rows (default: the data row number)')
    .addOption(new Option('--country <code>', 'also choose the national line: US (HTS 10-digit) or EU (CN 8-digit)').choices(['US', 'EU']))
    .requiredOption('--output <file>', 'output file (.jsonl, .csv, .xlsx)')
    .action(runClassify);
  program
    .command('build')
    .description('train the model into the cache now (otherwise the first classification does it)')
    .action(() => {
      const { versions, timings } = openEngine({ log });
      log(`model ${versions.model} ready in ${(timings.modelMs / 1000).toFixed(1)} s${timings.fromCache ? ' (already cached)' : ''}`);
    });
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof InputError || e instanceof DataError) {
      log(`hs-classify: ${e.message}`);
      return 2;
    }
    log(`hs-classify: unexpected error: ${(e as Error).stack ?? e}`);
    return 1;
  }
}

if (require.main === module) main(process.argv).then((code) => (process.exitCode = code));
