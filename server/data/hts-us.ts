import type { HsTree, NationalLine } from '../types';
import { DataError } from './errors';
import { DATA_FILES, type FileLog, readCsv, relativeName } from './files';

const COL = {
  number: 'HTS Number',
  indent: 'Indent',
  description: 'Description',
  unit: 'Unit of Quantity',
  general: 'General Rate of Duty',
} as const;

/** Chapters of special provisions (returned goods, temporary legislation...): not goods nomenclature. */
const SPECIAL_CHAPTERS = new Set(['98', '99']);

export interface UsHtsStats {
  rows: number;
  leafLines: number;
  /** Leaf lines skipped because they are in chapters 98-99. */
  skippedSpecial: number;
  /** Leaf lines skipped because their HS 6 is not an HS 2022 subheading. */
  skippedNotInHs: number;
  /** Leaf lines with no general rate on themselves nor on their 8-digit line. */
  withoutRate: number;
}

/** One text of a description path: trimmed, without the trailing ':' that introduces sub-items. */
export function cleanPart(text: string): string {
  return text.trim().replace(/\s*:+$/, '').trim();
}

/** `["doz.","kg"]` -> "doz., kg"; empty -> null. Returns undefined when the text is not a JSON array of strings. */
function parseUnit(text: string): string | null | undefined {
  const t = text.trim();
  if (!t) return null;
  let value: unknown;
  try {
    value = JSON.parse(t);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || !value.every((u) => typeof u === 'string')) return undefined;
  const units = (value as string[]).map((u) => u.trim()).filter((u) => u !== '');
  return units.length ? units.join(', ') : null;
}

interface HtsRow {
  line: number;
  code: string;
  indent: number;
  text: string;
  unit: string | null;
  rate: string;
  /** Texts from the heading (indent 0) down to this row. */
  path: string[];
}

/**
 * Load the US HTS leaf lines (10-digit statistical lines, plus 8-digit lines without 10-digit children)
 * from nomenclature/hts-us-2026r4.csv, skipping chapters 98-99 and lines whose HS 6 is not in HS 2022.
 * Each line's path is rebuilt from the indentation: the texts of its ancestors from the heading down.
 */
export function loadUsHts(dir: string, hs: HsTree, log?: FileLog, stats?: Partial<UsHtsStats>): NationalLine[] {
  const file = relativeName(dir, DATA_FILES.usHts);
  const csv = readCsv(dir, DATA_FILES.usHts, Object.values(COL), log);
  const fail = (line: number, problem: string): never => {
    throw new DataError(file, `line ${line}: ${problem}`);
  };

  const rows: HtsRow[] = [];
  // stack[i] = text of the most recent row at indent i that is still open.
  const stack: (string | undefined)[] = [];
  for (const { line, values } of csv) {
    const rawNumber = values[COL.number].trim();
    const code = rawNumber.replace(/\./g, '');
    if (code !== '' && !/^(\d{4}|\d{6}|\d{8}|\d{10})$/.test(code)) {
      fail(line, `HTS number "${rawNumber}" is not 4, 6, 8 or 10 digits`);
    }
    const indentText = values[COL.indent].trim();
    if (!/^\d{1,2}$/.test(indentText)) fail(line, `indent "${indentText}" is not a number`);
    const indent = Number(indentText);
    const text = cleanPart(values[COL.description]);
    if (!text) fail(line, `empty description${code ? ` for ${rawNumber}` : ''}`);
    const unit = parseUnit(values[COL.unit]);
    if (unit === undefined) fail(line, `unit of quantity ${JSON.stringify(values[COL.unit])} is not a JSON array of strings`);

    stack.length = indent;
    stack[indent] = text;
    if (code === '') continue; // an indented header: only contributes to its children's paths
    const path = stack.filter((t): t is string => t !== undefined);
    rows.push({ line, code, indent, text, unit: unit ?? null, rate: values[COL.general].trim(), path });
  }

  // Rates sit on 8-digit lines and apply to their 10-digit children.
  const rate8 = new Map<string, string>();
  const hasChildren10 = new Set<string>();
  const seen = new Map<string, number>();
  for (const r of rows) {
    const first = seen.get(r.code);
    if (first !== undefined) fail(r.line, `duplicate HTS number ${r.code} (first on line ${first})`);
    seen.set(r.code, r.line);
    if (r.code.length === 8) rate8.set(r.code, r.rate);
    else if (r.code.length === 10) hasChildren10.add(r.code.slice(0, 8));
  }

  const out: NationalLine[] = [];
  let skippedSpecial = 0;
  let skippedNotInHs = 0;
  let withoutRate = 0;
  for (const r of rows) {
    const isLeaf = r.code.length === 10 || (r.code.length === 8 && !hasChildren10.has(r.code));
    if (!isLeaf) continue;
    if (SPECIAL_CHAPTERS.has(r.code.slice(0, 2))) {
      skippedSpecial++;
      continue;
    }
    const hs6 = r.code.slice(0, 6);
    const node = hs.nodes.get(hs6);
    if (!node || node.level !== 6) {
      skippedNotInHs++;
      continue;
    }
    const rate = r.rate || (r.code.length === 10 ? rate8.get(r.code.slice(0, 8)) ?? '' : '');
    if (!rate) withoutRate++;
    out.push({
      country: 'US',
      code: r.code,
      hs6,
      description: r.text,
      path: r.path,
      fullDescription: r.path.join(' > '),
      unit: r.unit,
      generalRate: rate || null,
    });
  }
  if (stats) Object.assign(stats, { rows: csv.length, leafLines: out.length, skippedSpecial, skippedNotInHs, withoutRate });
  return out;
}
