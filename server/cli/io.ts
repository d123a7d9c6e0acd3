// Reading input rows (CSV / XLSX / JSONL) and writing result rows (JSONL / CSV / XLSX) for the CLI.
//
// Reading returns every data row, including rows whose description could not be read (description null
// plus a `problem`), so the caller can report them instead of silently dropping lines.
// Writing always goes to a temporary file in the output directory that is renamed into place on close().

import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ExcelJS from 'exceljs';
import { parse as parseCsvStream } from 'csv-parse';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import { JsonRow } from '../pool/text';

// ---------------------------------------------------------------------------------------------------------
// Shared

/** A user-facing problem with the input or output file (missing, unreadable, wrong format, missing column...). */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

type Format = 'csv' | 'xlsx' | 'jsonl';

const READ_FORMATS: Record<string, Format> = {
  '.csv': 'csv',
  '.tsv': 'csv',
  '.xlsx': 'xlsx',
  '.xlsm': 'xlsx',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
};
const WRITE_FORMATS: Record<string, Format> = {
  '.csv': 'csv',
  '.xlsx': 'xlsx',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
};

function formatOf(file: string, table: Record<string, Format>, what: string): Format {
  const ext = path.extname(file).toLowerCase();
  const format = table[ext];
  if (format) return format;
  const supported = Object.keys(table).join(', ');
  const hint = ext === '.xls' ? ' (old binary .xls workbooks are not supported: save the file as .xlsx)' : '';
  throw new InputError(
    `Unsupported ${what} file format ${ext ? `"${ext}"` : '(no extension)'} for ${file}${hint}. Supported: ${supported}`,
  );
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as NodeJS.ErrnoException).code === code;
}

/**
 * OWASP CSV/formula-injection guard: a value starting with `=`, `+`, `-`, `@`, tab or carriage return (or
 * their full-width forms, which some spreadsheet locales also treat as formula starters) gets a leading `'`
 * so spreadsheet software shows it as text instead of evaluating it.
 */
export function formulaSafe(s: string): string {
  return /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/.test(s) ? `'${s}` : s;
}

/**
 * Throws InputError when `input` and `output` name the same file (after resolving relative paths, symlinks,
 * hard links and, on case-insensitive platforms, letter case). Call it before opening the writer.
 */
export function assertDistinctPaths(input: string, output: string): void {
  const a = canonicalPath(input);
  const b = canonicalPath(output);
  let same = a === b;
  if (!same && (process.platform === 'win32' || process.platform === 'darwin')) {
    same = a.toLowerCase() === b.toLowerCase();
  }
  if (!same) {
    try {
      const sa = fs.statSync(input);
      const sb = fs.statSync(output);
      same = sa.ino !== 0 && sa.dev === sb.dev && sa.ino === sb.ino;
    } catch {
      // one of them does not exist: they cannot be the same file
    }
  }
  if (same) {
    throw new InputError(
      `The output file ${output} is the same file as the input ${input}: choose a different output path so the input is not overwritten`,
    );
  }
}

/** Absolute path with symlinks resolved as far as the path exists. */
function canonicalPath(p: string): string {
  const abs = path.resolve(p);
  try {
    return fs.realpathSync.native(abs);
  } catch {
    const dir = path.dirname(abs);
    if (dir === abs) return abs;
    return path.join(canonicalPath(dir), path.basename(abs));
  }
}

// ---------------------------------------------------------------------------------------------------------
// Reading

export interface InputRow {
  id: string | number;
  description: string | null;
  /** why the cell could not be read, when description is null */
  problem?: string;
}

export interface ReadOptions {
  /** Header of the description column (exact match first, then case-insensitive and trimmed). */
  column: string;
  /** Header of a column whose value becomes the row id (kept as text, leading zeros included). */
  idColumn?: string;
  /** XLSX only: worksheet name; default the first worksheet. */
  sheet?: string;
  /**
   * XLSX only: a description cell merged down over several rows is one description, read on the first row of the
   * merge; the rows under it get no description and the problem "part of the merged description classified in row
   * ID" (classify). Without it every row of the merge reads the merged value (an origin or code column).
   */
  mergedOnce?: boolean;
}

/**
 * Reads all data rows of a .csv/.tsv, .xlsx/.xlsm or .jsonl/.ndjson file (see streamRows; this collects them).
 */
export async function readRows(file: string, opts: ReadOptions): Promise<InputRow[]> {
  const rows: InputRow[] = [];
  for await (const r of streamRows(file, opts)) rows.push(r);
  return rows;
}

/**
 * The data rows of a .csv/.tsv, .xlsx/.xlsm or .jsonl/.ndjson file, one by one. CSV and JSONL are read
 * streaming (memory does not grow with the file); XLSX is read whole (exceljs's streaming reader does not give
 * what the rows need: sheet names before rows, number formats and formula results alike), then yielded.
 * A bad file or a missing column fails before the first row; a missing JSONL field can only be known at the end.
 *
 * - id: the trimmed idColumn value as a string when idColumn is given (falls back to the row number when
 *   that cell is blank), else the 1-based data row number (header excluded; for XLSX the sheet row number
 *   minus the header row number, for JSONL the line number). Completely empty rows / blank lines are skipped
 *   but still count for numbering, so ids point back to the place in the file.
 * - description: trimmed text; null with `problem` when blank or unreadable.
 */
export async function* streamRows(file: string, opts: ReadOptions): AsyncGenerator<InputRow> {
  const format = formatOf(file, READ_FORMATS, 'input');
  if (!opts.column || !opts.column.trim()) throw new InputError('No description column given');
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(file);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) throw new InputError(`Input file not found: ${file}`);
    throw new InputError(`Cannot read input file ${file}: ${errMessage(err)}`);
  }
  if (!stat.isFile()) throw new InputError(`Input path is not a file: ${file}`);
  switch (format) {
    case 'csv':
      yield* readCsv(file, opts);
      return;
    case 'xlsx':
      yield* await readXlsx(file, opts);
      return;
    case 'jsonl':
      yield* readJsonl(file, opts);
      return;
  }
}

function normalizeHeader(s: string): string {
  return s.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Index of `wanted` among `headers`: exact match first, then case-insensitive/trimmed; -1 when absent. */
function findColumn(headers: ReadonlyArray<string | undefined>, wanted: string): number {
  const exact = headers.indexOf(wanted);
  if (exact >= 0) return exact;
  const w = normalizeHeader(wanted);
  return headers.findIndex((h) => h !== undefined && normalizeHeader(h) === w);
}

function missingColumn(file: string, column: string, available: Iterable<string | undefined>, where = ''): InputError {
  const names = [...available].filter((h): h is string => h !== undefined && h.trim() !== '');
  const list = names.length ? names.map((h) => JSON.stringify(h)).join(', ') : '(none)';
  return new InputError(`Column "${column}" not found in ${file}${where}. Available columns: ${list}`);
}

function makeRow(rowNumber: number, idText: string | undefined, desc: CellRead): InputRow {
  const id: string | number = idText !== undefined && idText.trim() !== '' ? idText.trim() : rowNumber;
  if ('problem' in desc) return { id, description: null, problem: desc.problem };
  const text = desc.text.trim();
  if (text === '') return { id, description: null, problem: 'blank description' };
  return { id, description: text };
}

type CellRead = { text: string } | { problem: string };

// --- CSV ---

type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/**
 * The text encoding of a file: UTF-16 by its byte-order mark, else UTF-8 when every byte sequence is valid UTF-8,
 * else (most likely a Windows "ANSI" export) windows-1252. Reads the file once in chunks; never holds it whole.
 * `binaryCheck` refuses a non-UTF-16 file with NUL bytes.
 */
async function sniffEncoding(file: string, binaryCheck: (() => InputError) | null): Promise<Encoding> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    let { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    if (bytesRead >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return 'utf-16le';
    if (bytesRead >= 2 && buf[0] === 0xfe && buf[1] === 0xff) return 'utf-16be';
    const dec = new TextDecoder('utf-8', { fatal: true });
    let pos = 0;
    let utf8 = true;
    while (bytesRead > 0) {
      const chunk = buf.subarray(0, bytesRead);
      if (binaryCheck && chunk.includes(0)) throw binaryCheck();
      if (utf8) {
        try {
          dec.decode(chunk, { stream: true });
        } catch {
          utf8 = false;
          if (!binaryCheck) break;
        }
      }
      pos += bytesRead;
      ({ bytesRead } = await fh.read(buf, 0, buf.length, pos));
    }
    if (utf8) {
      try {
        dec.decode();
      } catch {
        utf8 = false;
      }
    }
    return utf8 ? 'utf-8' : 'windows-1252';
  } finally {
    await fh.close();
  }
}

/** The file's text in chunks (byte-order mark dropped). */
async function* textChunks(file: string, binaryCheck: (() => InputError) | null): AsyncGenerator<string> {
  let encoding: Encoding;
  try {
    encoding = await sniffEncoding(file, binaryCheck);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`Cannot read input file ${file}: ${errMessage(err)}`);
  }
  const dec = new TextDecoder(encoding);
  let first = true;
  try {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
      let text = dec.decode(chunk as Buffer, { stream: true });
      if (first && text !== '') {
        first = false;
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      }
      if (text) yield text;
    }
  } catch (err) {
    throw new InputError(`Cannot read input file ${file}: ${errMessage(err)}`);
  }
  const rest = dec.decode();
  if (rest) yield rest;
}

/** Picks `,`, `;` or tab by counting them (outside quotes) in the header line; comma on a tie. */
export function sniffDelimiter(text: string): string {
  const counts: Record<string, number> = { ',': 0, ';': 0, '\t': 0 };
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (c === '\n' || c === '\r')) break;
    else if (!inQuotes && c in counts) counts[c]++;
  }
  let best = ',';
  for (const d of [';', '\t']) if (counts[d] > counts[best]) best = d;
  return best;
}

async function* readCsv(file: string, opts: ReadOptions): AsyncGenerator<InputRow> {
  const chunks = textChunks(file, () => new InputError(`Cannot read ${file} as CSV: it looks like a binary file`));
  const firstChunk = await chunks.next();
  const head = firstChunk.done ? '' : firstChunk.value;
  const parser = parseCsvStream({
    delimiter: sniffDelimiter(head),
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
  });
  // Feed the parser from the file while rows are taken from it (back-pressure through the parser's buffer).
  const feeding = (async () => {
    try {
      if (head) await writeTo(parser, head);
      for await (const text of chunks) await writeTo(parser, text);
      parser.end();
    } catch (err) {
      parser.destroy(err as Error);
    }
  })();
  let index = -1;
  let headerIndex = -1;
  let descCol = -1;
  let idCol = -1;
  try {
    for await (const rec of parser as AsyncIterable<string[]>) {
      index++;
      if (headerIndex < 0) {
        if (!rec.some((v) => v.trim() !== '')) continue;
        headerIndex = index;
        descCol = findColumn(rec, opts.column);
        if (descCol < 0) throw missingColumn(file, opts.column, rec);
        if (opts.idColumn !== undefined) {
          idCol = findColumn(rec, opts.idColumn);
          if (idCol < 0) throw missingColumn(file, opts.idColumn, rec);
        }
        continue;
      }
      if (rec.every((v) => v.trim() === '')) continue;
      yield makeRow(index - headerIndex, idCol >= 0 ? rec[idCol] : undefined, { text: rec[descCol] ?? '' });
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`Cannot parse CSV file ${file}: ${errMessage(err)}`);
  } finally {
    parser.destroy();
    await feeding;
  }
  if (headerIndex < 0) throw new InputError(`CSV file ${file} is empty: expected a header row`);
}

/** Writes to a stream, waiting for 'drain' when its buffer is full. */
function writeTo(w: NodeJS.WritableStream & { destroyed?: boolean }, chunk: string): Promise<void> {
  if (w.destroyed) return Promise.reject(new Error('stopped'));
  if (w.write(chunk)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = () => {
      w.removeListener('drain', done);
      w.removeListener('close', closed);
      resolve();
    };
    const closed = () => {
      w.removeListener('drain', done);
      reject(new Error('stopped'));
    };
    w.once('drain', done);
    w.once('close', closed);
  });
}

// --- XLSX ---

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function dateText(d: Date): string {
  if (Number.isNaN(d.getTime())) return '';
  // exceljs returns the spreadsheet's wall-clock time as a UTC date; round away float noise.
  const r = new Date(Math.round(d.getTime() / 1000) * 1000);
  const day = `${r.getUTCFullYear()}-${pad2(r.getUTCMonth() + 1)}-${pad2(r.getUTCDate())}`;
  if (r.getUTCHours() === 0 && r.getUTCMinutes() === 0 && r.getUTCSeconds() === 0) return day;
  return `${day} ${pad2(r.getUTCHours())}:${pad2(r.getUTCMinutes())}:${pad2(r.getUTCSeconds())}`;
}

function numberText(n: number, numFmt: string | undefined): string {
  // Zero-padded number formats ("00000") are how spreadsheets often show codes/ids with leading zeros.
  if (numFmt && /^0+$/.test(numFmt) && Number.isInteger(n) && n >= 0) return String(n).padStart(numFmt.length, '0');
  return String(n);
}

function richTextText(v: unknown): string | undefined {
  if (typeof v === 'object' && v !== null && Array.isArray((v as { richText?: unknown }).richText)) {
    return (v as { richText: Array<{ text?: unknown }> }).richText.map((p) => (typeof p.text === 'string' ? p.text : '')).join('');
  }
  return undefined;
}

/** Converts an exceljs cell value to text (formula -> cached result, rich text -> plain, hyperlink -> its text). */
function cellValueText(v: unknown, numFmt?: string): CellRead {
  if (v === null || v === undefined) return { text: '' };
  if (typeof v === 'string') return { text: v };
  if (typeof v === 'number') return { text: numberText(v, numFmt) };
  if (typeof v === 'boolean') return { text: v ? 'TRUE' : 'FALSE' };
  if (v instanceof Date) return { text: dateText(v) };
  if (typeof v !== 'object') return { text: String(v) };
  const o = v as Record<string, unknown>;
  const rich = richTextText(o);
  if (rich !== undefined) return { text: rich };
  if ('formula' in o || 'sharedFormula' in o) {
    if (o.result === undefined || o.result === null) {
      return { problem: 'formula cell without a saved result (open and save the file in Excel first)' };
    }
    return cellValueText(o.result, numFmt);
  }
  if ('hyperlink' in o || 'text' in o) {
    const t = cellValueText(o.text, numFmt);
    if ('text' in t && t.text === '' && typeof o.hyperlink === 'string') return { text: o.hyperlink };
    return t;
  }
  if ('error' in o) return { problem: `cell error ${String(o.error)}` };
  return { text: '' };
}

function cellText(cell: ExcelJS.Cell): CellRead {
  return cellValueText(cell.value, cell.numFmt);
}

async function readXlsx(file: string, opts: ReadOptions): Promise<InputRow[]> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.readFile(file);
  } catch (err) {
    throw new InputError(`Cannot read ${file} as an Excel .xlsx workbook (corrupt or not an xlsx file): ${errMessage(err)}`);
  }
  const sheets = wb.worksheets;
  if (sheets.length === 0) throw new InputError(`Workbook ${file} has no worksheets`);
  let ws: ExcelJS.Worksheet | undefined;
  if (opts.sheet !== undefined) {
    ws = sheets.find((s) => s.name === opts.sheet) ?? sheets.find((s) => normalizeHeader(s.name) === normalizeHeader(opts.sheet ?? ''));
    if (!ws) {
      throw new InputError(
        `Worksheet "${opts.sheet}" not found in ${file}. Available sheets: ${sheets.map((s) => JSON.stringify(s.name)).join(', ')}`,
      );
    }
  } else {
    ws = sheets[0];
  }

  // Header = first row with any value.
  let headerRowNumber = -1;
  ws.eachRow({ includeEmpty: false }, (row, n) => {
    if (headerRowNumber < 0 && rowHasText(row)) headerRowNumber = n;
  });
  const where = ` (sheet "${ws.name}")`;
  if (headerRowNumber < 0) throw new InputError(`Worksheet "${ws.name}" in ${file} is empty: expected a header row`);
  const headers: Array<string | undefined> = [];
  ws.getRow(headerRowNumber).eachCell({ includeEmpty: false }, (cell, col) => {
    const t = cellText(cell);
    headers[col] = 'text' in t ? t.text : undefined;
  });
  const descCol = findColumn(headers, opts.column);
  if (descCol < 0) throw missingColumn(file, opts.column, headers, where);
  let idCol = -1;
  if (opts.idColumn !== undefined) {
    idCol = findColumn(headers, opts.idColumn);
    if (idCol < 0) throw missingColumn(file, opts.idColumn, headers, where);
  }

  const idTextOf = (row: ExcelJS.Row): string | undefined => {
    if (idCol <= 0) return undefined;
    const t = cellText(row.getCell(idCol));
    return 'text' in t ? t.text : undefined;
  };
  const rows: InputRow[] = [];
  ws.eachRow({ includeEmpty: false }, (row, n) => {
    if (n <= headerRowNumber || !rowHasText(row)) return;
    const desc = row.getCell(descCol);
    // exceljs gives every cell of a merge the merged value: a description merged down is classified once
    const first = opts.mergedOnce && desc.isMerged && desc.master !== desc ? Number(desc.master.row) : n;
    if (first < n && first > headerRowNumber) {
      const firstId = makeRow(first - headerRowNumber, idTextOf(ws.getRow(first)), { text: '' }).id;
      rows.push(makeRow(n - headerRowNumber, idTextOf(row), { problem: `part of the merged description classified in row ${firstId}` }));
      return;
    }
    rows.push(makeRow(n - headerRowNumber, idTextOf(row), cellText(desc)));
  });
  return rows;
}

function rowHasText(row: ExcelJS.Row): boolean {
  let any = false;
  row.eachCell({ includeEmpty: false }, (cell) => {
    if (any) return;
    const t = cellText(cell);
    if (!('text' in t) || t.text.trim() !== '') any = true;
  });
  return any;
}

// --- JSONL ---

function jsonValueText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

async function* readJsonl(file: string, opts: ReadOptions): AsyncGenerator<InputRow> {
  const keysSeen = new Set<string>();
  let objects = 0;
  let descFound = false;
  let idFound = opts.idColumn === undefined;
  for await (const [i, raw] of lines(textChunks(file, null))) {
    const line = raw.trim();
    const lineNo = i + 1;
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      yield { id: lineNo, description: null, problem: `line ${lineNo}: invalid JSON` };
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      yield { id: lineNo, description: null, problem: `line ${lineNo}: not a JSON object` };
      continue;
    }
    objects++;
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    for (const k of keys) keysSeen.add(k);
    let idText: string | undefined;
    if (opts.idColumn !== undefined) {
      const ik = findColumn(keys, opts.idColumn);
      if (ik >= 0) {
        idFound = true;
        idText = jsonValueText(obj[keys[ik]]);
      }
    }
    const dk = findColumn(keys, opts.column);
    if (dk < 0) {
      const row = makeRow(lineNo, idText, { text: '' });
      yield { id: row.id, description: null, problem: `line ${lineNo}: no "${opts.column}" field` };
      continue;
    }
    descFound = true;
    yield makeRow(lineNo, idText, { text: jsonValueText(obj[keys[dk]]) });
  }
  if (objects > 0 && !descFound) throw missingColumn(file, opts.column, keysSeen);
  if (objects > 0 && !idFound) throw missingColumn(file, opts.idColumn ?? '', keysSeen);
}

/** Numbered lines (0-based) of a text given in chunks; a trailing \r is left for trim(). */
async function* lines(chunks: AsyncIterable<string>): AsyncGenerator<[number, string]> {
  let rest = '';
  let n = 0;
  for await (const text of chunks) {
    const parts = (rest + text).split('\n');
    rest = parts.pop()!;
    for (const p of parts) yield [n++, p];
  }
  yield [n, rest];
}

// ---------------------------------------------------------------------------------------------------------
// Writing

/**
 * One candidate code. Extra fields (national description, unit, similarity of examples...) are allowed and
 * written as they are to JSONL. There is deliberately no `[k: string]: unknown` index signature: it would make
 * interfaces such as CandidateResult (which has none) unassignable to this type.
 */
export interface ResultCandidate {
  hs6: string;
  code: string;
  confidence: number;
  description: string;
  examples: Array<{ text: string; code: string; source: string; ruling?: string }>;
}

export interface ResultRow {
  id: string | number;
  description: string | null;
  status: 'ok' | 'review' | 'error';
  candidates: ResultCandidate[];
  error?: string;
  [k: string]: unknown;
}

export interface ResultWriter {
  /** A JsonRow as a worker answered it (keys already in the documented order) is written to JSONL as it is. */
  write(row: ResultRow | JsonRow<ResultRow>): Promise<void>;
  /** Finishes the file and renames it into place. */
  close(): Promise<void>;
  /** Discards the temporary file; the output path is left untouched. Safe to call after a failed write/close. */
  abort?(): Promise<void>;
}

/** Column headers of the flat CSV/XLSX output. */
export const FLAT_COLUMNS = [
  'id',
  'description',
  'status',
  'hs_code_1',
  'confidence_1',
  'hs_description_1',
  'hs_code_2',
  'confidence_2',
  'hs_description_2',
  'hs_code_3',
  'confidence_3',
  'hs_description_3',
  'reasoning',
  'error',
  // When the national line is not decided (issue 9, item 7): the first candidate's likely line and the questions that would decide it.
  'likely_code',
  'questions',
] as const;

const FLAT_CANDIDATES = 3;

/** The one-line reasoning (GRI, Notes, precedents) of a row, when it has one. */
function reasoningSummary(row: ResultRow): string {
  const r = row.reasoning as { summary?: unknown } | undefined;
  return typeof r?.summary === 'string' ? r.summary : '';
}

/** An extra column of the flat CSV/XLSX output, after FLAT_COLUMNS (e.g. the duty columns). Text goes through formulaSafe. */
export interface ExtraColumn {
  name: string;
  value(row: ResultRow): string | number | null;
  /** XLSX number format of the cells, e.g. '0.0%'. */
  numFmt?: string;
  width?: number;
}

function extraCell(c: ExtraColumn, row: ResultRow): string | number | null {
  const v = c.value(row);
  return typeof v === 'string' ? (v === '' ? null : formulaSafe(v)) : v;
}

/**
 * Opens a writer for `file` (.jsonl/.ndjson, .csv or .xlsx). Output goes to a hidden temporary file in the
 * same directory, renamed to `file` by close() (replacing an existing file). Fails with InputError when the
 * format is unsupported or the directory is not writable.
 */
export async function openWriter(file: string, opts: { extraColumns?: ExtraColumn[] } = {}): Promise<ResultWriter> {
  const extras = opts.extraColumns ?? [];
  const format = formatOf(file, WRITE_FORMATS, 'output');
  const target = path.resolve(file);
  const tmp = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`,
  );
  const stream = await openTempStream(file, tmp);
  switch (format) {
    case 'jsonl':
      return new JsonlWriter(file, target, tmp, stream);
    case 'csv':
      return new CsvWriter(file, target, tmp, stream, extras);
    case 'xlsx':
      return new XlsxWriter(file, target, tmp, stream, extras);
  }
}

async function openTempStream(file: string, tmp: string): Promise<fs.WriteStream> {
  const stream = fs.createWriteStream(tmp, { flags: 'wx' });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (err) =>
      reject(new InputError(`Cannot write output file ${file}: ${errMessage(err)}`)),
    );
  });
  return stream;
}

abstract class AtomicWriter implements ResultWriter {
  private queue: Promise<void> = Promise.resolve();
  private state: 'open' | 'closing' | 'done' = 'open';
  protected streamError: Error | null = null;

  constructor(
    protected readonly displayName: string,
    private readonly target: string,
    private readonly tmp: string,
    protected readonly stream: fs.WriteStream,
  ) {
    stream.on('error', (err) => {
      this.streamError ??= err;
    });
  }

  write(row: ResultRow | JsonRow<ResultRow>): Promise<void> {
    if (this.state !== 'open') return Promise.reject(new Error(`Writer for ${this.displayName} is already closed`));
    const next = this.queue.then(() => {
      this.checkError();
      return this.writeRow(row);
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'closing';
    try {
      await this.queue;
      this.checkError();
      await this.finish();
      this.checkError();
      await fs.promises.rename(this.tmp, this.target);
      this.state = 'done';
    } catch (err) {
      await this.discard();
      throw err instanceof InputError ? err : new InputError(`Cannot write output file ${this.displayName}: ${errMessage(err)}`);
    }
  }

  async abort(): Promise<void> {
    if (this.state === 'done') return;
    this.state = 'done';
    await this.discard();
  }

  private async discard(): Promise<void> {
    this.state = 'done';
    if (!this.stream.closed) {
      await new Promise<void>((resolve) => {
        this.stream.once('close', () => resolve());
        this.stream.destroy();
      });
    }
    await fs.promises.rm(this.tmp, { force: true }).catch(() => undefined);
  }

  private checkError(): void {
    if (this.streamError) {
      throw new InputError(`Cannot write output file ${this.displayName}: ${this.streamError.message}`);
    }
  }

  /** Writes a chunk to the file stream, honouring back-pressure. */
  protected async put(chunk: string): Promise<void> {
    if (!this.stream.write(chunk)) {
      await new Promise<void>((resolve, reject) => {
        const onDrain = () => {
          this.stream.off('error', onError);
          resolve();
        };
        const onError = (err: Error) => {
          this.stream.off('drain', onDrain);
          reject(err);
        };
        this.stream.once('drain', onDrain);
        this.stream.once('error', onError);
      });
    }
  }

  /** Ends the file stream and waits until the file is closed. */
  protected endStream(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.stream.closed) {
        if (this.streamError) reject(this.streamError);
        else resolve();
        return;
      }
      this.stream.once('error', reject);
      this.stream.once('close', () => resolve());
      this.stream.end();
    });
  }

  protected abstract writeRow(row: ResultRow | JsonRow<ResultRow>): Promise<void>;
  protected abstract finish(): Promise<void>;
}

/** The row object with its keys in the documented order: id, description, status, candidates, error?, extras. */
function orderedRow(row: ResultRow): Record<string, unknown> {
  const { id, description, status, candidates, error, ...extra } = row;
  const out: Record<string, unknown> = { id, description, status, candidates };
  if (error !== undefined) out.error = error;
  return Object.assign(out, extra);
}

class JsonlWriter extends AtomicWriter {
  protected async writeRow(row: ResultRow | JsonRow<ResultRow>): Promise<void> {
    await this.put(`${row instanceof JsonRow ? row.json : JSON.stringify(orderedRow(row))}\n`);
  }

  protected finish(): Promise<void> {
    return this.endStream();
  }
}

function roundConfidence(c: unknown): number | null {
  if (typeof c !== 'number' || !Number.isFinite(c)) return null;
  return Math.round(c * 10000) / 10000;
}

/** The first candidate's likely national line and its open questions ("" when none). */
function undecided(row: ResultRow): { likely: string; questions: string } {
  const c = row.candidates[0] as (ResultCandidate & { likely?: { code?: unknown }; questions?: unknown }) | undefined;
  const likely = typeof c?.likely?.code === 'string' ? c.likely.code : '';
  const questions = Array.isArray(c?.questions) ? c.questions.filter((q): q is string => typeof q === 'string').join(' | ') : '';
  return { likely, questions };
}

function candidateCode(c: ResultCandidate | undefined): string {
  if (!c) return '';
  return String(c.code || c.hs6 || '');
}

class CsvWriter extends AtomicWriter {
  private headerWritten = false;

  constructor(displayName: string, target: string, tmp: string, stream: fs.WriteStream, private readonly extras: ExtraColumn[]) {
    super(displayName, target, tmp, stream);
  }

  private async header(): Promise<void> {
    if (this.headerWritten) return;
    this.headerWritten = true;
    await this.put(stringifyCsv([[...FLAT_COLUMNS, ...this.extras.map((c) => c.name)]]));
  }

  protected async writeRow(given: ResultRow | JsonRow<ResultRow>): Promise<void> {
    const row = given instanceof JsonRow ? given.row : given;
    await this.header();
    const cells: string[] = [
      typeof row.id === 'number' ? String(row.id) : formulaSafe(String(row.id)),
      formulaSafe(row.description ?? ''),
      formulaSafe(row.status),
    ];
    for (let i = 0; i < FLAT_CANDIDATES; i++) {
      const c = row.candidates[i];
      const conf = roundConfidence(c?.confidence);
      cells.push(formulaSafe(candidateCode(c)), conf === null ? '' : String(conf), formulaSafe(c?.description ?? ''));
    }
    const open = undecided(row);
    cells.push(formulaSafe(reasoningSummary(row)), formulaSafe(row.error ?? ''), formulaSafe(open.likely), formulaSafe(open.questions));
    for (const c of this.extras) cells.push(String(extraCell(c, row) ?? ''));
    await this.put(stringifyCsv([cells]));
  }

  protected async finish(): Promise<void> {
    await this.header();
    await this.endStream();
  }
}

/** The bits of a (node or readable-stream) Writable that XlsxWriter.drainSheet relies on. */
interface DuckWritable {
  _writableState?: { length?: number; highWaterMark?: number; ended?: boolean; destroyed?: boolean };
  on(event: string, fn: () => void): unknown;
  removeListener(event: string, fn: () => void): unknown;
}

const XLSX_WIDTHS: Record<string, number> = {
  id: 14,
  description: 50,
  status: 9,
  hs_code: 14,
  confidence: 13,
  hs_description: 50,
  reasoning: 60,
  error: 40,
  likely_code: 14,
  questions: 60,
};

class XlsxWriter extends AtomicWriter {
  private readonly workbook: ExcelJS.stream.xlsx.WorkbookWriter;
  private readonly sheet: ExcelJS.Worksheet;
  private rowsSinceYield = 0;

  constructor(displayName: string, target: string, tmp: string, stream: fs.WriteStream, private readonly extras: ExtraColumn[]) {
    super(displayName, target, tmp, stream);
    this.workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
    this.sheet = this.workbook.addWorksheet('Results', { views: [{ state: 'frozen', xSplit: 0, ySplit: 1 }] });
    this.sheet.columns = [
      ...FLAT_COLUMNS.map((name) => ({ key: name, width: XLSX_WIDTHS[name.replace(/_\d+$/, '')] ?? 14 })),
      ...extras.map((c) => ({ key: c.name, width: c.width ?? 14 })),
    ];
    const width = FLAT_COLUMNS.length + extras.length;
    this.sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: width } };
    const header = this.sheet.addRow([...FLAT_COLUMNS, ...extras.map((c) => c.name)]);
    header.font = { bold: true };
    header.commit();
  }

  protected async writeRow(given: ResultRow | JsonRow<ResultRow>): Promise<void> {
    const row = given instanceof JsonRow ? given.row : given;
    const values: Array<string | number | null> = [
      typeof row.id === 'number' ? row.id : formulaSafe(String(row.id)),
      formulaSafe(row.description ?? ''),
      formulaSafe(row.status),
    ];
    for (let i = 0; i < FLAT_CANDIDATES; i++) {
      const c = row.candidates[i];
      values.push(c ? formulaSafe(candidateCode(c)) : null, roundConfidence(c?.confidence), c ? formulaSafe(c.description ?? '') : null);
    }
    const reasoning = reasoningSummary(row);
    values.push(reasoning ? formulaSafe(reasoning) : null, row.error ? formulaSafe(row.error) : null);
    const open = undecided(row);
    values.push(open.likely ? formulaSafe(open.likely) : null, open.questions ? formulaSafe(open.questions) : null);
    for (const c of this.extras) values.push(extraCell(c, row));
    const r = this.sheet.addRow(values);
    if (open.likely) r.getCell(FLAT_COLUMNS.indexOf('likely_code') + 1).numFmt = '@';
    this.extras.forEach((c, i) => {
      const cell = r.getCell(FLAT_COLUMNS.length + 1 + i);
      if (cell.value !== null) cell.numFmt = c.numFmt ?? '@';
    });
    if (typeof row.id === 'string') r.getCell(1).numFmt = '@';
    for (let i = 0; i < FLAT_CANDIDATES; i++) {
      const codeCell = r.getCell(4 + 3 * i);
      if (codeCell.value !== null) codeCell.numFmt = '@';
      const confCell = r.getCell(5 + 3 * i);
      if (confCell.value !== null) confCell.numFmt = '0.0%';
    }
    r.commit();
    if (++this.rowsSinceYield >= 100) {
      this.rowsSinceYield = 0;
      await this.drainSheet();
    }
  }

  /**
   * exceljs hands the sheet XML to the zip (archiver) through a PassThrough without honouring back-pressure,
   * so without this the whole uncompressed sheet piles up in memory while zlib lags behind. Wait until that
   * PassThrough drains (falls back to a plain event-loop turn if exceljs internals ever change).
   */
  private async drainSheet(): Promise<void> {
    const pipes = (this.sheet as unknown as { stream?: { pipes?: unknown } }).stream?.pipes;
    // archiver uses the readable-stream package, so duck-type instead of `instanceof Writable`.
    const sink = Array.isArray(pipes) ? (pipes[0] as DuckWritable | undefined) : undefined;
    const state = sink?._writableState;
    if (
      sink &&
      typeof sink.on === 'function' &&
      state &&
      typeof state.length === 'number' &&
      state.length >= (state.highWaterMark ?? 16384) &&
      !state.ended &&
      !state.destroyed
    ) {
      await new Promise<void>((resolve) => {
        const done = () => {
          sink.removeListener('drain', done);
          sink.removeListener('close', done);
          sink.removeListener('error', done);
          this.stream.off('close', done);
          resolve();
        };
        sink.on('drain', done);
        sink.on('close', done);
        sink.on('error', done);
        this.stream.on('close', done);
      });
    } else {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  protected async finish(): Promise<void> {
    this.sheet.commit();
    // commit() ends the file stream and resolves on its 'finish'; wait for the descriptor to close too.
    await this.workbook.commit();
    if (!this.stream.closed) await new Promise<void>((resolve) => this.stream.once('close', () => resolve()));
  }
}
