/// <reference types="office-js" />
// Excel I/O for the task pane, in its own module: every function takes an Excel `context` (as in Microsoft's
// Office-Addin-TaskPane template, inside Excel.run) and nothing here touches the DOM, so it is unit-tested with
// office-addin-mock and driven end to end against a fake workbook.
//
// Layout: descriptions are read from the first column of the selection; results go into the nine columns
// immediately to the right of the selection (RESULT_COLUMNS), one line per selected row, and with a country of
// origin two more (DUTY_RESULT_COLUMNS: the duty total and the duty parts); when the selection has a header row,
// the header names go above them. The request id cell is `id#row` (the request and the row within it). Addresses are computed here (A1 notation on the selection's
// worksheet), so a run can be resumed in a later Excel.run by address.
import type { ResultRow } from './types';
import { DUTY_RESULT_COLUMNS, DUTY_RESULT_FORMATS, dutyLine, dutyTotal, requestCell, RESULT_COLUMNS, RESULT_FORMATS } from './columns';
import { checkOrigin, fixedOrigin, type OriginOption } from './origin';

export { RESULT_COLUMNS, RESULT_FORMATS, DUTY_RESULT_COLUMNS };
/** The result columns without an origin. */
export const RESULT_WIDTH = RESULT_COLUMNS.length;
/** The result columns with an origin (the duty total and the duties after the nine). */
export const DUTY_WIDTH = RESULT_WIDTH + DUTY_RESULT_COLUMNS.length;
/** Fill of rows that need an analyst's look (Fluent's warning background) and of error rows. */
export const REVIEW_FILL = '#FFF4CE';
export const ERROR_FILL = '#FDE7E9';
/** Rows read per sync when reading the selection (keeps each answer from Excel well under its 5 MB limit). */
export const READ_BLOCK = 5000;
/** Largest selection accepted (select the used cells, not whole columns). */
export const MAX_SELECTED_ROWS = 100_000;
/** Excel's longest cell text. */
const MAX_CELL_CHARS = 32_767;

export type WriteMode = 'blanks' | 'overwrite';
export type CellValue = string | number | boolean;

/** A text that Excel could read as a formula gets a leading apostrophe (as the CLI's formulaSafe in server/cli/io.ts). */
export function formulaSafe(s: string): string {
  return /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/.test(s) ? `'${s}` : s;
}

/** 0 -> A, 25 -> Z, 26 -> AA. */
export function columnLetters(index: number): string {
  let s = '';
  let n = index + 1;
  while (n > 0) {
    const m = (n - 1) % 26;
    s = String.fromCharCode(65 + m) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/** A -> 0, AA -> 26; null when not 1-3 letters. */
export function columnIndex(letters: string): number | null {
  const t = letters.trim().toUpperCase();
  if (!/^[A-Z]{1,3}$/.test(t)) return null;
  let n = 0;
  for (const ch of t) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1 <= 16383 ? n - 1 : null;
}

/** A1 address of a block on the sheet (0-based row and column indices, inclusive). */
export function a1(row0: number, col0: number, row1: number, col1: number): string {
  const tl = `${columnLetters(col0)}${row0 + 1}`;
  return row0 === row1 && col0 === col1 ? tl : `${tl}:${columnLetters(col1)}${row1 + 1}`;
}

/** The selected range, as loaded from Excel. */
export interface SelectionInfo {
  sheet: string;
  /** As Excel reports it, e.g. Sheet1!B2:B51. */
  address: string;
  rowIndex: number;
  columnIndex: number;
  rowCount: number;
  columnCount: number;
}

export interface SourceRow {
  /** 0-based row on the worksheet. */
  sheetRow: number;
  description: string | number | null;
  itemId?: string | number;
  /** Some result cell of this row is already non-empty. */
  filled: boolean;
  /** With an origin option: the row's country of origin, sent with it. */
  origin?: string;
  /** With an origin option: why the row has no usable origin (sent without one; shown in its Duties cell). */
  originProblem?: string;
}

export interface SelectionData extends SelectionInfo {
  header: boolean;
  /** The data rows (the header row excluded), top to bottom. */
  rows: SourceRow[];
  /** Non-empty cells in the result columns of the data rows (what overwrite would replace). */
  nonEmptyCells: number;
  /** The result cells of the header row are all empty. */
  headerBlank: boolean;
  /** First column of the results. */
  outColumn: number;
  /** Result columns written: RESULT_WIDTH, or DUTY_WIDTH with an origin. */
  width: number;
}

/** The selection's address, position and size: one sync. */
export async function getSelectionInfo(context: Excel.RequestContext): Promise<SelectionInfo> {
  const range = context.workbook.getSelectedRange();
  range.load('address,rowIndex,columnIndex,rowCount,columnCount');
  const ws = range.worksheet;
  ws.load('name');
  await context.sync();
  return { sheet: ws.name, address: range.address, rowIndex: range.rowIndex, columnIndex: range.columnIndex, rowCount: range.rowCount, columnCount: range.columnCount };
}

const isBlank = (v: unknown) => v === '' || v === null || v === undefined;

/**
 * Reads the selection: descriptions (first column), item ids (optional column letter, same rows), and whether
 * the result cells are already filled. One sync for the position, then one per READ_BLOCK rows.
 */
export async function readSelection(
  context: Excel.RequestContext,
  opts: { header: boolean; idColumn?: string | null; sel?: SelectionInfo; origin?: OriginOption },
): Promise<SelectionData> {
  const sel = opts.sel ?? (await getSelectionInfo(context));
  if (sel.rowCount > MAX_SELECTED_ROWS) {
    throw new Error(`the selection has ${sel.rowCount.toLocaleString('en-US')} rows: select the cells with descriptions (at most ${MAX_SELECTED_ROWS.toLocaleString('en-US')} rows), not whole columns`);
  }
  const idCol = opts.idColumn ? columnIndex(opts.idColumn) : null;
  if (opts.idColumn && idCol === null) throw new Error(`item-id column "${opts.idColumn}" is not a column letter (A, B, ..., XFD)`);
  const origin = opts.origin ?? { kind: 'none' };
  const fixed = origin.kind === 'fixed' ? fixedOrigin(origin.country) : null;
  const originCol = origin.kind === 'column' ? columnIndex(origin.column) : null;
  if (origin.kind === 'column' && originCol === null) throw new Error(`origin column "${origin.column}" is not a column letter (A, B, ..., XFD)`);
  const width = origin.kind === 'none' ? RESULT_WIDTH : DUTY_WIDTH;
  const outColumn = sel.columnIndex + sel.columnCount;
  if (outColumn + width - 1 > 16383) throw new Error(`there is no room for the ${width} result columns to the right of the selection`);
  if (originCol !== null && originCol >= outColumn && originCol < outColumn + width) {
    throw new Error(`origin column ${origin.kind === 'column' ? origin.column.toUpperCase() : ''} is one of the result columns beside the selection: choose a column outside ${columnLetters(outColumn)}-${columnLetters(outColumn + width - 1)}`);
  }
  const ws = context.workbook.worksheets.getItem(sel.sheet);
  const first = sel.rowIndex + (opts.header ? 1 : 0);
  const last = sel.rowIndex + sel.rowCount - 1;
  const rows: SourceRow[] = [];
  let nonEmptyCells = 0;
  let headerBlank = true;
  if (opts.header) {
    const h = ws.getRange(a1(sel.rowIndex, outColumn, sel.rowIndex, outColumn + width - 1));
    h.load('values');
    await context.sync();
    headerBlank = (h.values[0] ?? []).every(isBlank);
  }
  for (let r0 = first; r0 <= last; r0 += READ_BLOCK) {
    const r1 = Math.min(last, r0 + READ_BLOCK - 1);
    const desc = ws.getRange(a1(r0, sel.columnIndex, r1, sel.columnIndex));
    desc.load('values');
    const out = ws.getRange(a1(r0, outColumn, r1, outColumn + width - 1));
    out.load('values');
    const ids = idCol === null ? null : ws.getRange(a1(r0, idCol, r1, idCol));
    ids?.load('values');
    const origins = originCol === null ? null : ws.getRange(a1(r0, originCol, r1, originCol));
    origins?.load('values');
    await context.sync();
    for (let i = 0; i <= r1 - r0; i++) {
      const d = desc.values[i]?.[0];
      const o = out.values[i] ?? [];
      const filledCells = o.filter((v) => !isBlank(v)).length;
      nonEmptyCells += filledCells;
      const row: SourceRow = { sheetRow: r0 + i, description: typeof d === 'number' ? d : isBlank(d) ? null : String(d), filled: filledCells > 0 };
      const id = ids?.values[i]?.[0];
      if (!isBlank(id)) row.itemId = typeof id === 'number' ? id : String(id).slice(0, 200);
      if (fixed) row.origin = fixed;
      else if (origins) {
        const o = checkOrigin(origins.values[i]?.[0]);
        if ('origin' in o) row.origin = o.origin;
        else row.originProblem = o.problem;
      }
      rows.push(row);
    }
  }
  return { ...sel, header: opts.header, rows, nonEmptyCells, headerBlank, outColumn, width };
}

const roundConfidence = (c: unknown): number | '' => (typeof c === 'number' && Number.isFinite(c) ? Math.round(c * 10000) / 10000 : '');

/**
 * The nine cells of one result row, formula-safe: codes as text, confidences as fractions (formatted as %), the request
 * id cell as `id#row` (rowNo: the row's 1-based number within the request). With `duties`, two more: the duty total
 * (a fraction, formatted as %) and the duty parts on one line, or why the row has no usable origin.
 */
export function resultCells(r: ResultRow, requestId: string, rowNo: number, duties?: { problem?: string }): CellValue[] {
  const cells: CellValue[] = [];
  for (let i = 0; i < 3; i++) {
    const c = r.candidates[i];
    cells.push(c ? formulaSafe(String(c.code || c.hs6 || '')) : '', c ? roundConfidence(c.confidence) : '');
  }
  const reasoning = r.reasoning?.summary ?? (r.error ? `error: ${r.error}` : '');
  cells.push(formulaSafe(reasoning.slice(0, MAX_CELL_CHARS - 1)), formulaSafe(r.status), formulaSafe(requestCell(requestId, rowNo)));
  if (duties) cells.push(dutyTotal(r) ?? '', formulaSafe(dutyLine(r) || duties.problem || ''));
  return cells;
}

export interface WriteItem {
  row: SourceRow;
  result: ResultRow;
  /** The row's 1-based number within its request. */
  rowNo: number;
}

/** Consecutive runs of items (by sheet row) for which key() gives the same value. */
function runs<T>(items: T[], rowOf: (t: T) => number, key: (t: T) => string = () => ''): T[][] {
  const out: T[][] = [];
  for (const it of items) {
    const cur = out[out.length - 1];
    const prev = cur?.[cur.length - 1];
    if (cur && rowOf(prev!) + 1 === rowOf(it) && key(prev!) === key(it)) cur.push(it);
    else out.push([it]);
  }
  return out;
}

/**
 * Writes one chunk of results beside their rows (and the header names when asked), then syncs once.
 * Items must be in sheet-row order; rows not in the chunk (skipped in "fill blanks only") are left alone.
 * Review rows get REVIEW_FILL, error rows ERROR_FILL, ok rows have their fill cleared.
 */
export async function writeChunk(
  context: Excel.RequestContext,
  sel: Pick<SelectionData, 'sheet' | 'rowIndex' | 'outColumn' | 'width'>,
  items: WriteItem[],
  requestId: string,
  opts: { writeHeader?: boolean } = {},
): Promise<void> {
  const ws = context.workbook.worksheets.getItem(sel.sheet);
  const c0 = sel.outColumn;
  const c1 = c0 + sel.width - 1;
  const duties = sel.width > RESULT_WIDTH;
  const names: string[] = duties ? [...RESULT_COLUMNS, ...DUTY_RESULT_COLUMNS] : [...RESULT_COLUMNS];
  const formats: string[] = duties ? [...RESULT_FORMATS, ...DUTY_RESULT_FORMATS] : [...RESULT_FORMATS];
  if (opts.writeHeader) {
    const h = ws.getRange(a1(sel.rowIndex, c0, sel.rowIndex, c1));
    h.numberFormat = [names.map(() => '@')];
    h.values = [names];
    h.format.font.bold = true;
  }
  const rowOf = (it: WriteItem) => it.row.sheetRow;
  for (const run of runs(items, rowOf)) {
    const r = ws.getRange(a1(rowOf(run[0]), c0, rowOf(run[run.length - 1]), c1));
    // Formats first, so that codes such as 0101.21 arrive as text and keep their leading zeros.
    r.numberFormat = run.map(() => [...formats]);
    r.values = run.map((it) => resultCells(it.result, requestId, it.rowNo, duties ? { problem: it.row.originProblem } : undefined));
  }
  for (const run of runs(items, rowOf, (it) => it.result.status)) {
    const f = ws.getRange(a1(rowOf(run[0]), c0, rowOf(run[run.length - 1]), c1)).format.fill;
    const status = run[0].result.status;
    if (status === 'review') f.color = REVIEW_FILL;
    else if (status === 'error') f.color = ERROR_FILL;
    else f.clear();
  }
  await context.sync();
}

/** Selects the given sheet rows (description column through the result columns) as one multi-area range. */
export async function selectRows(
  context: Excel.RequestContext,
  sel: Pick<SelectionData, 'sheet' | 'columnIndex' | 'outColumn' | 'width'>,
  sheetRows: number[],
): Promise<number> {
  if (sheetRows.length === 0) return 0;
  const sorted = [...new Set(sheetRows)].sort((a, b) => a - b);
  const c1 = sel.outColumn + sel.width - 1;
  const areas = runs(sorted, (r) => r).map((run) => a1(run[0], sel.columnIndex, run[run.length - 1], c1));
  const ws = context.workbook.worksheets.getItem(sel.sheet);
  ws.activate();
  ws.getRanges(areas.join(',')).select();
  await context.sync();
  return areas.length;
}
