// hs-classify: the command line.
//   hs-classify classify --input FILE --column NAME [--id-column NAME] [--country US|EU] --output FILE
//   hs-classify review INPUT.xlsx|INPUT.csv --column NAME [--sheet NAME] [--id-column NAME] [--country US|EU] --output OUT.xlsx
//   hs-classify duties --code 6109100012 --origin CN [--date YYYY-MM-DD]   the US duty stack of a line (JSON)
//   (classify and review take --origin XX or --origin-column NAME, with --country US, to add the duty stack)
//   hs-classify learn --input FILE --column DESC --code-column CODE [--id-column ID]   import company examples
//   hs-classify feedback --input REVIEWED.xlsx [--sheet NAME] --url URL [--key KEY]   send the corrections of a reviewed workbook
//   hs-classify build      train the model into the cache (what the first start would do)
//   hs-classify audit verify [--store FILE] [--checkpoints FILE --public-key FILE]   check the audit trail's hash chain
//     (SQLITE_PATH or DATABASE_URL) and its signed checkpoints; exit 3 when it does not verify
//   hs-classify audit checkpoint [--key FILE] [--checkpoints FILE]   sign the trail's head now (server/audit/cli.ts)
import { Command, CommanderError, Option } from 'commander';
import cliProgress from 'cli-progress';
import { streamRows, openWriter, assertDistinctPaths, InputError, type ResultRow } from './io';
import { openEngine } from '../engine';
import { classifyTextStream, JsonRow, openClassifier } from '../pool';
import { repeatNote } from '../pool/repeats';
import { DataError } from '../data';
import type { Country } from '../types';
import fs from 'node:fs';
import { registerAuditCommands, EXIT_CHAIN_BROKEN } from '../audit/cli';
import { runReview } from '../review/run';
import { prepareDuties, runDuties, withDuties, type DutyCliOptions } from '../duties/cli';
import { DUTY_COLUMNS } from '../duties/apply';
import { localCompanyExamples, runLearn, storeEnv, type LearnOptions } from './learn';
import { runFeedback } from './feedback';

/** Exit code of `audit verify` when the trail does not verify. */
export { EXIT_CHAIN_BROKEN };

/** Inputs at least this long show a progress bar on stderr. */
const PROGRESS_FROM = 500;

const log = (msg: string) => process.stderr.write(`${msg}\n`);

/** A cheap estimate of the data rows of a CSV/JSONL file (its line breaks), for the progress bar. */
async function estimateRows(file: string): Promise<number> {
  let n = 0;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
    for (let i = (chunk as Buffer).indexOf(10); i >= 0; i = (chunk as Buffer).indexOf(10, i + 1)) n++;
  }
  return n;
}

/**
 * Streams the input through the worker pool into the output: rows are read, classified (a bounded number of
 * chunks in flight) and written in input order, so memory does not grow with the file (XLSX input is read whole).
 */
async function runClassify(o: { input: string; column: string; idColumn?: string; country?: Country; output: string; companyExamples?: boolean; sqlite?: string } & DutyCliOptions) {
  assertDistinctPaths(o.input, o.output);
  const duties = await prepareDuties(o);
  const company = o.companyExamples ? await localCompanyExamples(storeEnv(o.sqlite), fs.existsSync) : undefined;
  if (o.companyExamples) log(`${company?.examples.length ?? 0} company examples from the audit store`);
  const source = streamRows(o.input, { column: o.column, idColumn: o.idColumn, mergedOnce: true });
  // The first row (or the file's error: unreadable, missing column) before the engines are started.
  const first = await source.next();
  const rows = (async function* () {
    if (!first.done) yield first.value;
    yield* source;
  })();
  const isXlsx = /\.xls[xm]$/i.test(o.input);
  const estimate = isXlsx ? 0 : await estimateRows(o.input);
  const t0 = performance.now();
  const classifier = await openClassifier({ log });
  log(
    classifier.workers
      ? `${classifier.workers} worker threads ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`
      : `engine ready in ${((performance.now() - t0) / 1000).toFixed(1)} s (WORKERS=0: this thread)`,
  );
  const bar =
    estimate >= PROGRESS_FROM || isXlsx
      ? new cliProgress.SingleBar(
          { format: 'classifying [{bar}] {percentage}% | {value}/{total} rows | {eta_formatted} left', stream: process.stderr, noTTYOutput: true, notTTYSchedule: 2000 },
          cliProgress.Presets.shades_classic,
        )
      : null;
  const counts = { ok: 0, review: 0, error: 0 };
  let n = 0;
  const t1 = performance.now();
  let writer: Awaited<ReturnType<typeof openWriter>> | null = null;
  try {
    writer = await openWriter(o.output, { extraColumns: duties ? DUTY_COLUMNS : [] });
    bar?.start(Math.max(estimate, 1), 0);
    for await (const { item: row, result: r } of classifyTextStream(classifier, rows, (x) => x.description, { country: o.country, ...(company ? { options: { company } } : {}) })) {
      // As the worker wrote it (JSONL writes the text, unparsed), unless duties change the row.
      let result: ResultRow | JsonRow<ResultRow> =
        r === null
          ? { id: row.id, description: null, status: 'error', candidates: [], error: row.problem ?? 'unreadable description' }
          : JsonRow.classified(row.id, row.description, r);
      if (duties) result = withDuties(duties, result instanceof JsonRow ? result.row : result, n);
      counts[result.status]++;
      await writer.write(result);
      n++;
      if (bar && n % 100 === 0) {
        if (n > bar.getTotal()) bar.setTotal(n + 1000);
        bar.update(n);
      }
    }
    bar?.setTotal(Math.max(n, 1));
    bar?.update(n);
    await writer.close();
  } catch (e) {
    await writer?.abort?.();
    throw e;
  } finally {
    bar?.stop();
    await classifier.close();
  }
  const s = (performance.now() - t1) / 1000;
  log(
    `${n} rows in ${s.toFixed(1)} s (${(n / Math.max(s, 1e-9)).toFixed(0)} rows/s): ${counts.ok} ok, ${counts.review} review, ${counts.error} error -> ${o.output} ` +
      `(peak memory ${Math.round(process.resourceUsage().maxRSS / 1024)} MB${repeatNote(classifier)})`,
  );
}

/** The duty options shared by classify and review. */
function dutyOptions(cmd: Command): Command {
  return cmd
    .option('--origin <iso2>', 'country of origin of every row (ISO 3166-1 alpha-2): adds the US duty stack to each US line (needs --country US)')
    .option('--origin-column <name>', 'a column with each row\'s country of origin, instead of --origin')
    .option('--date <yyyy-mm-dd>', 'entry date for the duties (default today)')
    .option('--steel-pour-country <iso2>', 'where the steel was melted and poured (Section 232)')
    .option('--aluminum-smelt-country <iso2>', 'where the aluminum was smelted and cast (Section 232)');
}

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
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
    .option('--company-examples', 'consult the company examples imported with `learn` (the audit store: SQLITE_PATH or DATABASE_URL)')
    .option('--sqlite <file>', 'with --company-examples: the SQLite audit file (default SQLITE_PATH, or ./data/audit.sqlite)');
  dutyOptions(program.commands[program.commands.length - 1]).action(runClassify);
  program
    .command('duties')
    .description('the US duty stack of a 10-digit line for an origin and entry date, with the provisions that impose it (JSON on stdout)')
    .requiredOption('--code <hts10>', 'the US HTS 10-digit line, e.g. 6109100012')
    .requiredOption('--origin <iso2>', 'country of origin, ISO 3166-1 alpha-2, e.g. CN')
    .option('--date <yyyy-mm-dd>', 'entry date (default today)')
    .option('--steel-pour-country <iso2>', 'where the steel was melted and poured (Section 232)')
    .option('--aluminum-smelt-country <iso2>', 'where the aluminum was smelted and cast (Section 232)')
    .action((o: { code: string; origin: string; date?: string; steelPourCountry?: string; aluminumSmeltCountry?: string }) => runDuties(o, (s) => process.stdout.write(s)));
  const review = program
    .command('review')
    .description('classify a supplier workbook (or CSV) into a reviewable, printable copy: result columns beside the descriptions, a Summary sheet, recorded in the audit trail')
    .argument('<input>', 'the supplier file (.xlsx, .xlsm, .csv); never modified')
    .requiredOption('--column <name>', 'the column with the descriptions')
    .option('--sheet <name>', 'the worksheet (default: the first)')
    .option('--id-column <name>', 'a column whose values identify the rows in the audit trail (default: the data row number)')
    .addOption(new Option('--country <code>', 'also choose the national line: US (HTS 10-digit) or EU (CN 8-digit)').choices(['US', 'EU']))
    .requiredOption('--output <file>', 'the reviewed copy (.xlsx)')
    .option('--company-examples', 'consult the company examples imported with `learn` (in the audit store the review is recorded in)');
  dutyOptions(review).action(async (input: string, o: { column: string; sheet?: string; idColumn?: string; country?: Country; output: string; companyExamples?: boolean } & DutyCliOptions) => {
    await runReview({ input, ...o, log });
  });
  program
    .command('feedback')
    .description(
      'send the corrections of a workbook written by `review` or the add-in to the service (POST /api/v1/feedback): every row whose HS code 1 ' +
        'differs from what was written, or whose Status says "confirmed" (or ✓); exit 4 when any row was refused or could not be read',
    )
    .requiredOption('--input <file>', 'the reviewed workbook (.xlsx)')
    .option('--sheet <name>', 'the worksheet (default: the first with the result columns)')
    .requiredOption('--url <url>', 'the classification service, e.g. https://localhost:3000')
    .option('--key <key>', 'API key with the review role (default: the API_KEY environment variable)')
    .action(async (o: { input: string; sheet?: string; url: string; key?: string }) => {
      exitCode = await runFeedback({ ...o, key: o.key ?? (process.env.API_KEY || undefined) });
    });
  program
    .command('learn')
    .description('import a company\'s classified product list as company examples (all rows or none), recorded in the audit trail; later classifications consult them first')
    .requiredOption('--input <file>', 'the list (.csv, .xlsx, .jsonl)')
    .requiredOption('--column <name>', 'the column with the descriptions')
    .requiredOption('--code-column <name>', 'the column with the codes (HS 6, or a US 10 / EU 8 digit line; as text)')
    .option('--id-column <name>', 'a column with the item ids')
    .option('--sheet <name>', 'XLSX: the worksheet (default: the first)')
    .option('--who <name>', 'who imports (default cli:<user name>)')
    .option('--sqlite <file>', 'the SQLite audit file (default SQLITE_PATH, or ./data/audit.sqlite; DATABASE_URL selects PostgreSQL)')
    .action(async (o: LearnOptions) => {
      await runLearn(o, log);
    });
  program
    .command('build')
    .description('train the model into the cache now (otherwise the first classification does it)')
    .action(() => {
      const { versions, timings } = openEngine({ log });
      log(`model ${versions.model} ready in ${(timings.modelMs / 1000).toFixed(1)} s${timings.fromCache ? ' (already cached)' : ''}`);
    });
  registerAuditCommands(program, (code) => (exitCode = code));
  try {
    await program.parseAsync(argv);
    return exitCode;
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
