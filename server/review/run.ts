// hs-classify review: a supplier workbook back classified, reviewable and printable.
//
// 1. The workbook is read (exceljs, whole: the only way to keep every sheet, value, formula and format) to
//    find the header and the descriptions, then let go: a heap of millions of cell objects slows every garbage
//    collection while the rows are classified.
// 2. The rows are classified on the worker pool, streaming; the classification memory (confirmed answers, as the
//    service serves them) is applied; per row only its cells' contents are kept, and its audit record (the JSON row
//    the API would return) is staged in the audit store in batches.
// 3. The run is recorded in the audit trail like POST /classify (one request, its rows, one transaction).
// 4. The workbook is read again, on a thread of its own (write.ts): the add-in's result columns are inserted right
//    of the description column, the cells written, review rows highlighted, a Summary added.
// 5. It is written to a temporary file beside the output (streaming, row by row, for big sheets) and renamed.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { assertDistinctPaths, InputError } from '../cli/io';
import type { OpenedEngine } from '../engine';
import { classifyTextStream, InlineClassifier, JsonRow, openClassifier, type EngineInfo, type ResultText, type RowClassifier } from '../pool';
import { DuplicateRequestError, type AuditStore, type StagedRequest } from '../audit/store';
import { openStore, describeStore } from '../audit/open';
import { CompanyExampleSet } from '../memory/examples';
import { memoryAnswers, rememberRow, type MemoryContext } from '../memory/apply';
import { approvalsFrom, memoryKey, type MemoryAnswer } from '../memory/feedback';
import { nationalIndex, type NationalIndex } from '../memory/codes';
import { loadDataset } from '../data';
import { resolveDataDir } from '../data/files';
import { loadRules } from '../rules/load';
import type { ResultRowT } from '../service/schemas';
import { repeatNote } from '../pool/repeats';
import type { ClassificationResult, Country, RowStatus } from '../types';
import { readRowsApart } from './rows';
import { writeReviewedApart, type Cells } from './write';
import { dutyLine, dutyTotal, RESULT_COLUMNS } from '../../addin/columns';
import { checkDutyOptions, withDuties, type CheckedDuties, type DutyCliOptions } from '../duties/cli';
import { dutyVersions } from '../duties/load';

export { RESULT_COLUMNS };
export { SUMMARY_SHEET, REVIEW_FILL, ERROR_FILL, LOWEST_LISTED, STREAM_FROM, insertColumns } from './write';

/** Audit rows staged per batch while classifying (bounds what is held in memory). */
export const AUDIT_BATCH = 1000;

export interface ReviewOptions extends DutyCliOptions {
  input: string;
  column: string;
  output: string;
  sheet?: string;
  idColumn?: string;
  country?: Country;
  /** Environment for the audit store (SQLITE_PATH / DATABASE_URL); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** An engine already open (tests): classify on this thread with it. */
  opened?: OpenedEngine;
  /** Where to classify (e.g. a pool shared with the service); default a worker pool of WORKERS threads, closed at the end. */
  classifier?: RowClassifier;
  log?: (m: string) => void;
  /** Progress bar on stderr (default true). */
  progress?: boolean;
  /** Sheets with this many rows or more are written streaming (default STREAM_FROM). */
  streamFrom?: number;
  /** An audit store already open (left open); default openStore(env), closed at the end. */
  store?: AuditStore;
  /** The request id to record under (a job's id); default a new UUID. An id already recorded (an earlier attempt of the same job) is kept as it is. */
  requestId?: string;
  /** Fail when the run cannot be recorded, instead of going on unrecorded (jobs). */
  requireAudit?: boolean;
  /** Consult the company examples of the audit store (imported with `learn` or POST /examples). */
  companyExamples?: boolean;
  /** Reviewers who must agree before the classification memory serves a code; default FEEDBACK_APPROVALS of `env` (1). */
  memoryApprovals?: number;
  /** Reference data and rules for the memory's Note check; default the opened engine's, else read when the memory answers a row. */
  memoryContext?: MemoryContext;
  /** Rows classified so far, of the total. */
  onProgress?: (done: number, total: number) => void;
}

export interface ReviewResult {
  requestId: string;
  output: string;
  sheet: string;
  rows: number;
  counts: Record<RowStatus, number>;
  /** Where the run was recorded, or null when the audit store was not available. */
  audit: string | null;
  /** The inserted columns (1-based, first = HS code 1) and the header row. */
  firstResultCol: number;
  headerRow: number;
  timings: { loadS: number; classifyS: number; writeS: number };
}

const round4 = (c: number) => Math.round(c * 10000) / 10000;
const rssMb = () => `${Math.round(process.memoryUsage().rss / 1e6)} MB`;


export async function runReview(o: ReviewOptions): Promise<ReviewResult> {
  const log = o.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  if (path.extname(o.output).toLowerCase() !== '.xlsx') throw new InputError(`The review output must be an .xlsx file: ${o.output}`);
  assertDistinctPaths(o.input, o.output);
  const outDir = path.dirname(path.resolve(o.output));
  if (!fs.existsSync(outDir)) throw new InputError(`Output directory does not exist: ${outDir}`);
  // The duty options (origin, origin column, date) are checked before anything is read or classified.
  const duties: CheckedDuties | null = checkDutyOptions(o);

  // 1. Read the rows (and fail early on a bad file), on a thread of its own: the workbook's heap (millions of
  //    cell objects) goes with the thread, instead of slowing every garbage collection and staying resident.
  const t0 = performance.now();
  const { pending, merged, sheet: sheetName, headerRow: headerRowRead } = await readRowsApart({ input: o.input, column: o.column, sheet: o.sheet, idColumn: o.idColumn, originColumn: o.originColumn });
  const readS = (performance.now() - t0) / 1000;
  log(`read ${pending.length} rows from sheet "${sheetName}" of ${o.input} in ${readS.toFixed(1)} s (resident memory ${rssMb()})`);

  // 2. Classify on the worker pool, streaming: per row only its cells' contents are kept; its audit record (the
  //    JSON row the API would return) is staged in the audit store in batches. 3. The run is then recorded like
  //    POST /classify: one request and its rows, committed in one transaction.
  const own = o.classifier ? null : o.opened ? new InlineClassifier(o.opened) : await openClassifier({ log, env: o.env });
  const classifier = (o.classifier ?? own)!;
  const env = o.env ?? process.env;
  const requestId = o.requestId ?? crypto.randomUUID();
  const createdAt = new Date().toISOString();
  const counts: Record<RowStatus, number> = { ok: 0, review: 0, error: 0 };
  const chapters = new Map<string, number>();
  const cells: Cells[] = new Array(pending.length);
  const keyOf = (p: { description: string | null; problem?: string }) => (p.description && !p.problem ? memoryKey(p.description) : '');
  let memory: MemoryContext | null = null;
  let idx: NationalIndex | null = null;
  let memoryServed = 0;
  let memoryNotServed = 0;
  const prepared = duties ? { ...duties, origins: pending.map((p) => p.origin ?? null) } : null;
  let info: EngineInfo;
  let audit: string | null = null;
  let store: AuditStore | null = null;
  let staged: StagedRequest | null = null;
  const bar =
    o.progress === false
      ? null
      : new cliProgress.SingleBar(
          { format: 'classifying [{bar}] {percentage}% | {value}/{total} rows | {eta_formatted} left', stream: process.stderr, noTTYOutput: true, notTTYSchedule: 2000 },
          cliProgress.Presets.shades_classic,
        );
  const t1 = performance.now();
  try {
    info = await classifier.info();
    try {
      store = o.store ?? (await openStore(env));
      staged = await store.stageRequest(requestId, createdAt);
    } catch (e) {
      if (o.requireAudit) throw e;
      log(`audit trail not available (${describeStore(env)}: ${(e as Error).message}): this review is NOT recorded; going on`);
      if (!o.store) await store?.close();
      store = null;
    }
    const company = o.companyExamples && store ? await new CompanyExampleSet(store).forEngine() : undefined;
    // The classification memory, as POST /classify serves it: the answers for these descriptions, read once.
    const answers = store ? await memoryAnswers(store, pending.map(keyOf), o.memoryApprovals ?? approvalsFrom(env)) : new Map<string, MemoryAnswer>();
    if (answers.size) {
      memory = o.memoryContext ?? o.opened?.engine ?? { ds: loadDataset(resolveDataDir(env)), rules: loadRules(env.HS_RULES_DIR?.trim() || undefined) };
      idx = nationalIndex(memory);
    }
    if (o.companyExamples) log(`${company?.examples.length ?? 0} company examples from the audit store`);
    bar?.start(pending.length, 0);
    let k = 0;
    let batch: string[] = [];
    // Without duties a row's audit record is the worker's text with its id and description spliced in, and its
    // cells are read from that text once for every row that repeats it (the repeat cache shares the text).
    const cellsOf = new WeakMap<ResultText, Cells>();
    const rowCells = (r: ClassificationResult): Cells => {
      const top3 = r.candidates.slice(0, 3);
      return {
        codes: top3.map((c) => String(c.code || c.hs6)),
        confs: top3.map((c) => round4(c.confidence)),
        reasoning: r.status === 'error' ? (r.error ?? 'error') : (r.reasoning?.summary ?? ''),
        status: r.status,
        ...(prepared ? { dutyTotal: dutyTotal(r), duties: dutyLine(r) } : {}),
      };
    };
    for await (const { item: p, result } of classifyTextStream(classifier, pending, (x) => x.description, { country: o.country, ...(company ? { options: { company } } : {}) })) {
      let c: Cells;
      const a = result ? answers.get(keyOf(p)) : undefined;
      if (a) {
        const parsed = JSON.parse(result!.json) as ClassificationResult;
        const served = await rememberRow(memory!, idx!, { id: p.id, description: p.description, ...parsed } as ResultRowT, a, o.country);
        if (served.memory?.served === false) memoryNotServed++;
        else memoryServed++;
        const r = prepared ? withDuties(prepared, served, k) : served;
        if (staged) batch.push(JSON.stringify(r));
        c = rowCells(r);
      } else if (result && !prepared) {
        if (staged) batch.push(JsonRow.classified(p.id, p.description, result).json);
        c = cellsOf.get(result) ?? rowCells(JSON.parse(result.json) as ClassificationResult);
        cellsOf.set(result, c);
      } else {
        const classified: ClassificationResult = result ? (JSON.parse(result.json) as ClassificationResult) : { status: 'error', candidates: [], error: p.problem ?? 'unreadable description' };
        // With an origin, the row gets its duty stack (or becomes an error row naming a blank or unknown origin).
        const r = prepared ? withDuties(prepared, { id: p.id, description: p.description, ...classified }, k) : { id: p.id, description: p.description, ...classified };
        if (staged) batch.push(JSON.stringify(r));
        c = rowCells(r);
      }
      cells[k++] = c;
      counts[c.status]++;
      const chapter = c.codes[0]?.slice(0, 2);
      if (chapter) chapters.set(chapter, (chapters.get(chapter) ?? 0) + 1);
      if (batch.length >= AUDIT_BATCH) {
        await staged!.add(batch);
        batch = [];
      }
      if (k % 100 === 0) {
        bar?.update(k);
        o.onProgress?.(k, pending.length);
      }
    }
    o.onProgress?.(k, pending.length);
    bar?.update(k);
    if (staged) {
      await staged.add(batch);
      batch = [];
    }
  } catch (e) {
    await staged?.discard().catch(() => undefined);
    if (!o.store) await store?.close();
    throw e;
  } finally {
    bar?.stop();
    // The engines' memory is given back before the workbook is read again.
    await own?.close();
  }
  // The duty data's content hash and revisions join the recorded versions when the rows carry duties (as the service records them).
  const versions = duties ? { ...info.versions, ...dutyVersions(duties.data) } : info.versions;
  const classifyS = (performance.now() - t1) / 1000;
  log(`classified in ${classifyS.toFixed(1)} s (resident memory ${rssMb()}${repeatNote(classifier)})`);
  if (memoryServed || memoryNotServed) {
    log(`classification memory: ${memoryServed} row${memoryServed === 1 ? '' : 's'} answered from it${memoryNotServed ? `, ${memoryNotServed} not served (a Note excludes the remembered code; the reasoning says which)` : ''}`);
  }

  if (store && staged) {
    try {
      const head = {
        request_id: requestId,
        // 'classify', as POST /classify records it, so GET /classifications/:id and reclassify work on it too
        kind: 'classify',
        created_at: createdAt,
        versions,
        country: o.country ?? null,
        ...(duties ? { origin: duties.origin, entry_date: duties.options.date } : {}),
        row_count: staged.rows,
        source: { via: 'hs-classify review', file: path.basename(o.input), sheet: sheetName, column: o.column, header_row: headerRowRead },
      };
      try {
        await staged.commit(JSON.stringify(head));
      } catch (e) {
        if (!(o.requestId && e instanceof DuplicateRequestError)) throw e;
        await staged.discard();
        log(`request ${requestId} was already recorded by an earlier attempt: that record stands`);
      }
      audit = o.store ? store.backend : describeStore(env);
    } catch (e) {
      await staged.discard().catch(() => undefined);
      if (o.requireAudit) throw e;
      log(`audit trail not available (${describeStore(env)}: ${(e as Error).message}): this review is NOT recorded; going on`);
    } finally {
      if (!o.store) await store.close();
    }
  }
  log(`audit ${audit ? 'recorded' : 'skipped'} (resident memory ${rssMb()})`);

  // 4.-5. The workbook again, with the results (write.ts), on a thread of its own.
  const t2 = performance.now();
  const written = await writeReviewedApart({
    input: o.input,
    output: o.output,
    column: o.column,
    sheet: o.sheet,
    idColumn: o.idColumn,
    streamFrom: o.streamFrom,
    pending,
    merged,
    cells,
    requestId,
    createdAt,
    versions,
    country: o.country,
    duties: duties ? { origin: duties.origin ?? `from column "${o.originColumn}"`, date: duties.options.date!, version: duties.data.version, revisions: duties.data.revisions } : null,
    audit,
    counts,
    chapters,
    chapterNames: info.chapters,
  });
  const writeS = (performance.now() - t2) / 1000;
  log(
    `${pending.length} rows: ${counts.ok} ok, ${counts.review} review, ${counts.error} error; request ${requestId}` +
      `${audit ? ` recorded in ${audit}` : ' (not recorded)'} -> ${o.output} (read ${readS.toFixed(1)} s, classify ${classifyS.toFixed(1)} s, ` +
      `write ${writeS.toFixed(1)} s; resident memory ${rssMb()})`,
  );
  return { requestId, output: path.resolve(o.output), sheet: written.sheet, rows: pending.length, counts, audit, firstResultCol: written.firstResultCol, headerRow: written.headerRow, timings: { loadS: readS, classifyS, writeS } };
}
