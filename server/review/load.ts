// Opening the analyst's file for a review: an .xlsx workbook as it is (every sheet, value, formula and format),
// or a .csv turned into a one-sheet workbook. Problems become InputErrors with a message an analyst can act on.
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { parse as parseCsv } from 'csv-parse/sync';
import { InputError, sniffDelimiter } from '../cli/io';

export interface Located {
  ws: ExcelJS.Worksheet;
  /** Sheet row of the header. */
  headerRow: number;
  /** 1-based column of the descriptions and (optional) of the ids. */
  descCol: number;
  idCol: number | null;
  /** Header text of every non-empty header cell, by column. */
  headers: Map<number, string>;
}

const CFB_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const ZIP_MAGIC = Buffer.from([0x50, 0x4b]);

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Reads `file` (.xlsx/.xlsm or .csv/.tsv/.txt) into a workbook. */
export async function loadWorkbook(file: string): Promise<{ wb: ExcelJS.Workbook; kind: 'xlsx' | 'csv' }> {
  const ext = path.extname(file).toLowerCase();
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new InputError(`Input file not found: ${file}`);
  }
  if (!stat.isFile()) throw new InputError(`Input path is not a file: ${file}`);
  if (ext === '.xlsx' || ext === '.xlsm') return { wb: await loadXlsx(file), kind: 'xlsx' };
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt') return { wb: loadCsv(file), kind: 'csv' };
  const hint = ext === '.xls' ? ' (old binary .xls workbooks are not supported: save the file as .xlsx)' : '';
  throw new InputError(`Unsupported input file format ${ext ? `"${ext}"` : '(no extension)'} for ${file}${hint}. Supported: .xlsx, .xlsm, .csv, .tsv`);
}

async function loadXlsx(file: string): Promise<ExcelJS.Workbook> {
  const head = Buffer.alloc(8);
  const fd = fs.openSync(file, 'r');
  let n: number;
  try {
    n = fs.readSync(fd, head, 0, 8, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (n === 0) throw new InputError(`${file} is empty (0 bytes): not an Excel workbook`);
  if (n === 8 && head.equals(CFB_MAGIC)) {
    // Encrypted OOXML workbooks are stored in a Compound File container, like old .xls files.
    throw new InputError(
      `${file} is password-protected (encrypted) or an old binary .xls workbook saved as .xlsx: open it in Excel, remove the password ` +
        `(File > Info > Protect Workbook > Encrypt with Password) or save it as a plain .xlsx, and run the review again`,
    );
  }
  if (!head.subarray(0, 2).equals(ZIP_MAGIC)) {
    throw new InputError(`Cannot read ${file} as an Excel .xlsx workbook: it is not a zip package (corrupt, truncated or another format)`);
  }
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.readFile(file);
  } catch (e) {
    throw new InputError(`Cannot read ${file} as an Excel .xlsx workbook (corrupt or truncated): ${message(e)}`);
  }
  if (wb.worksheets.length === 0) throw new InputError(`Workbook ${file} has no worksheets`);
  return wb;
}

/** Text of a file in UTF-8 (with or without BOM), UTF-16 with a BOM, or Windows-1252. */
export function decodeCsv(buf: Buffer, file: string): string {
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return buf.subarray(2).toString('utf16le');
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) {
    const swapped = Buffer.from(buf.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  if (buf.subarray(0, 4096).includes(0)) {
    throw new InputError(`${file} contains NUL bytes: it looks like UTF-16 text without a byte-order mark or a binary file; save it as UTF-8 CSV`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    text = new TextDecoder('windows-1252').decode(buf); // a Windows "ANSI" export
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** A worksheet name Excel accepts, from a file name. */
export function sheetNameOf(file: string): string {
  const base = path.basename(file, path.extname(file)).replace(/[[\]:*?/\\]/g, '_').replace(/^'+|'+$/g, '');
  return (base || 'Sheet1').slice(0, 31);
}

function loadCsv(file: string): ExcelJS.Workbook {
  const text = decodeCsv(fs.readFileSync(file), file);
  if (text.trim() === '') throw new InputError(`${file} is empty: expected a header row`);
  const delimiter = sniffDelimiter(text);
  let records: string[][];
  try {
    records = parseCsv(text, { delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: false });
  } catch (e) {
    throw new InputError(`Cannot parse ${file} as CSV (delimiter ${JSON.stringify(delimiter)}): ${message(e)}`);
  }
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheetNameOf(file));
  for (const rec of records) {
    // Plain numbers become numbers; anything else (leading zeros, codes, dates) stays the text it was.
    ws.addRow(rec.map((v) => (/^-?(0|[1-9]\d{0,14})(\.\d+)?$/.test(v) ? Number(v) : v)));
  }
  return wb;
}

/** Text of a cell for headers and descriptions: rich text joined, formulas by their saved result. */
export function cellText(v: ExcelJS.CellValue): string | null {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  const o = v as unknown as Record<string, unknown>;
  if (Array.isArray(o.richText)) return (o.richText as Array<{ text?: string }>).map((p) => p.text ?? '').join('');
  if ('formula' in o || 'sharedFormula' in o) {
    return o.result === undefined || o.result === null ? null : cellText(o.result as ExcelJS.CellValue);
  }
  if ('text' in o) return cellText(o.text as ExcelJS.CellValue);
  if ('error' in o) return null;
  return '';
}

const norm = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();

/** Rows searched for the header (supplier sheets often start with a title block). */
const HEADER_SEARCH_ROWS = 30;

/** Finds the sheet, the header row (the first row with a cell named `column`) and the columns. */
export function locate(wb: ExcelJS.Workbook, file: string, opts: { column: string; sheet?: string; idColumn?: string }): Located {
  if (!opts.column.trim()) throw new InputError('No description column given (--column)');
  const sheets = wb.worksheets;
  let ws: ExcelJS.Worksheet | undefined;
  if (opts.sheet !== undefined) {
    ws = sheets.find((s) => s.name === opts.sheet) ?? sheets.find((s) => norm(s.name) === norm(opts.sheet!));
    if (!ws) throw new InputError(`Worksheet "${opts.sheet}" not found in ${file}. Available sheets: ${sheets.map((s) => JSON.stringify(s.name)).join(', ')}`);
  } else {
    ws = sheets[0];
  }
  const headersOf = (r: number) => {
    const h = new Map<number, string>();
    ws!.getRow(r).eachCell({ includeEmpty: false }, (c, col) => {
      const t = cellText(c.value);
      if (t && t.trim()) h.set(col, t);
    });
    return h;
  };
  const find = (h: Map<number, string>, wanted: string) => {
    for (const [col, t] of h) if (t === wanted) return col;
    for (const [col, t] of h) if (norm(t) === norm(wanted)) return col;
    return -1;
  };
  let firstNonEmpty: Map<number, string> | null = null;
  const last = Math.min(ws.rowCount, HEADER_SEARCH_ROWS);
  for (let r = 1; r <= last; r++) {
    const h = headersOf(r);
    if (h.size === 0) continue;
    firstNonEmpty ??= h;
    const descCol = find(h, opts.column);
    if (descCol < 0) continue;
    let idCol: number | null = null;
    if (opts.idColumn !== undefined) {
      idCol = find(h, opts.idColumn);
      if (idCol < 0) throw missing(file, ws.name, opts.idColumn, h);
    }
    return { ws, headerRow: r, descCol, idCol, headers: h };
  }
  if (!firstNonEmpty) throw new InputError(`Worksheet "${ws.name}" in ${file} is empty: expected a header row with a "${opts.column}" column`);
  throw missing(file, ws.name, opts.column, firstNonEmpty);
}

function missing(file: string, sheet: string, column: string, headers: Map<number, string>): InputError {
  const names = [...headers.values()];
  let hint = '';
  const glued = names.find((h) => h.includes(column) && h !== column);
  if (glued) {
    const sep = [...glued].find((ch) => /[|^~#:]/.test(ch));
    hint = sep
      ? `; the header looks separated by "${sep}", which is not a CSV delimiter this tool reads: save the file with commas, semicolons or tabs`
      : '';
  }
  return new InputError(
    `Column "${column}" not found in ${file} (sheet "${sheet}"). Available columns: ${names.map((h) => JSON.stringify(h)).join(', ') || '(none)'}${hint}`,
  );
}
