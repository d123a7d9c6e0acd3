// The rows a review classifies, read from the analyst's file: every non-empty row under the header, with its id,
// description (or why there is none) and origin. readRowsApart reads them on a worker thread of its own, so the
// whole workbook's heap (millions of cell objects for a big sheet) is given back when the thread ends.
import path from 'node:path';
import ExcelJS from 'exceljs';
import { InputError } from '../cli/io';
import { apart } from './apart';
import { tooLong } from '../pipeline/description';
import { cleanDescription } from '../service/rows';
import { loadWorkbook, locate, cellText } from './load';

export interface Pending {
  row: number;
  id: string | number;
  description: string | null;
  problem?: string;
  /** The origin column's text on this row (with --origin-column). */
  origin?: string | null;
}

/** A row under a description cell merged down from an earlier row: not classified again, marked as part of the merge. */
export interface MergedRow {
  row: number;
  /** The row the merged description is classified on (the first of the merge). */
  first: number;
}

/** The row of the merge's first cell when `cell` is covered by a description merged down from an earlier row, else null. */
function mergedFrom(cell: ExcelJS.Cell, n: number): number | null {
  const first = cell.isMerged && cell.master !== cell ? Number(cell.master.row) : n;
  return first < n ? first : null;
}

/**
 * The rows to classify: every non-empty row under the header. A description cell merged over several rows is one
 * description: classified once, on the first row of the merge; the other rows it covers are listed in `merged`.
 */
function collectRows(ws: ExcelJS.Worksheet, headerRow: number, descCol: number, idCol: number | null, originCol: number | null): { pending: Pending[]; merged: MergedRow[] } {
  const pending: Pending[] = [];
  const merged: MergedRow[] = [];
  ws.eachRow({ includeEmpty: false }, (row, n) => {
    if (n <= headerRow) return;
    const first = mergedFrom(row.getCell(descCol), n);
    if (first !== null && first > headerRow) {
      merged.push({ row: n, first });
      return;
    }
    let any = false;
    row.eachCell({ includeEmpty: false }, (c) => {
      if (!any && cellText(c.value) !== '') any = true;
    });
    if (!any) return;
    const raw = cellText(row.getCell(descCol).value);
    const idText = idCol ? cellText(row.getCell(idCol).value) : null;
    const id = idText && idText.trim() ? idText.trim() : n - headerRow;
    const origin = originCol ? (cellText(row.getCell(originCol).value)?.trim() || null) : undefined;
    const at = origin === undefined ? {} : { origin };
    if (raw === null) pending.push({ row: n, id, description: null, problem: 'unreadable description (formula without a saved result, or a cell error)', ...at });
    else {
      const d = cleanDescription(raw);
      if (!d) pending.push({ row: n, id, description: null, problem: 'blank description', ...at });
      else if (tooLong(d)) pending.push({ row: n, id, description: null, problem: tooLong(d)!, ...at });
      else pending.push({ row: n, id, description: d, ...at });
    }
  });
  return { pending, merged };
}

export interface ReadOptions {
  input: string;
  column: string;
  sheet?: string;
  idColumn?: string;
  originColumn?: string;
}

export interface ReadRows {
  pending: Pending[];
  merged: MergedRow[];
  sheet: string;
  headerRow: number;
}

/** Reads the rows to classify on this thread (the workbook is let go when it returns). */
export async function readRows(o: ReadOptions): Promise<ReadRows> {
  const { wb } = await loadWorkbook(o.input);
  const { ws, headerRow, descCol, idCol } = locate(wb, o.input, o);
  // The origin column is looked for in the same header row as the description column (locate's column lookup).
  const originCol = o.originColumn ? locate(wb, o.input, { column: o.column, sheet: o.sheet, idColumn: o.originColumn }).idCol : null;
  const { pending, merged } = collectRows(ws, headerRow, descCol, idCol, originCol);
  if (pending.length === 0) throw new InputError(`Worksheet "${ws.name}" in ${o.input} has a header row but no data rows under it`);
  return { pending, merged, sheet: ws.name, headerRow };
}

/** readRows on a worker thread of its own; an InputError there is an InputError here. */
export function readRowsApart(o: ReadOptions): Promise<ReadRows> {
  return apart<ReadRows>(path.join(__dirname, 'read-worker.js'), o, `reading ${o.input}`);
}
