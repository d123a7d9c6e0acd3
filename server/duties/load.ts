// Loads and validates what the US duty stack reads: the base schedule's rates (general, special, column 2), the
// chapter 99 text, the Section 301 lists and exclusions, the Section 232 product scopes (all from HS_DATA_DIR),
// and the two reviewed tables kept in the repository (programmes.json, countries.json).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DataError } from '../data/errors';
import { type FileLog, readCsv, readDataText, relativeName, resolveDataDir, sha256 } from '../data/files';
import { type Ch99, parseCh99 } from './ch99';

export const DUTY_FILES = {
  usHts: 'nomenclature/hts-us-2026r4.csv',
  ch99: 'legal/htsus-ch99-2026r6.txt',
  s301: 'tariff/section301-2026r6.csv',
  s301Exclusions: 'tariff/section301-exclusions-2026r6.csv',
  s232: 'tariff/section232-products.csv',
} as const;

/** The reviewed tables in the repository. */
export const PROGRAMMES_FILE = path.join(__dirname, 'programmes.json');
export const COUNTRIES_FILE = path.join(__dirname, 'countries.json');

/**
 * Effective dates of the chapter 99 revisions this code knows (the text names its revision in every page header but
 * not its date; HS_DATA_DIR/README.md gives it). Another revision is refused until its date is added here.
 */
const CH99_EFFECTIVE: Record<string, string> = { '2026 Revision 6': '2026-04-23' };

/** The base schedule's revision (its file name); the data does not state its effective date. */
const SCHEDULE_REVISION = 'HTS 2026 Revision 4';

export interface AsOf {
  /** Where the item comes from: the data file, or the repository table. */
  source: string;
  revision: string;
  /** Effective date of the revision (ISO) when the data states it, else null. */
  effective: string | null;
}

export interface BaseRates {
  code: string;
  general: string;
  special: string;
  column2: string;
  /** The line whose rates these are (the 8-digit parent of a statistical line). */
  rateLine: string;
}

export interface S301Row {
  line: number;
  hts8: string;
  list: string;
  heading: string;
  /** Additional ad valorem percent; null when suspended (List 4B). */
  rate: number | null;
  effective: string | null;
  rowType: 'covered' | 'covered_partial' | 'covered_statline' | 'scope_excluded_statline' | 'suspended';
  noteRef: string;
  htsAsListed: string;
  remarks: string;
}

export interface S301Exclusion {
  line: number;
  heading: string;
  noteRef: string;
  item: string;
  /** The headings the exclusion is from (one or more). */
  excludedFrom: string[];
  codes: string[];
  description: string;
}

export interface S232Row {
  line: number;
  prefix: string;
  group: string;
  heading: string;
  countryScope: string;
  rowType: string;
  description: string;
  asOf: string;
}

const Programme = z.object({
  name: z.string().min(1),
  general_note: z.string().nullable(),
  general_note_checked: z.boolean(),
  countries: z.array(z.string().regex(/^[A-Z]{2}$/)),
  status: z.enum(['in_force', 'lapsed', 'not_verified', 'not_origin_based']),
  note: z.string().optional(),
});
export type Programme = z.infer<typeof Programme>;
const ProgrammesFile = z.object({
  programmes: z.record(z.string().regex(/^[A-Z]{1,2}[+*]?$/), Programme),
  column2: z.object({ countries: z.record(z.string().regex(/^[A-Z]{2}$/), z.object({ since: z.string().nullable(), basis: z.string() })) }),
});
const CountriesFile = z.object({ countries: z.record(z.string().regex(/^[A-Z]{2}$/), z.string().min(1)) });

export interface DutyData {
  dir: string;
  ch99: Ch99;
  ch99AsOf: AsOf;
  scheduleAsOf: AsOf;
  s301AsOf: AsOf;
  s232AsOf: AsOf;
  schedule: Map<string, BaseRates>;
  s301: Map<string, S301Row[]>;
  exclusions: S301Exclusion[];
  s232: S232Row[];
  programmes: Record<string, Programme>;
  programmesAsOf: AsOf;
  column2: Record<string, { since: string | null; basis: string }>;
  countries: Record<string, string>;
  /** Files read and their sha256 (data files relative to the data directory; the repository tables by name). */
  files: { path: string; sha256: string }[];
  /** Short content hash of all of them: joins the recorded versions as `duties`. */
  version: string;
  /** The revisions the answers are as of (schedule, chapter 99 with its effective date, programme table): `duties_revisions`. */
  revisions: string;
}

/** What the duty data adds to the recorded versions: its content hash and the revisions it is as of. */
export function dutyVersions(d: DutyData): { duties: string; duties_revisions: string } {
  return { duties: d.version, duties_revisions: d.revisions };
}

function readRepoJson<T>(file: string, schema: z.ZodType<T>, log: FileLog): T {
  const name = `server/duties/${path.basename(file)}`;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new DataError(name, `cannot read file (${(e as Error).message})`);
  }
  log.set(name, sha256(text));
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new DataError(name, `invalid JSON (${(e as Error).message})`);
  }
  const r = schema.safeParse(value);
  if (!r.success) throw new DataError(name, r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return r.data;
}

function loadSchedule(dir: string, log: FileLog): Map<string, BaseRates> {
  const cols = { number: 'HTS Number', general: 'General Rate of Duty', special: 'Special Rate of Duty', column2: 'Column 2 Rate of Duty' };
  const file = relativeName(dir, DUTY_FILES.usHts);
  const out = new Map<string, BaseRates>();
  let last8: BaseRates | null = null;
  for (const { line, values } of readCsv(dir, DUTY_FILES.usHts, Object.values(cols), log)) {
    const code = values[cols.number].trim().replace(/\./g, '');
    if (code === '') continue;
    if (!/^(\d{4}|\d{6}|\d{8}|\d{10})$/.test(code)) throw new DataError(file, `line ${line}: HTS number "${values[cols.number]}" is not 4, 6, 8 or 10 digits`);
    const own = { general: values[cols.general].trim(), special: values[cols.special].trim(), column2: values[cols.column2].trim() };
    if (code.length === 8) {
      last8 = { code, ...own, rateLine: code };
      out.set(code, last8);
    } else if (code.length === 10) {
      // Rates sit on the 8-digit line and apply to its statistical lines, unless the line states its own.
      const parent = last8 && last8.code === code.slice(0, 8) ? last8 : null;
      const hasOwn = own.general !== '' || own.column2 !== '';
      out.set(code, hasOwn || !parent ? { code, ...own, rateLine: code } : { ...parent, code });
    }
  }
  return out;
}

const S301_TYPES = new Set(['covered', 'covered_partial', 'covered_statline', 'scope_excluded_statline', 'suspended']);
const HEADING_RE = /^9903\.\d{2}\.\d{2}$/;
const ISO_RE = /^\d{4}-\d{2}-\d{2}$/;

function loadS301(dir: string, log: FileLog): Map<string, S301Row[]> {
  const file = relativeName(dir, DUTY_FILES.s301);
  const cols = ['hts8', 'list', 'heading_9903', 'additional_rate', 'effective_date', 'row_type', 'note_ref', 'hts_as_listed', 'remarks'];
  const out = new Map<string, S301Row[]>();
  for (const { line, values: v } of readCsv(dir, DUTY_FILES.s301, cols, log)) {
    const bad = (problem: string): never => {
      throw new DataError(file, `line ${line}: ${problem}`);
    };
    if (!/^\d{8}$/.test(v.hts8)) bad(`hts8 "${v.hts8}" is not 8 digits`);
    if (!HEADING_RE.test(v.heading_9903)) bad(`heading_9903 "${v.heading_9903}" is not a 9903.xx.xx heading`);
    if (!S301_TYPES.has(v.row_type)) bad(`row_type "${v.row_type}" is not one of ${[...S301_TYPES].join(', ')}`);
    if (v.effective_date !== '' && !ISO_RE.test(v.effective_date)) bad(`effective_date "${v.effective_date}" is not YYYY-MM-DD`);
    if (!/^\d{8}(\d{2})?$/.test(v.hts_as_listed)) bad(`hts_as_listed "${v.hts_as_listed}" is not 8 or 10 digits`);
    let rate: number | null = null;
    if (v.row_type === 'suspended') {
      if (!/suspended/.test(v.additional_rate)) bad(`suspended row with rate "${v.additional_rate}"`);
    } else {
      if (!/^\d+(\.\d+)?$/.test(v.additional_rate)) bad(`additional_rate "${v.additional_rate}" is not a percentage`);
      rate = Number(v.additional_rate);
    }
    const row: S301Row = {
      line,
      hts8: v.hts8,
      list: v.list,
      heading: v.heading_9903,
      rate,
      effective: v.effective_date || null,
      rowType: v.row_type as S301Row['rowType'],
      noteRef: v.note_ref,
      htsAsListed: v.hts_as_listed,
      remarks: v.remarks,
    };
    const list = out.get(v.hts8);
    if (list) list.push(row);
    else out.set(v.hts8, [row]);
  }
  return out;
}

function loadExclusions(dir: string, log: FileLog): S301Exclusion[] {
  const file = relativeName(dir, DUTY_FILES.s301Exclusions);
  const cols = ['heading_9903', 'note_ref', 'item', 'excluded_from', 'hts_codes_mentioned', 'description'];
  return readCsv(dir, DUTY_FILES.s301Exclusions, cols, log).map(({ line, values: v }) => {
    const codes = v.hts_codes_mentioned.trim().split(/\s+/).filter(Boolean);
    if (!HEADING_RE.test(v.heading_9903)) throw new DataError(file, `line ${line}: heading_9903 "${v.heading_9903}" is not a 9903.xx.xx heading`);
    const excludedFrom = v.excluded_from.match(/9903\.\d{2}\.\d{2}/g) ?? [];
    if (excludedFrom.length === 0) throw new DataError(file, `line ${line}: excluded_from "${v.excluded_from}" names no 9903.xx.xx heading`);
    const wrong = codes.find((c) => !/^\d{8}(\d{2})?$/.test(c));
    if (wrong !== undefined) throw new DataError(file, `line ${line}: code "${wrong}" in hts_codes_mentioned is not 8 or 10 digits`);
    if (!v.description.trim()) throw new DataError(file, `line ${line}: empty description`);
    return { line, heading: v.heading_9903, noteRef: v.note_ref, item: v.item, excludedFrom, codes, description: v.description.trim() };
  });
}

function loadS232(dir: string, log: FileLog): S232Row[] {
  const file = relativeName(dir, DUTY_FILES.s232);
  const cols = ['hts', 'hts8', 'product_group', 'heading_9903', 'country_scope', 'row_type', 'description', 'as_of'];
  return readCsv(dir, DUTY_FILES.s232, cols, log).map(({ line, values: v }) => {
    if (!/^\d{4,10}$/.test(v.hts)) throw new DataError(file, `line ${line}: hts "${v.hts}" is not a 4- to 10-digit prefix`);
    if (!/^9903\.\d{2}\.(\d{2}|xx)/.test(v.heading_9903)) throw new DataError(file, `line ${line}: heading_9903 "${v.heading_9903}" is not a 9903 heading`);
    if (!v.product_group.trim()) throw new DataError(file, `line ${line}: empty product_group`);
    return {
      line,
      prefix: v.hts,
      group: v.product_group,
      heading: v.heading_9903,
      countryScope: v.country_scope,
      rowType: v.row_type,
      description: v.description,
      asOf: v.as_of,
    };
  });
}

/** Loads everything the duty stack needs. A missing or malformed file is a DataError naming it. */
export function loadDutyData(dir: string = resolveDataDir()): DutyData {
  const log: FileLog = new Map();
  const ch99File = relativeName(dir, DUTY_FILES.ch99);
  const ch99 = parseCh99(readDataText(dir, DUTY_FILES.ch99, log), ch99File);
  const effective = CH99_EFFECTIVE[ch99.revision];
  if (!effective) throw new DataError(ch99File, `revision "${ch99.revision}" has no known effective date (add it to CH99_EFFECTIVE in server/duties/load.ts)`);
  const ch99AsOf: AsOf = { source: DUTY_FILES.ch99, revision: `HTSUS chapter 99, ${ch99.revision}`, effective };
  const schedule = loadSchedule(dir, log);
  const s301 = loadS301(dir, log);
  const exclusions = loadExclusions(dir, log);
  const s232 = loadS232(dir, log);
  const prog = readRepoJson(PROGRAMMES_FILE, ProgrammesFile, log);
  const countries = readRepoJson(COUNTRIES_FILE, CountriesFile, log).countries;
  for (const [code, p] of Object.entries(prog.programmes)) {
    const unknown = p.countries.find((c) => !countries[c]);
    if (unknown) throw new DataError('server/duties/programmes.json', `programme ${code}: ${unknown} is not an ISO 3166 country in countries.json`);
  }
  const files = [...log].map(([p, h]) => ({ path: p, sha256: h })).sort((a, b) => (a.path < b.path ? -1 : 1));
  const programmesAsOf: AsOf = { source: 'server/duties/programmes.json', revision: 'reviewed table of the general notes, 2026-12-02', effective: null };
  return {
    dir,
    ch99,
    ch99AsOf,
    scheduleAsOf: { source: DUTY_FILES.usHts, revision: SCHEDULE_REVISION, effective: null },
    s301AsOf: { source: DUTY_FILES.s301, revision: `parsed from chapter 99 notes 20 and 31, ${ch99.revision}`, effective },
    s232AsOf: { source: DUTY_FILES.s232, revision: `product scopes as of ${ch99.revision}`, effective },
    schedule,
    s301,
    exclusions,
    s232,
    programmes: prog.programmes,
    programmesAsOf,
    column2: prog.column2.countries,
    countries,
    files,
    version: crypto.createHash('sha256').update(files.map((f) => `${f.path}:${f.sha256}`).join('\n')).digest('hex').slice(0, 16),
    revisions: `${SCHEDULE_REVISION}; ${ch99AsOf.revision} (effective ${effective}), with the Section 301 and 232 lists of that revision; programmes: ${programmesAsOf.revision}`,
  };
}
