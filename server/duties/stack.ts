// The US duty stack of one 10-digit line for an origin and an entry date: the base rate (general, special or
// column 2) and the chapter 99 additional duties (Section 301, Section 232, Section 122), each with the heading and
// note that impose it and the revision it is as of. Conditional provisions (partial coverage, product exclusions,
// end-use scopes, melt-and-pour rules) are listed under may_apply with their text, never applied silently; what the
// data cannot answer is listed under not_covered.
import { note20Paragraphs, noteReference } from './ch99';
import type { AsOf, BaseRates, DutyData } from './load';

/** `ieepa` (the 2025 IEEPA duties of U.S. note 2, invalidated) appears only under not_applied. */
export type DutyKind = 'general' | 'special' | 'column2' | 'section301' | 'section232' | 'section122' | 'ieepa';

export interface DutyItem {
  kind: DutyKind;
  /** The chapter 99 heading, or the 10-digit line itself for the base rate. */
  heading: string;
  /** As the schedule states it: "16.5%", "Free", "4.4¢/kg", "+25%". */
  rate: string;
  /** The rate as a percentage of the value when it is ad valorem, else null (specific or compound). */
  ad_valorem: number | null;
  basis: string;
  citation: string;
  as_of: AsOf;
  note: string;
}

/** A provision that may change the stack, depending on facts the request does not give. */
export interface ConditionalItem {
  kind: DutyKind;
  heading: string;
  rate: string;
  /** adds a duty, replaces the one listed, or exempts from it. */
  effect: 'adds' | 'replaces' | 'exempts';
  condition: string;
  citation: string;
  as_of: AsOf;
}

/** A provision that names the line but does not apply on this date or to this origin, and why. */
export interface NotApplied {
  kind: DutyKind;
  heading: string;
  reason: string;
  citation: string;
  as_of: AsOf;
}

export interface DutyStack {
  code: string;
  origin: string;
  origin_name: string;
  date: string;
  duties: DutyItem[];
  /** Sum of the ad valorem parts, when every part is ad valorem; else null (see total_note). */
  total_ad_valorem: number | null;
  total_note: string | null;
  may_apply: ConditionalItem[];
  not_applied: NotApplied[];
  /** What the data does not cover for this query: never filled in with a guess. */
  not_covered: string[];
}

export interface DutyQuery {
  code: string;
  origin: string;
  /** Entry date, YYYY-MM-DD; default today (UTC). */
  date?: string;
  steel_pour_country?: string;
  aluminum_smelt_country?: string;
}

/** A bad query: names the field. The service answers 400, the CLI an error row or exit 2. */
export class DutyInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'DutyInputError';
  }
}

const NOTE = (ref: string) => `U.S. note ${ref} to subchapter III of chapter 99`;

/** "Free" -> 0, "16.5%" -> 16.5, specific or compound rates -> null. */
export function adValorem(rate: string): number | null {
  const t = rate.trim();
  if (/^free$/i.test(t)) return 0;
  const m = /^(\d+(?:\.\d+)?)%$/.exec(t);
  return m ? Number(m[1]) : null;
}

/** "Free (A+,AU,BH) 2.5% (KR)" -> [{rate: "Free", codes: ["A+","AU","BH"]}, {rate: "2.5%", codes: ["KR"]}]. */
export function parseSpecial(text: string): { rate: string; codes: string[] }[] {
  const out: { rate: string; codes: string[] }[] = [];
  for (const m of text.matchAll(/([^()]+?)\s*\(([^)]*)\)/g)) {
    const codes = m[2].split(',').map((c) => c.trim()).filter((c) => /^[A-Z]{1,2}[+*]?$/.test(c));
    if (codes.length) out.push({ rate: m[1].trim(), codes });
  }
  return out;
}

/** "6109100012" -> "6109.10.00.12". */
export const dotted = (c: string) => [c.slice(0, 4), c.slice(4, 6), c.slice(6, 8), c.slice(8, 10)].filter(Boolean).join('.');
const pct = (n: number) => `${Number(n.toFixed(4))}%`;
const round = (n: number) => Math.round(n * 10000) / 10000;

function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

/** The entry date (default today, UTC); a DutyInputError when it is not a real YYYY-MM-DD date. */
export function checkDate(value: string | undefined): string {
  const date = value === undefined || value === '' ? todayUtc() : String(value).trim();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`)) || new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) !== date) {
    throw new DutyInputError('date', `"${value}" is not a date (YYYY-MM-DD)`);
  }
  return date;
}

/** An optional country (upper-cased), or a DutyInputError naming `field`. */
export function checkCountry(d: DutyData, field: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  const c = value.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(c) || !d.countries[c]) throw new DutyInputError(field, `"${value}" is not an ISO 3166-1 alpha-2 country code`);
  return c;
}

/** The origin upper-cased; a DutyInputError naming `field` when missing, unknown or US. */
export function checkOrigin(d: DutyData, value: string | undefined, field = 'origin'): string {
  const origin = checkCountry(d, field, value);
  if (!origin) throw new DutyInputError(field, 'is required (ISO 3166-1 alpha-2, e.g. CN)');
  if (origin === 'US') throw new DutyInputError(field, 'US goods returned are entered under chapter 98, which the duty stack does not cover');
  return origin;
}

/** Validates a query: a known 10-digit US line, a known origin, a real date. */
export function checkQuery(d: DutyData, q: DutyQuery): { code: string; origin: string; date: string; pour?: string; smelt?: string; base: BaseRates } {
  const code = String(q.code ?? '').trim().replace(/\./g, '');
  if (!/^\d{10}$/.test(code)) throw new DutyInputError('code', `"${q.code}" is not a 10-digit US HTS statistical line`);
  const base = d.schedule.get(code);
  if (!base) throw new DutyInputError('code', `${code} is not a line of the US HTS (${d.scheduleAsOf.revision})`);
  if (code.startsWith('98') || code.startsWith('99')) throw new DutyInputError('code', `${code} is a chapter 98/99 special provision, not goods of chapters 1-97`);
  const origin = checkOrigin(d, q.origin);
  const date = checkDate(q.date);
  return { code, origin, date, pour: checkCountry(d, 'steel_pour_country', q.steel_pour_country), smelt: checkCountry(d, 'aluminum_smelt_country', q.aluminum_smelt_country), base };
}

interface Acc {
  duties: DutyItem[];
  may: ConditionalItem[];
  notApplied: NotApplied[];
  notCovered: string[];
}

// ---------------------------------------------------------------------------------------------------------
// Base rate: column 2, a special programme, or the general rate

function baseRate(d: DutyData, code: string, origin: string, base: BaseRates, acc: Acc): { item: DutyItem; programme: string | null } {
  const line = `${dotted(code)}${base.rateLine !== code ? ` (stated on ${dotted(base.rateLine)})` : ''}`;
  const item = (kind: DutyKind, rate: string, basis: string, citation: string, note: string): DutyItem => ({
    kind,
    heading: code,
    rate: rate || '(none stated)',
    ad_valorem: adValorem(rate),
    basis,
    citation,
    as_of: d.scheduleAsOf,
    note,
  });
  const c2 = d.column2[origin];
  if (c2) {
    const note = `${d.countries[origin]}: ${c2.basis}${c2.since ? `, since ${c2.since}` : ''}.`;
    return { programme: null, item: item('column2', base.column2, 'Products of the countries listed in general note 3(b) take the column 2 rate.', `General note 3(b); column 2 rate of ${line}`, note) };
  }
  for (const group of parseSpecial(base.special)) {
    for (const p of group.codes) {
      const prog = d.programmes[p];
      if (!prog || !prog.countries.includes(origin)) continue;
      if (prog.status !== 'in_force') {
        acc.notApplied.push({
          kind: 'special',
          heading: code,
          reason: `programme ${p} (${prog.name}) is ${prog.status.replace(/_/g, ' ')}${prog.note ? `: ${prog.note}` : ''}`,
          citation: `General note ${prog.general_note ?? '(not verified)'}; special column of ${line}`,
          as_of: d.programmesAsOf,
        });
        continue;
      }
      const basis =
        `${prog.name} (special programme indicator ${p}): only for goods that meet the programme's rules of origin ` +
        `(general note ${prog.general_note}) and for which the preference is claimed at entry; otherwise the general rate ${base.general || '(none stated)'} applies.`;
      const note = prog.general_note_checked ? `General note ${prog.general_note} is cited for this programme in the chapter 99 text.` : `Programme table: ${d.programmesAsOf.source}.`;
      return { programme: p, item: item('special', group.rate, basis, `General note ${prog.general_note}; special column of ${line}`, note) };
    }
  }
  const listed = new Set(parseSpecial(base.special).flatMap((g) => g.codes));
  const unverified = [...listed].filter((p) => d.programmes[p] && d.programmes[p].countries.length === 0 && d.programmes[p].status !== 'not_origin_based');
  if (unverified.length) {
    acc.notCovered.push(
      `Special programmes ${unverified.join(', ')} of this line are not applied: ${unverified.map((p) => `${p} ${d.programmes[p].status.replace(/_/g, ' ')}`).join('; ')} (${d.programmesAsOf.source}); whether ${d.countries[origin]} benefits is not checked.`,
    );
  }
  return {
    programme: null,
    item: item('general', base.general, 'Column 1 general (normal trade relations) rate.', `General rate of duty of ${line}`, base.general ? '' : 'The schedule states no general rate for this line.'),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Section 301 (products of China)

/** The rate in force on `date` from remarks like "10% from 2018-09-24; 25% from 2019-05-10", else `rate`. */
function rateOn(remarks: string, rate: number, date: string): number {
  const steps = [...remarks.matchAll(/(\d+(?:\.\d+)?)% from (\d{4}-\d{2}-\d{2})/g)].map((m) => ({ rate: Number(m[1]), from: m[2] }));
  const inForce = steps.filter((s) => s.from <= date).sort((a, b) => (a.from < b.from ? -1 : 1));
  return inForce.length ? inForce[inForce.length - 1].rate : rate;
}

function section301(d: DutyData, code: string, date: string, acc: Acc): void {
  const rows = d.s301.get(code.slice(0, 8)) ?? [];
  const applied: string[] = [];
  const carved = new Set(rows.filter((r) => r.rowType === 'scope_excluded_statline' && r.htsAsListed === code).map((r) => r.heading));
  for (const r of rows) {
    const cite = NOTE(r.noteRef);
    const h = d.ch99.headings.get(r.heading);
    const from = r.effective ?? h?.from ?? null;
    const until = h?.until ?? null;
    if (r.rowType === 'suspended') {
      acc.notApplied.push({ kind: 'section301', heading: r.heading, reason: `${r.list}: ${r.remarks || 'suspended'}; adds nothing`, citation: cite, as_of: d.s301AsOf });
      continue;
    }
    if (r.rowType === 'scope_excluded_statline') {
      if (r.htsAsListed === code) acc.notApplied.push({ kind: 'section301', heading: r.heading, reason: `${r.list}: statistical line ${code} is carved out of the partial coverage`, citation: cite, as_of: d.s301AsOf });
      continue;
    }
    if (r.rowType === 'covered_statline' && r.htsAsListed !== code) continue;
    if (from && date < from) {
      acc.notApplied.push({ kind: 'section301', heading: r.heading, reason: `${r.list} applies to entries from ${from}; not in force on ${date}`, citation: cite, as_of: d.s301AsOf });
      continue;
    }
    if (until && date >= until) {
      acc.notApplied.push({ kind: 'section301', heading: r.heading, reason: `${r.list} applied to entries before ${until}`, citation: cite, as_of: d.s301AsOf });
      continue;
    }
    const rate = rateOn(r.remarks, r.rate!, date);
    if (r.rowType === 'covered_partial') {
      if (carved.has(r.heading)) continue;
      const sub = /^20\(([a-z])\)/.exec(r.noteRef)?.[1];
      const texts = sub ? note20Paragraphs(d.ch99, code.slice(0, 8), sub) : [];
      acc.may.push({
        kind: 'section301',
        heading: r.heading,
        rate: `+${pct(rate)}`,
        effect: 'adds',
        condition: `may apply: ${r.list} covers only the products described in ${NOTE(r.noteRef)}${texts.length ? `: "${texts.join('" / "')}"` : ` (${r.remarks})`}`,
        citation: cite,
        as_of: d.s301AsOf,
      });
      continue;
    }
    applied.push(r.heading);
    acc.duties.push({
      kind: 'section301',
      heading: r.heading,
      rate: `+${pct(rate)}`,
      ad_valorem: rate,
      basis: 'Additional ad valorem duty on products of China, on the customs value, on top of the base rate.',
      citation: `${cite}; heading ${r.heading}`,
      as_of: d.s301AsOf,
      note: [`${r.list}${from ? `, entries from ${from}` : ''}${until ? ` before ${until}` : ''}`, r.remarks].filter(Boolean).join('; '),
    });
  }
  // Product exclusions (notes 20(vvv)/(www)): each is defined by a product description, so never applied silently.
  for (const x of d.exclusions) {
    if (!x.excludedFrom.some((h) => applied.includes(h))) continue;
    if (!x.codes.some((c) => (c.length === 10 ? c === code : c === code.slice(0, 8)))) continue;
    const h = d.ch99.headings.get(x.heading);
    if (h?.from && date < h.from) continue;
    if (h?.until && date >= h.until) {
      acc.notApplied.push({ kind: 'section301', heading: x.heading, reason: `product exclusion ${x.noteRef} item ${x.item} ("${x.description}") applied to entries before ${h.until}`, citation: NOTE(x.noteRef), as_of: d.s301AsOf });
      continue;
    }
    acc.may.push({
      kind: 'section301',
      heading: x.heading,
      rate: '0 (exclusion)',
      effect: 'exempts',
      condition: `may apply: excluded from ${x.excludedFrom.join(', ')} if the goods are: "${x.description}"${h?.until ? ` (entries before ${h.until})` : ''}`,
      citation: NOTE(x.noteRef),
      as_of: d.s301AsOf,
    });
  }
}

// ---------------------------------------------------------------------------------------------------------
// Section 232

const SUBDIVISIONS = ['i', 'ii', 'iii', 'iv', 'v', 'vi', 'vii', 'viii', 'ix', 'x'] as const;
type Sub = (typeof SUBDIVISIONS)[number];
const METAL: Record<Sub, 'aluminum' | 'steel' | 'copper'> = {
  i: 'aluminum', ii: 'aluminum', iii: 'steel', iv: 'steel', v: 'copper', vi: 'aluminum', vii: 'steel', viii: 'copper', ix: 'aluminum', x: 'steel',
};
const DERIVATIVE = new Set<Sub>(['ii', 'iv', 'vi', 'vii', 'ix', 'x']);
const TIER: Record<Sub, 'A' | 'B' | 'C'> = { i: 'A', ii: 'A', iii: 'A', iv: 'A', v: 'A', vi: 'B', vii: 'B', viii: 'B', ix: 'C', x: 'C' };

function note16Subdivision(d: DutyData, code: string): Sub | null {
  for (const s of SUBDIVISIONS) if (d.ch99.note16.get(s)!.some((p) => code.startsWith(p))) return s;
  return null;
}

interface MetalResult {
  /** A 9903.82 heading decided (mutually exclusive headings: note 16(a)), for the Section 122 exemption. */
  heading: string | null;
}

function metals(d: DutyData, q: { code: string; origin: string; date: string; pour?: string; smelt?: string }, col1: number | null, acc: Acc): MetalResult {
  const sub = note16Subdivision(d, q.code);
  if (!sub) return { heading: null };
  const metal = METAL[sub];
  const tier = TIER[sub];
  const deriv = DERIVATIVE.has(sub);
  const where = metal === 'steel' ? q.pour : metal === 'aluminum' ? q.smelt : undefined;
  const param = metal === 'steel' ? 'steel_pour_country' : 'aluminum_smelt_country';
  const ch = q.code.slice(0, 2);
  const fullValue = ['72', '73', '74', '76'].includes(ch);
  const basis = fullValue
    ? `Full customs value of the article (U.S. note 16(c)); chapter ${ch} articles regardless of metal weight.`
    : `Full customs value of the article (U.S. note 16(c)), but only where the ${metal} weighs at least 15 percent of the article; below that heading 9903.82.03 applies and no Section 232 duty is due.`;
  const alt = (heading: string, condition: string, effect: ConditionalItem['effect'] = 'replaces') => {
    const h = d.ch99.headings.get(heading);
    const total = d.ch99.note16Totals.get(heading);
    acc.may.push({
      kind: 'section232',
      heading,
      rate: total !== undefined ? `${total}% in total with the column 1 rate` : h?.additional != null ? `+${pct(h.additional)}` : 'no change',
      effect,
      condition: `may apply: ${condition}`,
      citation: `${NOTE(`16(c)(${sub})`)}; heading ${heading}`,
      as_of: d.ch99AsOf,
    });
  };
  const col2 = !!d.column2[q.origin];
  const us95 = metal === 'steel' ? 'at least 95% of the steel content was melted and poured in the United States' : metal === 'aluminum' ? 'at least 95% of the aluminum content was smelted and cast in the United States' : 'at least 95% of the copper content was smelted and cast in the United States';
  const uk95 = metal === 'steel' ? 'at least 95% of the steel was melted and poured in the United Kingdom' : 'at least 95% of the aluminum was smelted or most recently cast in the United Kingdom';
  let heading: string;
  if (metal === 'aluminum' && (q.origin === 'RU' || where === 'RU')) {
    heading = deriv ? '9903.85.68' : '9903.85.67';
  } else if (tier === 'A') {
    if (q.origin === 'RU' && metal !== 'aluminum') heading = '9903.82.14';
    else if (q.origin === 'GB' && metal !== 'copper' && where === 'GB') heading = '9903.82.04';
    else if (deriv && where === 'US') heading = '9903.82.06';
    else {
      heading = '9903.82.02';
      if (q.origin === 'GB' && metal !== 'copper' && where === undefined) alt('9903.82.04', `${uk95} (U.S. note 16(d)); give ${param} GB`);
      if (deriv && where === undefined) alt('9903.82.06', `${us95} (U.S. note 16(e)); give ${param} US`);
      if ((q.origin === 'CA' || q.origin === 'MX') && (sub === 'iii' || sub === 'i')) {
        alt(sub === 'iii' ? '9903.82.18' : '9903.82.19', `limited quantities ${sub === 'iii' ? 'melted and poured' : 'smelted and cast'} in Canada or Mexico, qualifying under the USMCA and authorised by the Secretary of Commerce (U.S. note 16(${sub === 'iii' ? 'h' : 'i'}))`);
      }
    }
  } else if (tier === 'B') {
    if (q.origin === 'RU' && metal !== 'aluminum') heading = where === 'US' && metal === 'steel' ? '9903.82.15' : '9903.82.16';
    else if (where === 'US') heading = '9903.82.06';
    else if (q.origin === 'GB' && metal !== 'copper' && where === 'GB') heading = '9903.82.05';
    else {
      heading = '9903.82.09';
      if (where === undefined) alt('9903.82.06', `${us95} (U.S. note 16(e))${metal === 'copper' ? '' : `; give ${param} US`}`);
      if (q.origin === 'GB' && metal !== 'copper' && where === undefined) alt('9903.82.05', `${uk95} (U.S. note 16(d)); give ${param} GB`);
      if (['84', '85', '87'].includes(ch)) alt('9903.82.13', 'motorcycle parts for use in manufacturing motorcycles in the United States (U.S. note 16(g)): no change');
    }
  } else {
    const total = (h: string) => d.ch99.note16Totals.get(h)!;
    if (q.origin === 'RU' && metal === 'steel') heading = '9903.82.17';
    else if (col2) heading = '9903.82.12';
    else {
      const us = where === 'US';
      const [low, high] = us ? ['9903.82.07', '9903.82.08'] : ['9903.82.10', '9903.82.11'];
      const t = total(low);
      if (!us && where === undefined) alt('9903.82.07', `${us95} (U.S. note 16(e)): ${total('9903.82.07')}% in total with the column 1 rate`);
      if (col1 !== null && col1 >= t) {
        acc.notApplied.push({ kind: 'section232', heading: high, reason: `the column 1 rate (${pct(col1)}) is at least ${t}%: no additional duty (U.S. note 16(${us ? 'e' : 'f'}))`, citation: `${NOTE(`16(c)(${sub})`)}; heading ${high}`, as_of: d.ch99AsOf });
        return { heading: high };
      }
      const add = col1 === null ? null : round(t - col1);
      if (add === null) acc.notCovered.push(`Section 232 heading ${low}: the duty brings the total to ${t}% with the column 1 rate, but this line's rate is not ad valorem and the data has no ad valorem equivalent.`);
      acc.duties.push({
        kind: 'section232',
        heading: low,
        rate: add === null ? `${t}% in total with the column 1 rate` : `+${pct(add)}`,
        ad_valorem: add,
        basis: `${basis} The additional duty brings the column 1 rate up to ${t}% in total (U.S. note 16(${us ? 'e' : 'f'})).`,
        citation: `${NOTE(`16(c)(${sub})`)}; heading ${low}`,
        as_of: d.ch99AsOf,
        note: `${DERIVATIVE.has(sub) ? 'Derivative' : 'Article'} ${metal} of note 16(c)(${sub}), in force from ${d.ch99.metalsFrom}.`,
      });
      return { heading: low };
    }
  }
  const h = d.ch99.headings.get(heading);
  if (!h || h.additional === null) {
    acc.notCovered.push(`Section 232 heading ${heading} (note 16(c)(${sub})) has no rate the chapter 99 text could be read for.`);
    return { heading };
  }
  acc.duties.push({
    kind: 'section232',
    heading,
    rate: `+${pct(h.additional)}`,
    ad_valorem: h.additional,
    basis,
    citation: heading.startsWith('9903.85') ? `${noteReference(h) ?? NOTE('19')}; heading ${heading}` : `${NOTE(`16(c)(${sub})`)}; heading ${heading}`,
    as_of: d.ch99AsOf,
    note: `${deriv ? 'Derivative' : 'Article'} ${metal === 'aluminum' ? 'aluminum' : metal} of note 16(c)(${sub}), in force from ${d.ch99.metalsFrom}${where ? `; ${param} ${where}` : ''}.`,
  });
  return { heading };
}

/** The Section 232 product groups of the data other than the note 16 metals (auto parts, MHDV parts, semiconductors, copper). */
function otherSection232(d: DutyData, code: string, date: string, acc: Acc): string[] {
  const mayHeadings: string[] = [];
  const seen = new Set<string>();
  for (const r of d.s232) {
    if (!code.startsWith(r.prefix) || r.group.includes('annex')) continue;
    const key = `${r.group}|${r.heading}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const h = d.ch99.headings.get(r.heading);
    const before = date < d.ch99.metalsFrom;
    if (/2025 structure/.test(r.asOf)) {
      if (before) acc.notCovered.push(`Section 232 ${r.group.replace(/_/g, ' ')} (${r.heading}, the 2025 structure, with duty on the metal content only): this line is on that list, but the heading was terminated on ${d.ch99.metalsFrom} and its rate is not in ${d.ch99AsOf.revision}; not computed for ${date}.`);
      continue;
    }
    if (!h || h.additional === null) {
      acc.notCovered.push(`Section 232 ${r.group.replace(/_/g, ' ')}: the data lists this line under ${r.heading}, which has no rate in the heading tables of ${d.ch99AsOf.revision} (terminated or moved); no rate given.`);
      continue;
    }
    if (h.from && date < h.from) continue;
    mayHeadings.push(r.heading);
    acc.may.push({
      kind: 'section232',
      heading: r.heading,
      rate: `+${pct(h.additional)}`,
      effect: 'adds',
      condition: `may apply: only to ${h.description.replace(/^Except for products described in headings [^,]*(?:, 9903\.\d{2}\.\d{2})*,? (?:and 9903\.\d{2}\.\d{2},? )?/, '')}${r.description && !/^effective/.test(r.description) ? ` (listed as: ${r.description})` : ''}`,
      citation: `${noteReference(h) ? `${noteReference(h)} to subchapter III of chapter 99` : 'chapter 99'}; heading ${r.heading}`,
      as_of: d.s232AsOf,
    });
  }
  return mayHeadings;
}

// ---------------------------------------------------------------------------------------------------------
// Section 122 (the temporary import surcharge that replaced the 2025 reciprocal duties)

/**
 * Where the informational materials of heading 9903.03.11 (publications, films, posters, records, photographs,
 * microfilms, microfiche, tapes, compact disks, CD-ROMs, artworks) are classified: photographic film (3704-3706),
 * printed matter (chapter 49), recorded media (8523), works of art (chapter 97). The exemption is offered there.
 */
const INFORMATIONAL = ['3704', '3705', '3706', '49', '8523', '97'];

function section122(d: DutyData, q: { code: string; origin: string; date: string }, metalHeading: string | null, mayHeadings: string[], programme: string | null, acc: Acc): void {
  const ch = d.ch99;
  const t = ch.s122Transit;
  if (q.date < t.loadedBefore) {
    acc.notCovered.push(
      `Entries before ${t.loadedBefore}: the 2025 reciprocal and other IEEPA duties of U.S. note 2 (headings 9903.01 and 9903.02) are not computed; they were invalidated on ${t.loadedBefore} and replaced by the Section 122 surcharge (heading 9903.03.01). Whether they applied to this entry, and refunds, are not in the data.`,
    );
    return;
  }
  const ieepa = [...ch.headings.keys()].filter((x) => /^9903\.0[12]\./.test(x)).sort();
  if (ieepa.length) {
    acc.notApplied.push({
      kind: 'ieepa',
      heading: `${ieepa[0]}-${ieepa[ieepa.length - 1]}`,
      reason: `the 2025 reciprocal and other IEEPA duties were invalidated on ${t.loadedBefore} and replaced by the Section 122 surcharge (heading 9903.03.01); their headings are still in the text of ${d.ch99AsOf.revision} but do not apply to entries from that date`,
      citation: NOTE('2'),
      as_of: d.ch99AsOf,
    });
  }
  const h = ch.headings.get('9903.03.01')!;
  if (h.additional === null) {
    acc.notCovered.push('Section 122 heading 9903.03.01 has no rate the chapter 99 text could be read for.');
    return;
  }
  const cite = (sub: string) => `${NOTE(`2(aa)${sub}`)}`;
  const exempt = (heading: string, sub: string, reason: string): void => void acc.notApplied.push({ kind: 'section122', heading: '9903.03.01', reason: `exempt under ${heading}: ${reason}`, citation: cite(sub), as_of: d.ch99AsOf });
  const code8 = q.code.slice(0, 8);
  if (ch.s122Exempt.has(code8)) return exempt('9903.03.03', '(ii)', `subheading ${code8} is listed in note 2(aa)(ii)`);
  if (metalHeading && (metalHeading === '9903.82.02' || /^9903\.82\.(0[4-9]|1\d)$/.test(metalHeading))) {
    return exempt('9903.03.06', '(v)(1)', `articles of aluminum, steel or copper and derivatives subject to heading ${metalHeading}${['72', '73', '74', '76'].includes(q.code.slice(0, 2)) ? '' : ' (if the metal is under 15% of the weight, heading 9903.82.03 applies instead and so does 9903.03.01)'}`);
  }
  if ((q.origin === 'CA' || q.origin === 'MX') && (programme === 'S' || programme === 'S+')) {
    const sub = q.origin === 'CA' ? '(vi)' : '(vii)';
    return exempt(q.origin === 'CA' ? '9903.03.07' : '9903.03.08', sub, `products of ${d.countries[q.origin]} entered free of duty under the USMCA (if the USMCA is not claimed, +${pct(h.additional)} under 9903.03.01 applies)`);
  }
  const chapter = Number(q.code.slice(0, 2));
  if (programme && (programme === 'P' || programme === 'P+') && chapter >= 50 && chapter <= 63) {
    return exempt('9903.03.09', '(viii)', `textile or apparel goods of ${d.countries[q.origin]} entered free of duty under the CAFTA-DR (if it is not claimed, 9903.03.01 applies)`);
  }
  acc.duties.push({
    kind: 'section122',
    heading: '9903.03.01',
    rate: `+${pct(h.additional)}`,
    ad_valorem: h.additional,
    basis: 'Temporary import surcharge on products of any country, on the customs value, on top of the base rate and other chapter 99 duties.',
    citation: `${cite('(i)')}; heading 9903.03.01`,
    as_of: d.ch99AsOf,
    note:
      `Replaced the 2025 reciprocal (IEEPA) duties, invalidated on ${t.loadedBefore}. The text states no end date: the surcharge ends when the rates of the Proclamation of February 20, 2026 expire (U.S. note 2(y)). ` +
      'Not evaluated: donations to relieve human suffering (heading 9903.03.10), goods for personal use in accompanied baggage and goods entered under chapter 98 (note 2(aa)(i)), which are exempt.',
  });
  const may = (heading: string, sub: string, condition: string) =>
    acc.may.push({ kind: 'section122', heading, rate: '0 (exempt from 9903.03.01)', effect: 'exempts', condition: `may apply: ${condition}`, citation: cite(sub), as_of: d.ch99AsOf });
  const particular = ch.s122Particular.get(code8);
  if (particular) may('9903.03.04', '(iii)', `exempt if the goods are: "${particular}"`);
  if ([...ch.s122Aircraft].some((p) => q.code.startsWith(p))) may('9903.03.05', '(iv)', 'exempt if civil aircraft, their engines, parts and components meeting general note 6');
  const info = ch.headings.get('9903.03.11');
  if (info && INFORMATIONAL.some((p) => q.code.startsWith(p))) may('9903.03.11', '(i)', `exempt if the goods are: "${info.description.replace(/\.+$/, '')}"`);
  for (const m of mayHeadings) may('9903.03.06', '(v)', `exempt if the goods are subject to Section 232 ${/^9903/.test(m) ? `heading ${m}` : m}`);
  if (q.date < t.enteredBefore) may('9903.03.02', '', `exempt if loaded onto the vessel and in transit before ${t.loadedBefore} and entered before ${t.enteredBefore}`);
}

// ---------------------------------------------------------------------------------------------------------

/** The duty stack of one line. Throws DutyInputError for a bad query. */
export function dutyStack(d: DutyData, query: DutyQuery): DutyStack {
  const q = checkQuery(d, query);
  const acc: Acc = { duties: [], may: [], notApplied: [], notCovered: [] };
  const { item: base, programme } = baseRate(d, q.code, q.origin, q.base, acc);
  acc.duties.push(base);
  if (q.origin === 'CN') section301(d, q.code, q.date, acc);
  let metalHeading: string | null = null;
  const pending232: string[] = [];
  if (q.date >= d.ch99.metalsFrom) metalHeading = metals(d, q, base.ad_valorem, acc).heading;
  else if (note16Subdivision(d, q.code)) {
    pending232.push('steel, aluminum or copper duties (the 2025 headings 9903.81 or 9903.85)');
    acc.notCovered.push(`Section 232 steel, aluminum and copper: this line is in U.S. note 16(c), in force from ${d.ch99.metalsFrom}; the provisions in force on ${q.date} (the 2025 headings 9903.81, 9903.85) are not in ${d.ch99AsOf.revision}: not computed.`);
  }
  const mayHeadings = [...otherSection232(d, q.code, q.date, acc), ...pending232];
  const chapter = q.code.slice(0, 2);
  if (['44', '94'].includes(chapter)) acc.notCovered.push('Section 232 wood products (headings 9903.76): the data has no product list for them; not evaluated.');
  if (['8701', '8702', '8703', '8704', '8705'].includes(q.code.slice(0, 4))) acc.notCovered.push('Section 232 vehicles (headings 9903.94.01-.04, 9903.74.01-.07): the data has no vehicle lists; not evaluated.');
  section122(d, q, metalHeading, mayHeadings, programme, acc);

  if (q.date > d.ch99AsOf.effective!) {
    acc.notCovered.push(`The entry date ${q.date} is after the effective date of ${d.ch99AsOf.revision} (${d.ch99AsOf.effective}); later changes are not in the data. Its provisions are applied as in force (U.S. note 1 to subchapter III: until suspended or terminated).`);
  }
  if (q.date < '2026-01-01') acc.notCovered.push(`The base rates are those of ${d.scheduleAsOf.revision}; the rates in force on ${q.date} may have differed.`);
  acc.notCovered.push('Antidumping and countervailing duties (case by case, outside the tariff schedule), other chapter 99 provisions (quotas, safeguards) and fees (MPF, HMF) are not included.');

  const parts = acc.duties.map((x) => x.ad_valorem);
  const specific = acc.duties.filter((x) => x.ad_valorem === null);
  return {
    code: q.code,
    origin: q.origin,
    origin_name: d.countries[q.origin],
    date: q.date,
    duties: acc.duties,
    total_ad_valorem: specific.length ? null : round(parts.reduce<number>((s, v) => s + (v ?? 0), 0)),
    total_note: specific.length ? `not summed: ${specific.map((x) => `${x.kind} ${x.rate}`).join(', ')} is not ad valorem` : null,
    may_apply: acc.may,
    not_applied: acc.notApplied,
    not_covered: acc.notCovered,
  };
}
