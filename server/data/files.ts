import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError } from './errors';

/** Every file of the reference data the dataset uses, relative to the data directory. */
export const DATA_FILES = {
  hs2022: 'nomenclature/hs2022.csv',
  hsSections: 'nomenclature/hs2022-sections.csv',
  usHts: 'nomenclature/hts-us-2026r4.csv',
  euCodes: 'nomenclature/eu-cn-2026/cnCodes_2026.json',
  euHeadings: 'nomenclature/eu-cn-2026/cnHeadings_2026.json',
  euSubheadings: 'nomenclature/eu-cn-2026/cnSubheadings_2026.json',
  correlation: 'nomenclature/hs2022-hs2017-correlation.csv',
  ukParcel: 'examples/uk-parcel-descriptions.csv',
  cross: 'examples/cross-rulings.jsonl',
  atlas: 'examples/atlas-validation.csv',
  ukGlossary: 'examples/uk-search-references.json',
  euBti: 'examples/eu-bti-rulings.jsonl',
  ukAtar: 'examples/uk-atar-rulings.jsonl',
  marketplace: 'examples/marketplace-listings.jsonl',
  ukSynthetic: 'examples/uk-synthetic-descriptions.jsonl',
} as const;

export type DataFileKey = keyof typeof DATA_FILES;

/** Files read so far: relative path -> sha256 of the bytes. Pass one to the loaders to record what they read. */
export type FileLog = Map<string, string>;

/** The data directory: `HS_DATA_DIR` when set, else `../shared/hs-data` relative to the current directory. */
export function resolveDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.HS_DATA_DIR?.trim();
  return path.resolve(fromEnv ? fromEnv : '../shared/hs-data');
}

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** `file` relative to `dir` when it lies inside it (with forward slashes), else as given. */
export function relativeName(dir: string, file: string): string {
  const abs = path.resolve(dir, file);
  const rel = path.relative(path.resolve(dir), abs);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return file;
  return rel.split(path.sep).join('/');
}

/** Read a data file's bytes; a missing or unreadable file is a DataError naming it. Records the hash in `log`. */
export function readDataFile(dir: string, rel: string, log?: FileLog): Buffer {
  const name = relativeName(dir, rel);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(path.resolve(dir, rel));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataError(name, 'file not found');
    if (code === 'EISDIR') throw new DataError(name, 'is a directory, not a file');
    throw new DataError(name, `cannot read file (${code ?? (err as Error).message})`);
  }
  log?.set(name, sha256(bytes));
  return bytes;
}

/** Read a data file as UTF-8 text, without a byte-order mark. */
export function readDataText(dir: string, rel: string, log?: FileLog): string {
  const text = readDataFile(dir, rel, log).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Read and parse a JSON data file; invalid JSON is a DataError naming the file. */
export function readDataJson(dir: string, rel: string, log?: FileLog): unknown {
  const text = readDataText(dir, rel, log);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new DataError(relativeName(dir, rel), `invalid JSON (${(err as Error).message})`);
  }
}

export interface CsvRecord {
  /** 1-based line on which the record starts. */
  line: number;
  fields: string[];
}

/** A CSV syntax error at a given line. */
export class CsvSyntaxError extends Error {
  constructor(
    public line: number,
    message: string,
  ) {
    super(message);
  }
}

const QUOTE = 34; // "
const COMMA = 44; // ,
const LF = 10;
const CR = 13;

/**
 * Parse RFC 4180 CSV text: comma separated, fields optionally quoted with `"` (a doubled `""` inside a quoted
 * field is a quote; quoted fields may span lines), records end with LF or CRLF. Blank lines are skipped.
 * A quote inside an unquoted field, text after a closing quote or an unterminated quoted field is a
 * CsvSyntaxError naming the line.
 *
 * Hand-written because csv-parse (used to cross-check this parser in the tests) takes ~0.5 s on the 4 MB
 * HTS file alone, a third of the whole load-time budget; this takes ~30 ms.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    for (;;) {
      // One field starting at i.
      if (text.charCodeAt(i) === QUOTE) {
        let value = '';
        let j = i + 1;
        for (;;) {
          const q = text.indexOf('"', j);
          if (q < 0) throw new CsvSyntaxError(startLine, 'unterminated quoted field');
          const chunk = text.slice(j, q);
          for (let k = chunk.indexOf('\n'); k >= 0; k = chunk.indexOf('\n', k + 1)) line++;
          value += chunk;
          if (text.charCodeAt(q + 1) === QUOTE) {
            value += '"';
            j = q + 2;
          } else {
            i = q + 1;
            break;
          }
        }
        const c = text.charCodeAt(i);
        if (i < n && c !== COMMA && c !== LF && !(c === CR && text.charCodeAt(i + 1) === LF)) {
          throw new CsvSyntaxError(line, `unexpected character ${JSON.stringify(text[i])} after a closing quote`);
        }
        fields.push(value);
      } else {
        let j = i;
        let c = 0;
        while (j < n) {
          c = text.charCodeAt(j);
          if (c === COMMA || c === LF) break;
          if (c === QUOTE) throw new CsvSyntaxError(line, 'quote inside an unquoted field');
          j++;
        }
        let end = j;
        if (j < n && c === LF && end > i && text.charCodeAt(end - 1) === CR) end--;
        else if (j === n && end > i && text.charCodeAt(end - 1) === CR) end--;
        fields.push(text.slice(i, end));
        i = j;
      }
      // i is at a comma, a line end or the end of the text.
      const c = text.charCodeAt(i);
      if (c === COMMA) {
        i++;
        continue;
      }
      if (c === CR) i++;
      if (text.charCodeAt(i) === LF) {
        i++;
        line++;
      }
      break;
    }
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: startLine, fields });
  }
  return records;
}

export interface CsvRow {
  /** 1-based line number in the file (the line the record starts on). */
  line: number;
  /** Values by column name; every header column is present. */
  values: Record<string, string>;
}

/**
 * Read a CSV data file with a header row. Every column of `required` must be in the header
 * (else a DataError naming the missing column); a row with the wrong number of fields or broken
 * quoting is a DataError naming its line. Blank lines are skipped; a UTF-8 BOM is ignored.
 */
export function readCsv(dir: string, rel: string, required: readonly string[], log?: FileLog): CsvRow[] {
  const name = relativeName(dir, rel);
  const text = readDataText(dir, rel, log);
  let records: CsvRecord[];
  try {
    records = parseCsv(text);
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw new DataError(name, `line ${err.line}: malformed CSV (${err.message})`);
    throw err;
  }
  if (records.length === 0) throw new DataError(name, 'file is empty (no header row)');
  const header = records[0].fields.map((h) => h.trim());
  for (const col of required) {
    if (!header.includes(col)) {
      throw new DataError(name, `missing column "${col}" in header (found: ${header.join(', ')})`);
    }
  }
  const rows: CsvRow[] = new Array(records.length - 1);
  for (let r = 1; r < records.length; r++) {
    const { fields, line } = records[r];
    if (fields.length !== header.length) {
      throw new DataError(name, `line ${line}: expected ${header.length} fields, found ${fields.length}`);
    }
    const values: Record<string, string> = {};
    for (let c = 0; c < header.length; c++) values[header[c]] = fields[c];
    rows[r - 1] = { line, values };
  }
  return rows;
}
