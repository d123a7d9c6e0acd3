// Steps 4 and 5 of hs-classify review (run.ts): the workbook again, now with the results. The add-in's result
// columns are inserted right of the description column (formulas, merges, conditional formats, data validations,
// filters and print areas that pointed beyond it move along; images anchored there do not), the cells written,
// review rows highlighted, a Summary added; then it is written to a temporary file beside the output (streaming,
// row by row, for big sheets) and renamed. writeReviewedApart does it on a thread of its own: the whole workbook's
// heap (millions of cell objects) goes with the thread instead of adding to the classification's.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { formulaSafe, InputError } from '../cli/io';
import type { EngineInfo } from '../pool';
import type { Country, RowStatus } from '../types';
import { loadWorkbook, locate, cellText } from './load';
import { apart } from './apart';
import type { MergedRow, Pending } from './rows';
import { colName, quoteSheet, shiftFormula, shiftRange } from './refs';
import { DUTY_RESULT_COLUMNS, RESULT_COLUMNS, requestCell, STATUS_AT } from '../../addin/columns';

const WIDTHS = [11, 12, 11, 12, 11, 12, 70, 10, 42, 11, 80];
/** Offset (0-based) within RESULT_COLUMNS of the reasoning. */
const REASONING_AT = 6;
/** Rows listed on the Summary sheet, lowest confidence first. */
export const LOWEST_LISTED = 100;
export const SUMMARY_SHEET = 'Summary';

export const REVIEW_FILL = 'FFFFE699'; // light amber
export const ERROR_FILL = 'FFF8CBAD'; // light red

/** What a row's result cells need, kept per row between classification and writing (the full result is not). */
export interface Cells {
  codes: string[];
  confs: number[];
  reasoning: string;
  status: RowStatus;
  /** With an origin: the first candidate's total duty (fraction) and its parts on one line. */
  dutyTotal?: number | null;
  duties?: string;
}

/** Everything the writing needs: plain data, so that it can go to another thread. */
export interface WriteJob {
  input: string;
  output: string;
  column: string;
  sheet?: string;
  idColumn?: string;
  streamFrom?: number;
  pending: Pending[];
  merged: MergedRow[];
  /** Per pending row, its result cells. */
  cells: Cells[];
  requestId: string;
  createdAt: string;
  versions: EngineInfo['versions'];
  country?: Country;
  /** With an origin: what the Summary says of the duties (and the duty columns are added). */
  duties: { origin: string; date: string; version: string; revisions: string } | null;
  /** Where the run was recorded, or null. */
  audit: string | null;
  counts: Record<RowStatus, number>;
  chapters: Map<string, number>;
  /** Chapter code -> official description. */
  chapterNames: Record<string, string>;
}

export interface Written {
  sheet: string;
  /** The inserted columns (1-based, first = HS code 1) and the header row. */
  firstResultCol: number;
  headerRow: number;
}

/** Writes the reviewed workbook to job.output (through a temporary file beside it). */
export async function writeReviewed(job: WriteJob): Promise<Written> {
  // 4. The workbook again, now with the results: insert the columns, write the cells, present, summarise. A big
  //    sheet is not changed cell by cell in memory: its cells move right and get their results as the streaming
  //    copy writes each row (step 5); a small one (or one the streaming writer cannot keep) is changed in place.
  const { pending, merged, cells, requestId, createdAt, versions, counts, chapters, chapterNames, audit } = job;
  const { wb } = await loadWorkbook(job.input);
  const { ws, headerRow, descCol } = locate(wb, job.input, job);
  const at = descCol + 1;
  const columns: readonly string[] = job.duties ? [...RESULT_COLUMNS, ...DUTY_RESULT_COLUMNS] : RESULT_COLUMNS;
  const width = columns.length;
  const streamed = streamable(wb, job.streamFrom);
  const headerStyle = ws.getRow(headerRow).getCell(descCol).style;
  const kOf = new Map(pending.map((p, k) => [p.row, k]));
  const firstOf = new Map(merged.map((m) => [m.row, m.first]));
  /** Writes the added cells of sheet row `row` (the header, a classified row, or a row under a merged description). */
  const fill = (row: ExcelJS.Row) => {
    if (row.number === headerRow) {
      columns.forEach((name, i) => {
        const c = row.getCell(at + i);
        c.value = formulaSafe(name);
        c.style = { ...headerStyle, font: { ...(headerStyle.font ?? {}), bold: true }, numFmt: '@' };
      });
    }
    const k = kOf.get(row.number);
    if (k !== undefined) writeResult(row, at, cells[k], requestId, k + 1);
    const first = firstOf.get(row.number);
    if (first !== undefined) {
      const rc = row.getCell(at + REASONING_AT);
      rc.value = formulaSafe(`part of the merged description classified in row ${first}`);
      rc.numFmt = '@';
    }
  };
  const insert: Insertion = { ws, at, count: width, widths: WIDTHS.slice(0, width), sheets: new Set(wb.worksheets), fill };
  insertColumns(wb, ws, at, width, { cells: !streamed });
  if (!streamed) {
    WIDTHS.slice(0, width).forEach((w, i) => (ws.getColumn(at + i).width = w));
    for (const n of [headerRow, ...kOf.keys(), ...firstOf.keys()]) fill(ws.getRow(n));
  }

  const lastRow = merged.reduce((last, m) => Math.max(last, m.row), pending[pending.length - 1].row);
  const statusCol = colName(at + STATUS_AT);
  const range = `${colName(at)}${headerRow + 1}:${colName(at + width - 1)}${lastRow}`;
  ws.addConditionalFormatting({
    ref: range,
    rules: [
      { type: 'expression', priority: 1, formulae: [`$${statusCol}${headerRow + 1}="review"`], style: { fill: { type: 'pattern', pattern: 'solid', bgColor: { argb: REVIEW_FILL } } } },
      { type: 'expression', priority: 2, formulae: [`$${statusCol}${headerRow + 1}="error"`], style: { fill: { type: 'pattern', pattern: 'solid', bgColor: { argb: ERROR_FILL } } } },
    ],
  });
  const oldView = ws.views?.[0] as Partial<ExcelJS.WorksheetViewFrozen> | undefined;
  ws.views = [{ state: 'frozen', xSplit: oldView?.state === 'frozen' ? (oldView.xSplit ?? 0) : 0, ySplit: headerRow, topLeftCell: `A${headerRow + 1}` }];
  if (!ws.getColumn(descCol).width || ws.getColumn(descCol).width! < 30) ws.getColumn(descCol).width = 45;
  ws.pageSetup = { ...ws.pageSetup, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: `${headerRow}:${headerRow}` };

  const lowest = pending
    .map((p, k) => ({ row: p.row, conf: cells[k].confs[0] ?? -1, k }))
    .sort((a, b) => a.conf - b.conf || a.k - b.k)
    .slice(0, LOWEST_LISTED)
    .map(({ row, k }) => ({ row, cells: cells[k] }));
  addSummary(wb, {
    source: job.input,
    sheet: ws,
    column: job.column,
    descCol,
    requestId,
    createdAt,
    versions,
    country: job.country,
    duties: job.duties,
    audit,
    counts,
    chapters,
    chapterName: (ch) => chapterNames[ch] ?? '',
    lowest,
  });

  // 5. Write to a temporary file beside the output, then rename into place.
  const target = path.resolve(job.output);
  const outDir = path.dirname(target);
  const tmp = path.join(outDir, `.${path.basename(target)}.${process.pid}-${crypto.randomBytes(4).toString('hex')}.tmp`);
  try {
    if (streamed) await writeStreamed(wb, tmp, insert);
    else await wb.xlsx.writeFile(tmp);
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new InputError(`Cannot write output file ${job.output}: ${(e as Error).message}`);
  }
  return { sheet: ws.name, firstResultCol: at, headerRow };
}

/** writeReviewed on a thread of its own; an InputError there is an InputError here. */
export function writeReviewedApart(job: WriteJob): Promise<Written> {
  return apart<Written>(path.join(__dirname, 'write-worker.js'), job, `writing ${job.output}`);
}

/**
 * Writes one row's result cells: codes as text, confidences as percentages, every text formula-safe. The request id
 * cell is `id#row` (row = the row's number within the recorded request, for feedback); with an origin, the duty
 * total (a percentage) and the duty parts follow.
 */
function writeResult(row: ExcelJS.Row, at: number, r: Cells, requestId: string, rowNo: number): void {
  for (let i = 0; i < 3; i++) {
    const code = row.getCell(at + 2 * i);
    const conf = row.getCell(at + 2 * i + 1);
    code.value = r.codes[i] !== undefined ? formulaSafe(r.codes[i]) : null;
    code.numFmt = '@';
    conf.value = r.confs[i] ?? null;
    conf.numFmt = '0.0%';
  }
  const rc = row.getCell(at + REASONING_AT);
  rc.value = r.reasoning ? formulaSafe(r.reasoning) : null;
  rc.numFmt = '@';
  const sc = row.getCell(at + STATUS_AT);
  sc.value = formulaSafe(r.status);
  sc.numFmt = '@';
  const ic = row.getCell(at + STATUS_AT + 1);
  ic.value = formulaSafe(requestCell(requestId, rowNo));
  ic.numFmt = '@';
  if (r.duties === undefined) return;
  const dt = row.getCell(at + RESULT_COLUMNS.length);
  dt.value = r.dutyTotal ?? null;
  dt.numFmt = '0.0%';
  const dl = row.getCell(at + RESULT_COLUMNS.length + 1);
  dl.value = r.duties ? formulaSafe(r.duties) : null;
  dl.numFmt = '@';
}

type Sheetish = ExcelJS.Worksheet & {
  _merges?: Record<string, { range: string; top: number; left: number; bottom: number; right: number }>;
  conditionalFormattings?: ExcelJS.ConditionalFormattingOptions[];
  dataValidations: { model: Record<string, unknown> };
};

/** A formula cell's value with its references to the moved cells of `ws` shifted (shared formulas written out), or null for any other cell. */
function shiftedValue(cell: ExcelJS.Cell, sheet: ExcelJS.Worksheet, ws: ExcelJS.Worksheet, at: number, count: number): ExcelJS.CellValue | null {
  if (cell.type !== ExcelJS.ValueType.Formula) return null;
  const v = cell.value as ExcelJS.CellFormulaValue & { shareType?: string; ref?: string };
  const formula = cell.formula; // translated for shared-formula dependents
  if (!formula) return null;
  const shifted = shiftFormula(formula, sheet.name, ws.name, at, count);
  if (v.shareType === 'array' && v.ref) {
    return { formula: shifted, result: v.result, shareType: 'array', ref: sheet === ws ? shiftRange(v.ref, at, count) : v.ref } as ExcelJS.CellValue;
  }
  return { formula: shifted, result: cell.result } as ExcelJS.CellFormulaValue;
}

/**
 * Inserts `count` empty columns at column `at` of `ws` and moves every reference to the moved cells along:
 * formulas on every sheet (shared formulas are written out per cell first), merges, conditional formats,
 * data validations, the auto filter, the print area and print titles. Defined names: exceljs. With `cells: false`
 * the cells, their formulas and the merges stay where they are (the streaming copy moves them, writeStreamed).
 */
export function insertColumns(wb: ExcelJS.Workbook, ws: ExcelJS.Worksheet, at: number, count: number, o: { cells?: boolean } = {}): void {
  const s = ws as Sheetish;
  if (o.cells !== false) {
    for (const sheet of wb.worksheets) {
      sheet.eachRow({ includeEmpty: false }, (row) => {
        row.eachCell({ includeEmpty: false }, (cell) => {
          const v = shiftedValue(cell, sheet, ws, at, count);
          if (v) cell.value = v;
        });
      });
    }
    const merges = Object.values(s._merges ?? {}).map((m) => m.range);
    for (const m of merges) ws.unMergeCells(m);
    ws.spliceColumns(at, 0, ...Array.from({ length: count }, () => []));
    for (const m of merges) ws.mergeCells(shiftRange(m, at, count));
  }
  for (const cf of s.conditionalFormattings ?? []) {
    cf.ref = shiftRange(cf.ref, at, count);
    for (const rule of cf.rules) {
      const f = (rule as { formulae?: unknown[] }).formulae;
      if (Array.isArray(f)) (rule as { formulae: unknown[] }).formulae = f.map((x) => (typeof x === 'string' ? shiftFormula(x, ws.name, ws.name, at, count) : x));
    }
  }
  const dv = s.dataValidations?.model;
  if (dv) {
    const moved: Record<string, unknown> = {};
    for (const [addr, rule] of Object.entries(dv)) moved[shiftRange(addr, at, count)] = rule;
    s.dataValidations.model = moved;
  }
  if (typeof ws.autoFilter === 'string') ws.autoFilter = shiftRange(ws.autoFilter, at, count);
  if (ws.pageSetup?.printArea) ws.pageSetup.printArea = shiftRange(ws.pageSetup.printArea, at, count);
  if (ws.pageSetup?.printTitlesColumn) ws.pageSetup.printTitlesColumn = shiftRange(ws.pageSetup.printTitlesColumn, at, count);
}

interface SummaryInput extends Pick<WriteJob, 'column' | 'requestId' | 'createdAt' | 'versions' | 'country' | 'duties' | 'audit' | 'counts' | 'chapters'> {
  source: string;
  sheet: ExcelJS.Worksheet;
  descCol: number;
  chapterName: (ch: string) => string;
  /** The rows listed, with their result cells. */
  lowest: Array<{ row: number; cells: Cells }>;
}

/** A sheet name not yet in the workbook. */
function freeName(wb: ExcelJS.Workbook, wanted: string): string {
  const taken = new Set(wb.worksheets.map((s) => s.name.toLowerCase()));
  if (!taken.has(wanted.toLowerCase())) return wanted;
  for (let i = 2; ; i++) if (!taken.has(`${wanted} (${i})`.toLowerCase())) return `${wanted} (${i})`;
}

function addSummary(wb: ExcelJS.Workbook, s: SummaryInput): ExcelJS.Worksheet {
  const sum = wb.addWorksheet(freeName(wb, SUMMARY_SHEET), { properties: { tabColor: { argb: 'FF2F5597' } } });
  sum.columns = [{ width: 26 }, { width: 60 }, { width: 14 }, { width: 12 }, { width: 12 }];
  const text = (v: string) => formulaSafe(v);
  const bold = { bold: true };
  const title = sum.addRow([text('HS classification review')]);
  title.font = { bold: true, size: 14 };
  const facts: Array<[string, string]> = [
    ['Source file', path.basename(s.source)],
    ['Sheet / column', `${s.sheet.name} / ${s.column}`],
    ['Reviewed at (UTC)', s.createdAt.replace('T', ' ').slice(0, 19)],
    ['Request ID', s.requestId],
    ['Audit trail', s.audit ? `recorded (${s.audit})` : 'NOT recorded (audit store not available)'],
    ['National lines', s.country ?? 'none (HS 6)'],
    ['Model version', s.versions.model],
    ['Data version', s.versions.data],
    ['Config version', s.versions.config],
    ['Rules version', s.versions.rules],
    ...(s.duties
      ? ([
          ['Country of origin', s.duties.origin],
          ['Entry date (duties)', s.duties.date],
          ['Duty data version', s.duties.version],
          ['Duty data revisions', s.duties.revisions],
        ] as Array<[string, string]>)
      : []),
  ];
  for (const [k, v] of facts) {
    const r = sum.addRow([text(k), text(v)]);
    r.getCell(1).font = bold;
    r.getCell(2).numFmt = '@';
  }
  const total = s.counts.ok + s.counts.review + s.counts.error;
  const section = (name: string, headers: string[], right = [3, 4]) => {
    sum.addRow([]);
    sum.addRow([text(name)]).font = { bold: true, size: 12 };
    const h = sum.addRow(headers.map(text));
    h.font = bold;
    h.eachCell((c, col) => {
      c.border = { bottom: { style: 'thin' } };
      if (right.includes(col)) c.alignment = { horizontal: 'right' };
    });
  };
  section('Rows per status', ['Status', 'Meaning', 'Rows', 'Share']);
  const meaning: Record<RowStatus, string> = {
    ok: 'confident enough to use after a spot check',
    review: 'needs an analyst: best confidence under the threshold',
    error: s.duties ? 'no classifiable description (blank, unreadable or too long), or a blank or unknown origin' : 'no classifiable description (blank, unreadable or too long)',
  };
  for (const st of ['ok', 'review', 'error'] as const) {
    const r = sum.addRow([st, text(meaning[st]), s.counts[st], total ? s.counts[st] / total : 0]);
    r.getCell(4).numFmt = '0.0%';
  }
  const tr = sum.addRow(['total', '', total, total ? 1 : 0]);
  tr.font = bold;
  tr.getCell(4).numFmt = '0.0%';

  section('Rows per chapter (HS code 1)', ['Chapter', 'Description', 'Rows', 'Share']);
  for (const [ch, n] of [...s.chapters.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    const r = sum.addRow([ch, text(s.chapterName(ch)), n, total ? n / total : 0]);
    r.getCell(1).numFmt = '@';
    r.getCell(4).numFmt = '0.0%';
  }

  section(`Lowest confidence first (${s.lowest.length} of ${total} rows; the link opens the row)`, ['Row', 'Description', 'HS code 1', 'Confidence 1', 'Status'], [4]);
  const ref = (col: number, row: number) => `${quoteSheet(s.sheet.name)}!${colName(col)}${row}`;
  for (const { row, cells } of s.lowest) {
    const desc = cellText(s.sheet.getRow(row).getCell(s.descCol).value) ?? '';
    const code = cells.codes[0] !== undefined ? text(cells.codes[0]) : null;
    const conf = cells.confs[0] ?? null;
    const status = text(cells.status);
    const label = `${s.sheet.name} row ${row}`;
    const target = `#${ref(s.descCol, row)}`;
    const r = sum.addRow([
      { formula: `HYPERLINK("${target.replace(/"/g, '""')}","${label.replace(/"/g, '""')}")`, result: label },
      text(desc.length > 200 ? `${desc.slice(0, 199)}…` : desc),
      code,
      conf,
      status,
    ]);
    r.getCell(1).font = { color: { argb: 'FF0563C1' }, underline: true };
    r.getCell(3).numFmt = '@';
    r.getCell(4).numFmt = '0.0%';
  }
  sum.views = [{ state: 'normal' }];
  sum.pageSetup = { orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 };
  return sum;
}

/** Worksheets with this many rows or more are written with exceljs's streaming writer (see writeStreamed). */
export const STREAM_FROM = 20_000;

/**
 * Whether `wb` is written with the streaming writer: when a sheet has `streamFrom` rows or more, and nothing only
 * the whole-workbook writer keeps (images, tables, a background) is in it.
 */
function streamable(wb: ExcelJS.Workbook, streamFrom = STREAM_FROM): boolean {
  const big = wb.worksheets.some((ws) => ws.rowCount >= streamFrom);
  const special = wb.worksheets.some(
    (ws) => ws.getImages().length > 0 || Object.keys((ws as unknown as { tables?: object }).tables ?? {}).length > 0 || (ws as unknown as { background?: unknown }).background,
  );
  return big && !special;
}

/** The result columns a streaming copy inserts into a sheet whose cells were not moved in memory. */
interface Insertion {
  ws: ExcelJS.Worksheet;
  at: number;
  count: number;
  /** Widths of the inserted columns. */
  widths: number[];
  /** The sheets whose formulas point at the sheet's cells as they were (not the Summary, added after). */
  sheets: Set<ExcelJS.Worksheet>;
  /** Writes a row's added cells on the written row. */
  fill: (row: ExcelJS.Row) => void;
}

/**
 * Writes `wb` to `file` with exceljs's streaming writer, row by row, each row released once written (the
 * whole-workbook writer builds a second copy of every cell and the sheet's whole XML text in memory). On the way,
 * the cells of `ins.ws` at or right of `ins.at` move right by `ins.count`, formulas pointing at them move along,
 * and each row gets its added cells. Values, formulas, styles, row heights, column definitions, merges,
 * conditional formats, data validations, auto filter, views, page setup, header/footer, protection, notes and
 * defined names go across; images and tables do not (see streamable).
 */
async function writeStreamed(wb: ExcelJS.Workbook, file: string, ins: Insertion): Promise<void> {
  const out = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useStyles: true, useSharedStrings: true });
  out.creator = wb.creator ?? '';
  out.lastModifiedBy = wb.lastModifiedBy ?? '';
  if (wb.created) out.created = wb.created;
  out.modified = new Date();
  out.views = wb.views;
  (out as unknown as { definedNames: { model: unknown } }).definedNames.model = wb.definedNames.model;
  for (const ws of wb.worksheets) {
    const target = ws === ins.ws;
    const shifts = ins.sheets.has(ws);
    const colOf = (col: number) => (target && col >= ins.at ? col + ins.count : col);
    const w = out.addWorksheet(ws.name, {
      properties: ws.properties,
      views: ws.views,
      pageSetup: ws.pageSetup,
      headerFooter: ws.headerFooter,
      state: ws.state,
    });
    const cols = (ws as unknown as { _columns?: ExcelJS.Column[] })._columns ?? [];
    const defs = cols.map((c) => ({ width: c.width, hidden: c.hidden, outlineLevel: c.outlineLevel, style: c.style })) as Partial<ExcelJS.Column>[];
    if (target) {
      while (defs.length < ins.at - 1) defs.push({});
      defs.splice(ins.at - 1, 0, ...ins.widths.map((width) => ({ width })));
    }
    if (defs.length) w.columns = defs;
    const src = ws as Sheetish;
    for (const m of Object.values(src._merges ?? {})) w.mergeCells(target ? shiftRange(m.range, ins.at, ins.count) : m.range);
    // Inserted cells inside a merge that spans the insertion take the merge's style, as merging in memory gives them.
    const spanning = target
      ? Object.values(src._merges ?? {})
          .filter((m) => m.left < ins.at && m.right >= ins.at)
          .map((m) => ({ top: m.top, bottom: m.bottom, style: ws.getCell(m.top, m.left).style }))
      : [];
    for (const cf of src.conditionalFormattings ?? []) w.addConditionalFormatting(cf);
    (w as unknown as Sheetish).dataValidations.model = src.dataValidations.model;
    if (ws.autoFilter) w.autoFilter = ws.autoFilter;
    const protection = (ws as unknown as { sheetProtection?: unknown }).sheetProtection;
    if (protection) (w as unknown as { sheetProtection: unknown }).sheetProtection = protection;
    const rows = (ws as unknown as { _rows: Array<ExcelJS.Row | undefined> })._rows;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      if (!row) continue;
      const r = w.getRow(row.number);
      if (row.height) r.height = row.height;
      if (row.hidden) r.hidden = true;
      if (row.outlineLevel) r.outlineLevel = row.outlineLevel;
      row.eachCell({ includeEmpty: true }, (c, col) => {
        const t = r.getCell(colOf(col));
        if (c.type !== ExcelJS.ValueType.Merge) t.value = (shifts && shiftedValue(c, ws, ins.ws, ins.at, ins.count)) || c.value;
        t.style = c.style;
        if (c.note) t.note = c.note;
      });
      for (const m of spanning) {
        if (row.number < m.top || row.number > m.bottom) continue;
        for (let col = ins.at; col < ins.at + ins.count; col++) r.getCell(col).style = m.style;
      }
      if (target) ins.fill(r);
      r.commit();
      rows[i] = undefined; // written: let it go
    }
    w.commit();
  }
  await out.commit();
}
