// Reads HTSUS chapter 99 (legal/htsus-ch99-2026r6.txt, text extracted from the USITC PDF): the 9903 heading
// tables (rates, effective dates) and the parts of the subchapter III U.S. notes the duty stack needs: note 2(aa)
// (the Section 122 surcharge, heading 9903.03.01, and its exemptions) and note 16(c) (the Section 232 metal lists
// of the 2026-04-06 system, headings 9903.82.02-.19). Layout is that of the PDF: headings start a line
// ("9903.03.01 1/ ..."), the description runs in the left columns, the three rate columns (General, Special,
// Column 2) to the right, often a line or two out of step with the description.
import { DataError } from '../data/errors';

/** Characters from the left at which the rate columns of a heading table start (descriptions never reach it). */
const RATE_COLUMN = 118;

export interface Ch99Heading {
  heading: string;
  /** 1-based line of the heading in the file. */
  line: number;
  /** The article description, with the dot leaders and footnote markers removed. */
  description: string;
  /** The "+ N%" additional rate the heading's rate columns give (the value most of the columns agree on), if any. */
  additional: number | null;
  /** Entries on or after this date (ISO), when the description says "Effective with respect to entries on or after ...". */
  from: string | null;
  /** Entries before this date (ISO, exclusive), from "... and before <date>" or "through <date>" (made exclusive). */
  until: string | null;
}

export interface Ch99 {
  /** e.g. "2026 Revision 6", from the page headers. */
  revision: string;
  lines: string[];
  headings: Map<string, Ch99Heading>;
  /** Note 16(c): subdivision ("i" ... "x") -> listed provisions (4 to 10 digits, no dots). */
  note16: Map<string, string[]>;
  /** Note 16(e)/(f): headings whose rate is a total ("the sum of the column 1 rate and ... will be N percent"). */
  note16Totals: Map<string, number>;
  /** Note 2(aa)(ii): 8-digit subheadings exempt from 9903.03.01 (heading 9903.03.03). */
  s122Exempt: Set<string>;
  /** Note 2(aa)(iii): particular articles exempt (heading 9903.03.04): subheading -> the article text. */
  s122Particular: Map<string, string>;
  /** Note 2(aa)(iv): civil aircraft provisions exempt when they meet general note 6 (heading 9903.03.05). */
  s122Aircraft: Set<string>;
  /** Note 2(aa): dates of the 9903.03.02 in-transit rule: loaded before `loadedBefore`, entered before `enteredBefore`. */
  s122Transit: { loadedBefore: string; enteredBefore: string };
  /** Note 19's compiler's note: the 2025 aluminum headings (9903.85) ended on this date, when the 9903.82 system began. */
  metalsFrom: string;
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const DATE_RE = /(January|February|March|April|May|June|July|August|September|October|November|December)\s+(\d{1,2}),\s*(\d{4})/;

/** "February 24, 2026" -> "2026-02-24". */
export function isoDate(text: string): string | null {
  const m = DATE_RE.exec(text);
  if (!m) return null;
  const month = MONTHS.indexOf(m[1].toLowerCase()) + 1;
  return `${m[3]}-${String(month).padStart(2, '0')}-${m[2].padStart(2, '0')}`;
}

/** The day after an ISO date. */
export function nextDay(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** Page furniture repeated on every page of the PDF text. */
function isPageFurniture(line: string): boolean {
  return /Harmonized Tariff Schedule of the United States|Annotated for Statistical Reporting|^\s*XXII\s*$|99\s*-\s*III\s*-\s*\d+|^\s*Heading\/|^\s*Subheading\s+Suf|^\s*Quantity\s*$|^\s*fix\s*$|General\s+Special|U\.S\. Notes \(con\.\)|See chapter 99 statistical note|^\s*XXII\s+99|^\s*(?:General|Special|Rates of Duty|Unit|of)\s*$/.test(line);
}

const HEADING_LINE = /^(9903\.\d{2}\.\d{2})\s+\d\/\s+(.*)$/;
/** A provision in a note's list: 4, 6, 8 or 10 digits with the schedule's dots. */
const PROVISION = /(?<![\d.])(\d{4}(?:\.\d{2}(?:\.\d{2}(?:\d{2})?)?)?)(?![\d.])/g;

/** One line of text: runs of blanks collapsed; the en dashes the PDF extraction lost (U+FFFD) back as "-". */
function collapse(s: string): string {
  return s.replace(/\uFFFD/g, '-').replace(/\s+/g, ' ').trim();
}

function parseHeadings(lines: string[], fail: (line: number, problem: string) => never): Map<string, Ch99Heading> {
  const starts: number[] = [];
  for (let i = 0; i < lines.length; i++) if (HEADING_LINE.test(lines[i])) starts.push(i);
  const out = new Map<string, Ch99Heading>();
  for (let k = 0; k < starts.length; k++) {
    const s = starts[k];
    const e = k + 1 < starts.length ? starts[k + 1] : Math.min(lines.length, s + 40);
    const heading = HEADING_LINE.exec(lines[s])![1];
    const desc: string[] = [];
    const rates: string[] = [];
    // The dot leader ends the article description; what the left columns hold after it (the next group's
    // superior text, "Blue-mold cheese:") is not part of it.
    let ended = false;
    for (let i = s; i < e; i++) {
      const l = lines[i];
      if (isPageFurniture(l)) continue;
      if (/^\d\/\s/.test(l) || /^Note: The shaded areas/.test(l)) break; // the table's footnotes end the block
      const left = i === s ? l.slice(0, RATE_COLUMN).replace(/^9903\.\d{2}\.\d{2}\s+\d\/\s+/, '') : l.slice(0, RATE_COLUMN);
      if (!ended) desc.push(left.replace(/\.{3,}\s*\d\/.*$/, '').replace(/\s\d\/\s*$/, ''));
      ended ||= /\.{3,}\s*\d\//.test(left);
      rates.push(l.slice(RATE_COLUMN));
    }
    const description = collapse(desc.join(' '));
    // Each of the rate columns states the same "+ N%" for an additional duty; take the value most of them give.
    const counts = new Map<number, number>();
    for (const m of collapse(rates.join(' ')).matchAll(/(?:\+|plus)\s*(\d+(?:\.\d+)?)\s*%/g)) {
      const v = Number(m[1]);
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    let additional: number | null = null;
    for (const [v, n] of counts) if (additional === null || n > counts.get(additional)!) additional = v;
    const eff = /[Ee]ffective with respect to entries,? on or after ([A-Z][a-z]+ \d{1,2}, ?\d{4})/.exec(description);
    const before = /\band before ([A-Z][a-z]+ \d{1,2}, ?\d{4})/.exec(description);
    const through = /\bthrough ([A-Z][a-z]+ \d{1,2}, ?\d{4})/.exec(description);
    const from = eff ? isoDate(eff[1]) : null;
    const until = before ? isoDate(before[1]) : through ? nextDay(isoDate(through[1])!) : null;
    if (out.has(heading)) fail(s + 1, `heading ${heading} appears twice in the heading tables (first on line ${out.get(heading)!.line})`);
    out.set(heading, { heading, line: s + 1, description, additional, from, until });
  }
  return out;
}

/** Index of the first line at or after `from` matching `re`; fails naming what was looked for. */
function findLine(lines: string[], re: RegExp, from: number, what: string, fail: (line: number, problem: string) => never): number {
  for (let i = from; i < lines.length; i++) if (re.test(lines[i])) return i;
  return fail(from + 1, `${what} not found`);
}

/**
 * The "U.S. Notes (con.)" header that opens a page sometimes carries the first row of a list continued from the page
 * before ("U.S. Notes (con.)      7301.20.10    7301.20.50    7302.30.00"): blanked (columns kept), not skipped.
 */
function listLine(line: string): string {
  return line.replace(/^U\.S\. Notes \(con\.\)/, (h) => ' '.repeat(h.length));
}

/** The provisions of one line of a list (none on page furniture), with the column each starts at. */
function provisionsAt(line: string): { code: string; col: number }[] {
  const l = listLine(line);
  if (isPageFurniture(l)) return [];
  return [...l.matchAll(PROVISION)].map((m) => ({ code: m[1].replace(/\./g, ''), col: m.index! }));
}

function provisionsIn(lines: string[], from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i < to; i++) for (const p of provisionsAt(lines[i])) out.push(p.code);
  return out;
}

/** The chapters of the metal a note 16(c) list's title names ("Derivative steel articles:"). */
function metalChapters(title: string): string[] {
  return /aluminum/i.test(title) ? ['76'] : /steel/i.test(title) ? ['72', '73'] : /copper/i.test(title) ? ['74'] : [];
}

function parseNote16(lines: string[], fail: (line: number, problem: string) => never): { lists: Map<string, string[]>; totals: Map<string, number> } {
  const start = findLine(lines, /^16\. \(a\)\s+Except as provided in headings 9903\.85\.67/, 0, 'U.S. note 16(a) (Section 232 metals)', fail);
  const cStart = findLine(lines, /^\(c\) Headings 9903\.82\.02.9903\.82\.19 apply to the full customs value/, start, 'U.S. note 16(c)', fail);
  const dStart = findLine(lines, /^\(d\) Headings 9903\.82\.04 and 9903\.82\.05/, cStart, 'U.S. note 16(d)', fail);
  const subs = ['i', 'ii', 'iii', 'iv', 'v', 'vi', 'vii', 'viii', 'ix', 'x'];
  const marks: { sub: string; line: number; col: number; title: string }[] = [];
  for (let i = cStart; i < dStart; i++) {
    const m = /^\s*\((i|ii|iii|iv|v|vi|vii|viii|ix|x)\) (?:Articles|Derivative)[^:]*:/.exec(lines[i]);
    if (m) marks.push({ sub: m[1], line: i, col: m[0].length, title: m[0] });
  }
  if (marks.map((m) => m.sub).join() !== subs.join()) fail(cStart + 1, `U.S. note 16(c): expected subdivisions (i)-(x), found (${marks.map((m) => m.sub).join('), (')})`);
  // Each line's provisions, by the list whose title precedes it.
  const owner = new Map<number, { code: string; col: number; sub: string }[]>();
  marks.forEach((m, k) => {
    const end = k + 1 < marks.length ? marks[k + 1].line : dStart;
    owner.set(m.line, provisionsAt(lines[m.line]).filter((p) => p.col >= m.col).map((p) => ({ ...p, sub: m.sub })));
    for (let i = m.line + 1; i < end; i++) owner.set(i, provisionsAt(lines[i]).map((p) => ({ ...p, sub: m.sub })));
  });
  // Where a title shares its line with provisions ("(iv) Derivative steel articles:    7307.22.50 ..."), the page
  // sets the list in two blocks: a first column below the title and three columns to its right that the text
  // extraction starts a few lines above the title, beside the end of the list before. Those right-hand rows above
  // the title belong to the titled list: taken back up to a blank line or a page break, while every provision of the
  // row is of the metal the title names (so the last rows of the list before, of another metal or page, stay with it).
  marks.forEach((m, k) => {
    const right = owner.get(m.line)!;
    if (k === 0 || right.length === 0) return;
    const rightCol = right[0].col - 2;
    const chapters = metalChapters(m.title);
    for (let i = m.line - 1; i > marks[k - 1].line; i--) {
      if (listLine(lines[i]).trim() === '' || isPageFurniture(listLine(lines[i]))) break;
      const row = owner.get(i)!.filter((p) => p.col >= rightCol);
      if (row.length === 0 || !row.every((p) => chapters.includes(p.code.slice(0, 2)))) break;
      for (const p of row) p.sub = m.sub;
    }
  });
  const lists = new Map<string, string[]>(marks.map((m) => [m.sub, []]));
  for (const i of [...owner.keys()].sort((a, b) => a - b)) for (const p of owner.get(i)!) lists.get(p.sub)!.push(p.code);
  for (const m of marks) if (lists.get(m.sub)!.length === 0) fail(m.line + 1, `U.S. note 16(c)(${m.sub}) lists no provisions`);
  const totals = new Map<string, number>();
  const text = collapse(lines.slice(dStart, dStart + 80).join(' '));
  for (const m of text.matchAll(/pursuant to heading (9903\.82\.\d{2}) will (?:be|total) (\d+) percent/g)) totals.set(m[1], Number(m[2]));
  if (!totals.has('9903.82.07') || !totals.has('9903.82.10')) fail(dStart + 1, 'U.S. note 16(e)/(f): the total rates of headings 9903.82.07 and 9903.82.10 were not found');
  return { lists, totals };
}

function parseNote2aa(lines: string[], fail: (line: number, problem: string) => never): Pick<Ch99, 's122Exempt' | 's122Particular' | 's122Aircraft'> {
  const aa = findLine(lines, /heading 9903\.03\.01 imposes an additional ad valorem rate of duty on imports of all products of any country/, 0, 'U.S. note 2(aa)(i) (Section 122, heading 9903.03.01)', fail);
  const ii = findLine(lines, /^\(ii\) As provided in heading 9903\.03\.03/, aa, 'U.S. note 2(aa)(ii)', fail);
  const iii = findLine(lines, /^\(iii\) As provided in heading 9903\.03\.04/, ii, 'U.S. note 2(aa)(iii)', fail);
  const iv = findLine(lines, /^\s*\(iv\) As provided in heading 9903\.03\.05/, iii, 'U.S. note 2(aa)(iv)', fail);
  const v = findLine(lines, /^\(v\) As provided in heading 9903\.03\.06/, iv, 'U.S. note 2(aa)(v)', fail);
  const exempt = new Set(provisionsIn(lines, ii + 1, iii).filter((c) => c.length === 8));
  if (exempt.size < 100) fail(ii + 1, `U.S. note 2(aa)(ii): only ${exempt.size} subheadings found`);
  const particular = new Map<string, string>();
  const text = collapse(lines.slice(iii + 1, iv).filter((l) => !isPageFurniture(l)).join(' '));
  for (const m of text.matchAll(/\(\d+\)\s+(.*?)\(classifiable in subheading (\d{4}\.\d{2}\.\d{2})\)/g)) particular.set(m[2].replace(/\./g, ''), m[1].trim().replace(/,$/, ''));
  if (particular.size === 0) fail(iii + 1, 'U.S. note 2(aa)(iii): no articles found');
  // The (iv) list starts after "read numbers from left to right.]".
  const ivText = lines.slice(iv, v);
  const listFrom = ivText.findIndex((l) => /left to right/.test(l));
  const aircraft = new Set(provisionsIn(lines, iv + Math.max(0, listFrom) + 1, v));
  return { s122Exempt: exempt, s122Particular: particular, s122Aircraft: aircraft };
}

/** Parses the chapter 99 text. `file` names it in errors. */
export function parseCh99(text: string, file: string): Ch99 {
  const lines = text.split(/\r?\n/);
  const fail = (line: number, problem: string): never => {
    throw new DataError(file, `line ${line}: ${problem}`);
  };
  const rev = /Harmonized Tariff Schedule of the United States (Revision \d+) \((\d{4})\)/.exec(text);
  if (!rev) throw new DataError(file, 'no "Harmonized Tariff Schedule of the United States Revision N (YYYY)" page header: not the chapter 99 text');
  const headings = parseHeadings(lines, fail);
  if (headings.size < 100) throw new DataError(file, `only ${headings.size} 9903 headings found in the heading tables`);
  const { lists, totals } = parseNote16(lines, fail);
  const transit = headings.get('9903.03.02');
  if (!transit) throw new DataError(file, 'heading 9903.03.02 (Section 122 goods in transit) not found');
  const dates = [...transit.description.matchAll(new RegExp(DATE_RE.source, 'g'))].map((m) => isoDate(m[0])!);
  if (dates.length < 2) throw new DataError(file, `line ${transit.line}: heading 9903.03.02 does not give the loading and entry dates`);
  const n19 = lines.findIndex((l) => /^19\. \(a\)\s+This note and the tariff provisions referred to herein set forth the ordinary customs duty treatment/.test(l));
  const n19Text = n19 >= 0 ? collapse(lines.slice(n19, n19 + 8).join(' ')) : '';
  const ended = /Headings 9903\.85\.01-9903\.85\.15,.*? are terminated as of ([A-Z][a-z]+ \d{1,2}, \d{4})/.exec(n19Text);
  if (!ended) throw new DataError(file, `line ${n19 + 1}: U.S. note 19 does not say when headings 9903.85.01-9903.85.15 were terminated`);
  return {
    revision: `${rev[2]} ${rev[1]}`,
    metalsFrom: isoDate(ended[1])!,
    lines,
    headings,
    note16: lists,
    note16Totals: totals,
    ...parseNote2aa(lines, fail),
    s122Transit: { loadedBefore: dates[0], enteredBefore: dates[1] },
  };
}

/** "subdivision (g) of U.S. note 33" style reference in a heading's description, for citations. */
export function noteReference(h: Ch99Heading): string | null {
  const m = /((?:subdivisions?|notes?)\s[^.]*?(?:U\.S\.\s)?note \d+(?:\([a-z]+\))*)(?: to (?:this|the) subchapter)?/.exec(h.description);
  return m ? collapse(m[1]) : null;
}

/**
 * The enumerated paragraphs of subdivision `sub` (a single letter: "g", "s") of U.S. note 20 (Section 301) that name an
 * 8-digit subheading ("2931.90.90"): the text of a partial coverage ("... provided for in 2931.90.90, except for ...").
 */
export function note20Paragraphs(ch: Ch99, hts8: string, sub: string): string[] {
  const dotted = `${hts8.slice(0, 4)}.${hts8.slice(4, 6)}.${hts8.slice(6, 8)}`;
  const note = ch.lines.findIndex((l) => /^20\. \(a\)\s+For the purposes of heading 9903\.88\.01/.test(l));
  if (note < 0 || !/^[a-y]$/.test(sub)) return [];
  const start = ch.lines.findIndex((l, i) => i > note && l.startsWith(`(${sub}) `));
  const next = String.fromCharCode(sub.charCodeAt(0) + 1);
  const end = ch.lines.findIndex((l, i) => i > start && l.startsWith(`(${next}) `));
  if (start < 0) return [];
  const out: string[] = [];
  let para: string[] = [];
  const flush = () => {
    const t = collapse(para.join(' '));
    if (t.includes(dotted) && /^\d+\.\s/.test(t)) out.push(t);
    para = [];
  };
  for (let i = start; i < (end > 0 ? end : ch.lines.length); i++) {
    const l = ch.lines[i];
    if (isPageFurniture(l)) continue;
    if (/^\s*(?:\d+\.|\([a-z]+\)|\(\d+\))\s/.test(l)) flush();
    para.push(l);
  }
  flush();
  return out;
}
