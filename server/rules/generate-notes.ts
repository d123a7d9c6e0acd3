// Generates rules/notes/chNN.json: the exclusion clauses ("does not cover" / "does not include" / "does not
// apply to") of the Section and Chapter Notes in legal/htsus-notes-2025r19.jsonl, as json-rules-engine rules
// (format: rules/README.md), plus rules/notes/report.json (clauses found / encoded / left out and why).
// Hand review lives in rules/notes/corrections.json (keyed by rule id) and is applied on every run.
//
//   npx tsx server/rules/generate-notes.ts [--out DIR] [--corrections FILE]      (HS_DATA_DIR: data directory)
//
// What is read: the "Notes"/"Note" groups of every section and chapter (the legal notes), and the "Additional
// U.S. Notes" whose exclusion is scoped to a whole chapter or heading (e.g. Chapter 65 Additional U.S. Note 1).
// Exclusions in Subheading and Statistical notes, and Additional U.S. Notes that only narrow a term or a
// subheading, are counted and reported as left out: they work below the heading level.
//
// The output is deterministic: files and rules in a fixed order, no timestamps, stable JSON formatting.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readCsv, readDataText, resolveDataDir } from '../data/files';
import { normalise } from '../pipeline/normalise';

export const NOTES_FILE = 'legal/htsus-notes-2025r19.jsonl';
export const HS_FILE = 'nomenclature/hs2022.csv';
export const NOTES_DIR = path.resolve(__dirname, '..', '..', 'rules', 'notes');
export const CORRECTIONS_FILE = path.join(NOTES_DIR, 'corrections.json');

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

interface NoteGroup {
  group: string;
  text: string;
}
interface NotesRecord {
  chapter: string;
  section: string | null;
  chapter_note_groups: NoteGroup[];
  section_note_groups: NoteGroup[];
}

/** A hand correction of one clause, keyed by rule id in corrections.json. */
export interface Correction {
  /** Replace the generated subject phrases. */
  mentionsAny?: string[];
  /** Add phrases to the generated (or replaced) ones: everyday synonyms. */
  addMentions?: string[];
  /** Replace the excluded codes (chapters or headings); also resolves a clause whose scope the parser cannot read. */
  exclude?: string[];
  /** Replace the codes the clause points to. */
  include?: string[];
  /** Phrases that stop the rule (a `text mentionsNone` condition), e.g. "toy" for a clause about real goods. */
  unless?: string[];
  /** The goods must be named by one of these nouns (a `head namedAny` condition): "bolts", not a "bolt gauge". */
  heads?: string[];
  /** Reviewed: the phrases identify the goods, so the pointed headings come first whenever the rule fires. */
  decisive?: boolean;
  /** Leave the clause out, with this reason. */
  drop?: string;
  /** Why the correction was made (for reviewers; not copied into the rule). */
  why?: string;
}
export type Corrections = Record<string, Correction>;

export interface RuleOut {
  name: string;
  priority: number;
  conditions: { all: Record<string, unknown>[] };
  event: {
    type: 'exclude';
    params: { gri: 'GRI 1'; citation: string; exclude: string[]; include: string[]; detail: string; decisive?: true };
  };
}

/** One exclusion clause as parsed from the note text. */
export interface Clause {
  id: string;
  citation: string;
  /** Chapter whose record holds the note: the rule goes to rules/notes/ch<file>.json. */
  file: string;
  /** 'section' | 'chapter' | 'heading' scope, or null when the parser cannot tell what is excluded. */
  scope: 'section' | 'chapter' | 'heading' | null;
  /** Words naming the excluded scope, for the detail sentence ("Chapter 95", "Section XV", "Heading 9503"). */
  scopeLabel: string;
  exclude: string[];
  include: string[];
  phrases: string[];
  /** Phrases that must not be in the text (from corrections). */
  unless: string[];
  /** Nouns one of which must name the goods (from corrections). */
  heads?: string[];
  /** Reviewed as identifying the goods (from corrections): its headings come first whenever it fires. */
  decisive?: boolean;
  /** The clause text (cleaned, one line). */
  text: string;
  /** Why it is left out (before corrections), or null. */
  problem: string | null;
  group: string;
}

export interface ReportEntry {
  id: string;
  citation: string;
  reason: string;
}
export interface Report {
  source: string;
  clausesFound: number;
  encoded: number;
  leftOut: number;
  leftOutByReason: Record<string, number>;
  corrected: string[];
  leftOutClauses: ReportEntry[];
}

export interface Generated {
  /** File name (chNN.json, report.json) -> exact bytes to write. */
  files: Map<string, string>;
  clauses: Clause[];
  rules: RuleOut[];
  report: Report;
}

// ---------------------------------------------------------------------------------------------
// Reasons for leaving a clause out (the keys of report.leftOutByReason)
// ---------------------------------------------------------------------------------------------

export const REASONS = {
  belowHeading: 'subheading, statistical or term-level note: works below the heading level',
  scope: 'scope is a term, a provision or a subchapter, not a chapter or heading (no hand correction)',
  measure: 'conditional on a measure (percent, weight, size) the description does not show',
  generic: 'subject too generic to match text safely',
  qualified: 'subject is qualified (for ..., with ..., specially designed ...): the bare noun would over-match',
  noPointerNoScope: 'excluded scope is empty after removing the codes the clause points to',
} as const;

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

const ROMAN: Record<string, number> = { I: 1, V: 5, X: 10, L: 50 };
function romanToInt(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const v = ROMAN[s[i]];
    const next = ROMAN[s[i + 1]] ?? 0;
    n += v < next ? -v : v;
  }
  return n;
}

const LETTERS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'ij', 'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z'];
function nextLetter(prev: string | null): string[] {
  if (prev === null) return ['a'];
  if (prev === 'h') return ['ij', 'i'];
  const i = LETTERS.indexOf(prev === 'i' ? 'ij' : prev);
  return i >= 0 && i + 1 < LETTERS.length ? [LETTERS[i + 1]] : [];
}

function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/** The HS 2022 nomenclature: chapters and headings that exist, and the chapters of each section. */
export interface Nomenclature {
  chapters: Set<string>;
  headings: Set<string>;
  sectionChapters: Map<string, string[]>;
  chapterSection: Map<string, string>;
}

export function loadNomenclature(dataDir: string): Nomenclature {
  const rows = readCsv(dataDir, HS_FILE, ['section', 'hscode', 'level']);
  const chapters = new Set<string>();
  const headings = new Set<string>();
  const sectionChapters = new Map<string, string[]>();
  const chapterSection = new Map<string, string>();
  for (const { values } of rows) {
    const code = values.hscode.trim();
    if (code === '99' || code === '9999' || code === '999999') continue;
    if (values.level === '2' && /^\d{2}$/.test(code)) {
      chapters.add(code);
      const sec = values.section.trim();
      chapterSection.set(code, sec);
      const list = sectionChapters.get(sec) ?? [];
      list.push(code);
      sectionChapters.set(sec, list);
    } else if (values.level === '4' && /^\d{4}$/.test(code)) headings.add(code);
  }
  for (const list of sectionChapters.values()) list.sort();
  return { chapters, headings, sectionChapters, chapterSection };
}

// ---------------------------------------------------------------------------------------------
// Text cleaning and note structure
// ---------------------------------------------------------------------------------------------

/** Drop footnote markers ("1/" lines), footnote texts ("1/ See ...") and blank lines; trim every line. */
export function cleanLines(text: string): string[] {
  const lines = text
    .replace(/\r/g, '')
    .split('\n')
    .map((l) => l.replace(/\s+\d\/(?=\s|$)/g, '').replace(/\s+/g, ' ').trim())
    .filter((l) => l !== '' && !/^\d+\/(\s|$)/.test(l) && !/^Notes?\s*\(con\.\)$/i.test(l));
  // PDF artefact: "(f) 2." / "<text of item f>" / "<text of note 2>": the next note's number landed on the item line.
  for (let i = 0; i + 1 < lines.length; i++) {
    const m = /^\(([a-z]{1,2})\)\s+(\d{1,2})\.$/.exec(lines[i]);
    if (!m) continue;
    lines[i] = `(${m[1]}) ${lines[i + 1]}`;
    if (i + 2 < lines.length) lines.splice(i + 1, 2, `${m[2]}. ${lines[i + 2]}`);
    else lines.splice(i + 1, 1);
  }
  return lines;
}

/** Join PDF lines into running text: a line ending in a hyphen joins without a space. */
function joinLines(lines: string[]): string {
  let out = '';
  for (const l of lines) {
    if (out === '') out = l;
    else if (/[A-Za-z]-$/.test(out) && /^[a-z]/.test(l)) out += l;
    else out += ' ' + l;
  }
  return out.trim();
}

interface Segment {
  /** Capital sub-part letter ("A", "B") or null. */
  part: string | null;
  /** Lower-case item letter ("a", "ij") or null for the lead text of a note or part. */
  item: string | null;
  /** For an item of a list nested in an item ("(c) The heading does not apply to: (a) ..."), the outer item. */
  parent: string | null;
  lines: string[];
}
interface Note {
  num: string;
  segments: Segment[];
}

/** Split the cleaned lines of one note group into numbered notes, each into lead / part / item segments. */
export function splitNotes(lines: string[]): Note[] {
  const notes: Note[] = [];
  let expected: number | null = null;
  let cur: Note | null = null;
  let seg: Segment | null = null;
  // Item letters seen at each nesting level: [parent item, last letter].
  let levels: { parent: string | null; last: string | null }[] = [{ parent: null, last: null }];
  let part: string | null = null;
  for (const line of lines) {
    const num = /^(\d{1,2})\.\s+\S/.exec(line);
    if (num && (expected === null || Number(num[1]) === expected)) {
      expected = Number(num[1]) + 1;
      part = null;
      levels = [{ parent: null, last: null }];
      seg = { part: null, item: null, parent: null, lines: [line.slice(num[1].length + 1).trim()] };
      cur = { num: num[1], segments: [seg] };
      notes.push(cur);
      continue;
    }
    if (!cur) {
      // Text before the first number: an unnumbered single note.
      expected = 1;
      seg = { part: null, item: null, parent: null, lines: [] };
      cur = { num: '', segments: [seg] };
      notes.push(cur);
    }
    const cap = /^\(([A-Z])\)\s+(.*)$/.exec(line);
    if (cap) {
      part = cap[1];
      levels = [{ parent: null, last: null }];
      seg = { part, item: null, parent: null, lines: [cap[2]] };
      cur.segments.push(seg);
      continue;
    }
    const it = /^\(([a-z]{1,2})\)\s*(.*)$/.exec(line);
    if (it) {
      const letter = it[1];
      const prevLine = seg!.lines[seg!.lines.length - 1] ?? '';
      let depth = -1;
      if (letter === 'a' && /:$/.test(prevLine) && seg!.item !== null) {
        levels.push({ parent: seg!.item, last: null });
        depth = levels.length - 1;
      } else {
        for (let d = levels.length - 1; d >= 0; d--) {
          if (nextLetter(levels[d].last).includes(letter)) {
            depth = d;
            break;
          }
        }
      }
      if (depth >= 0) {
        levels = levels.slice(0, depth + 1);
        levels[depth].last = letter;
        seg = { part, item: letter === 'i' ? 'ij' : letter, parent: levels[depth].parent, lines: [it[2]] };
        cur.segments.push(seg);
        continue;
      }
    }
    seg!.lines.push(line);
  }
  return notes;
}

// ---------------------------------------------------------------------------------------------
// Pointers (the codes a clause points to) and scope
// ---------------------------------------------------------------------------------------------

const NUM_LIST = String.raw`\d{1,2}(?:\s*(?:,\s*(?:or|and)?|\bor\b|\band\b|\bto\b)\s*\d{1,2}\b)*`;
const HEAD_LIST = String.raw`\d{4}(?:\.\d{2}(?:\.\d{2})?)?(?:\s*(?:,\s*(?:or|and)?|\bor\b|\band\b|\bto\b)\s*\d{4}(?:\.\d{2}(?:\.\d{2})?)?)*`;
const ROMAN_LIST = String.raw`[IVXL]+\b(?:\s*(?:,\s*(?:or|and)?|\bor\b|\band\b|\bto\b)\s*[IVXL]+\b)*`;

function expandList(list: string, width: number, pad: (s: string) => string, universe: Set<string>): string[] {
  const out: string[] = [];
  const parts = list.split(/\s*(?:,\s*(?:or|and)?|\bor\b|\band\b)\s*/).filter(Boolean);
  for (const p of parts) {
    const range = /^(\S+)\s*to\s*(\S+)$/.exec(p.trim());
    if (range) {
      const a = Number(pad(range[1]).slice(0, width));
      const b = Number(pad(range[2]).slice(0, width));
      for (const c of [...universe].sort()) if (Number(c) >= a && Number(c) <= b) out.push(c);
    } else {
      const c = pad(p.trim()).slice(0, width);
      if (universe.has(c)) out.push(c);
    }
  }
  return out;
}

/** Remove cross-references that are not pointers: "note 2 to section XV", "note 1 to chapter 59", "note 3 of this chapter". */
function stripNoteRefs(text: string): string {
  return text
    .replace(/\b(?:sub)?(?:heading\s+)?notes?\s+\d+(?:\s*\([a-zA-Z]+\))*(?:\s*(?:,|and|or)\s*\d+(?:\s*\([a-zA-Z]+\))*)*\s+(?:to|of)\s+(?:this\s+)?(?:chapter|section)(?:\s+(?:\d{1,2}|[IVXL]+\b))?/gi, ' ')
    .replace(/\bnotes?\s+\d+(?:\s*\([a-zA-Z]+\))*\s+(?:above|below)/gi, ' ');
}

/** Every chapter or heading the text points to ("(heading 8806)", "of chapter 61 or 62", "section XI"). */
export function pointers(text: string, nom: Nomenclature): string[] {
  const t = stripNoteRefs(text);
  const out: string[] = [];
  for (const m of t.matchAll(new RegExp(String.raw`\b(?:sub)?headings?\s+(?:Nos?\.\s*)?(${HEAD_LIST})`, 'gi'))) {
    out.push(...expandList(m[1], 4, (s) => s.replace(/\./g, ''), nom.headings));
  }
  for (const m of t.matchAll(new RegExp(String.raw`\bchapters?\s+(${NUM_LIST})`, 'gi'))) {
    out.push(...expandList(m[1], 2, (s) => s.padStart(2, '0'), nom.chapters));
  }
  for (const m of t.matchAll(new RegExp(String.raw`\bsections?\s+(${ROMAN_LIST})`, 'g'))) {
    for (const p of m[1].split(/\s*(?:,\s*(?:or|and)?|\bor\b|\band\b)\s*/).filter(Boolean)) {
      const range = /^([IVXL]+)\s*to\s*([IVXL]+)$/.exec(p);
      const names = range ? [...nom.sectionChapters.keys()].filter((s) => romanToInt(s) >= romanToInt(range[1]) && romanToInt(s) <= romanToInt(range[2])) : [p];
      for (const s of names) out.push(...(nom.sectionChapters.get(s) ?? []));
    }
  }
  return uniq(out).sort();
}

const VERB = /\b(?:does|do)\s+not(?:,?\s*however,?)?\s+(?:cover|include|apply\s+to)\b|\bnor\s+does\s+it\s+cover\b/i;

interface Scope {
  scope: Clause['scope'];
  label: string;
  exclude: string[];
}

/**
 * What the sentence excludes from: the words before the verb in its sentence ("This chapter", "Heading 8422",
 * "The heading" = the heading the note is about, "it", "these headings", "For the purposes of heading 1212,
 * the term ...").
 */
function resolveScope(before: string, noteBefore: string, chapter: string, section: string | null, nom: Nomenclature): Scope {
  // The sentence containing the verb, up to the verb.
  const sentence = before.split(/(?<=[a-z)\]])\.\s+(?=[A-Z])/).pop() ?? before;
  const s = sentence.trim();
  const none: Scope = { scope: null, label: '', exclude: [] };
  const purposes = /for the purposes of (?:heading|headings)\s+(\d{4}(?:\s*(?:,|and|or)\s*\d{4})*)/i.exec(s);
  if (/\b(?:term|expression|provision|subchapter|subheading)\b/i.test(s)) {
    if (purposes) {
      const hs = expandList(purposes[1], 4, (x) => x, nom.headings);
      return { scope: 'heading', label: `Heading ${hs.join(', ')}`, exclude: hs };
    }
    return none;
  }
  if (/\bthis section\b/i.test(s)) {
    if (!section) return none;
    return { scope: 'section', label: `Section ${section}`, exclude: nom.sectionChapters.get(section) ?? [] };
  }
  const ch = /\bchapter\s+(\d{1,2})\b/i.exec(s);
  if (/\bthis chapter\b/i.test(s) || (ch && !/\bheading/i.test(s))) {
    const c = ch ? ch[1].padStart(2, '0') : chapter;
    return { scope: 'chapter', label: `Chapter ${Number(c)}`, exclude: [c] };
  }
  const hd = new RegExp(String.raw`\bheadings?\s+(${HEAD_LIST})`, 'i').exec(s);
  if (hd) {
    const hs = expandList(hd[1], 4, (x) => x.replace(/\./g, ''), nom.headings);
    return hs.length ? { scope: 'heading', label: `Heading${hs.length > 1 ? 's' : ''} ${hs.join(', ')}`, exclude: hs } : none;
  }
  const noteHeadings = [...noteBefore.matchAll(/\bheadings?\s+(\d{4})\b/gi)].map((m) => m[1]).filter((h) => nom.headings.has(h));
  if (/\bthese headings\b/i.test(s)) {
    const prev = noteBefore.split(/(?<=[a-z)\]])\.\s+(?=[A-Z])/).slice(-2, -1)[0] ?? noteBefore;
    const hs = uniq([...prev.matchAll(/\b(\d{4})\b/g)].map((m) => m[1]).filter((h) => nom.headings.has(h)));
    return hs.length ? { scope: 'heading', label: `Headings ${hs.join(', ')}`, exclude: hs } : none;
  }
  if (/\b(?:the|this) heading\b|^(?:however,\s*|nevertheless\s+)?it$|\bit$/i.test(s)) {
    if (noteHeadings.length) return { scope: 'heading', label: `Heading ${noteHeadings[0]}`, exclude: [noteHeadings[0]] };
    return none;
  }
  return none;
}

// ---------------------------------------------------------------------------------------------
// Subject phrases
// ---------------------------------------------------------------------------------------------

/** Stems that never make a phrase on their own: generic heads, materials, states. */
const GENERIC = new Set(
  normalise(
    'articles article goods products product parts part accessories accessory machinery machines machine apparatus appliances ' +
      'appliance instruments instrument equipment devices device materials material preparations preparation substances substance ' +
      'mixtures mixture compounds compound containers container things items other like similar thereof kind kinds type types ' +
      'made manufactures works use general base metal metals plastics plastic textiles textile wood rubber leather paper paperboard ' +
      'glass stone ceramic precious natural artificial synthetic knitted crocheted woven prepared preserved frozen dried cooked fresh ' +
      'chilled certain special following whether purposes form forms shape shapes put up presented separately only such including ' +
      'included also fitted combined containing contain obtained mainly chiefly wholly partly whole heading chapter section subheading ' +
      'note notes above below described specified referred elsewhere classified falling covered unworked worked simply merely ' +
      'principal principally solely kind used suitable exclusively designed intended new unused waste scrap fabrics fabric yarn ' +
      'yarns fibers fibres fiber fibre cut length lengths sheets sheet strip strips plates plate rods bars tubes pipes wire ' +
      'powder powders liquid solid solutions solution chemically defined separate pure impure crude refined ' +
      'edible inedible unfit unsuitable non-living living dead live raw human animal vegetable mineral microbial origin otherwise ' +
      'mechanical electrical electric electronic garments garment unmounted mounted finished unfinished assembled unassembled complete incomplete single mixed unmixed various',
  ).tokens,
);

/** Condition words: the subject ends where one of these starts. */
const CUT = new RegExp(
  String.raw`\s*(?:\(|\b(?:of|in|from|within)\s+(?:sub)?(?:headings?|chapters?|sections?)\b|\b(?:sub)?headings?\s+\d|\bchapters?\s+\d|\bsections?\s+[IVX]|` +
    String.raw`\bwhich\b|\bwhether\b|\bcontaining\b|\bnot\s|\bother than\b|\bput up\b|\bof a kind\b|\bas defined\b|\bclassified\b|\bclassifiable\b|` +
    String.raw`\bpresented\b|\bfor\b|\bused\b|\bsuitable\b|\bbeing\b|\bthat\b|\bwith\b|\bhaving\b|\bin which\b|\bobtained\b|\bwhere\b|\bwhen\b|` +
    String.raw`\bunless\b|\bon\b|\bconsisting\b|\bexcept\b|\bexcluding\b|\bto be\b|\bknown as\b|\bsuch as\b|\bincluding\b|\bmade\b|\bfalling\b|\bcovered\b|\bdescribed\b|` +
    String.raw`\bspecified\b|\breferred\b|\bimpregnated\b|\bcoated\b|\bcovered\b|\bwhose\b|\bif\b|\bincorporating\b|\bexpressed\b|\bby\b|\binto\b|` +
    String.raw`\b(?:specially|finely|merely|otherwise|simply|wholly|partly|solely|exclusively|principally|mainly|chiefly|even|however|generally|only)\b)`,
  'i',
);

const MATERIAL_TAIL = /\s+of\s+(?:textiles?|textile materials?|plastics?|base metals?|metals?|wood|rubber|leather|paper|paperboard|glass|stone|ceramics?|furskin|precious metal|any material|vegetable materials?|iron or steel|steel|copper|aluminum|asbestos)\b.*$/i;
const MEASURE = /\bpercent\b|%|\bby weight\b|\bby volume\b|\b\d+(?:[.,]\d+)?\s*(?:mm|cm|m|kg|g|grams?|meters?|micrometers?|decitex|degrees|°|kw|w|v|volts?)\b/i;

/** Example phrases: "(for example, A, B or C)", "such as A and B". */
function examples(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\((?:for example|e\.g\.)\s*,?\s*([^()]*)\)/gi)) out.push(m[1]);
  for (const m of text.matchAll(/\bsuch as\s+([^();]*)/gi)) out.push(m[1]);
  return out;
}

function splitAlternatives(s: string): string[] {
  return s
    .split(/\s*(?:;|,|\bor\b|\band\b|\/)\s*/i)
    .map((p) =>
      p
        .replace(MATERIAL_TAIL, '')
        .replace(/\s+of\s+(?:products|goods|articles)\b.*$/i, '')
        .replace(/^\s*(?:as well as|of|to|also)\s+/i, '')
        .replace(/\b(?:other|the like|similar|thereof|parts thereof|etc|all kinds|of all kinds|any kind|any)\b/gi, ' ')
        .replace(/^\s*(?:a|an|the|all|any|its|their|such|those|these|similar)\s+/i, '')
        .replace(/["“”]/g, '')
        .replace(/\s+/g, ' ')
        .trim()
        .toLowerCase(),
    )
    .filter(Boolean);
}

/** Keep a phrase when it has 1-3 content stems and at least one that is not generic. */
function usable(phrase: string): string | null {
  let p = phrase.replace(/[.:;,]+$/, '').trim();
  // "waxes mixed" -> "waxes": a trailing participle is a condition, not the subject.
  while (/\s\S{3,}ed$/.test(p) && !/\s\S*(?:seed|bred|shed|bed)$/.test(p)) p = p.replace(/\s+\S+$/, '');
  let tokens = normalise(p).tokens;
  if (tokens.length > 3) {
    // "special articles of apparel of textiles" -> head before "of"
    p = p.split(/\s+of\s+/)[0];
    tokens = normalise(p).tokens;
  }
  if (tokens.length === 0 || tokens.length > 3) return null;
  if (tokens.every((t) => GENERIC.has(t))) return null;
  if (tokens.some((t) => /^\d/.test(t))) return null;
  // A lone adjective ("unmounted", "pyrotechnical"): keep only nouns, roughly.
  if (tokens.length === 1 && /(?:ed|al|ing|ous|ive|ic)$/.test(p) && !/(?:ing)s?$/.test(p.split(' ').pop() ?? '') ) return null;
  return p;
}

/**
 * Cut words that restrict the subject ("pencils for cosmetic uses", "furniture specially designed as parts of
 * ...", "garments with a drawstring"): the bare noun before them would over-match, so such a subject gives no
 * phrase (the clause needs a hand-written phrase in corrections.json).
 */
const RESTRICTIVE = /^\s*(?:for|with|on|consisting|which|containing|having|whose|specially|designed|intended|of a kind|used|suitable|not|incorporating|where|when|unless|if|put up|presented|obtained|by|into|made|impregnated|coated|covered|in which|that|being|merely|solely|exclusively|principally|mainly|chiefly|only|even|finely|simply|wholly|partly)\b/i;

/** Draft subject phrases for a clause: the alternatives before the first pointer or condition, plus examples. */
export function subjectPhrases(text: string): { phrases: string[]; qualified: boolean } {
  const out: string[] = [];
  let qualified = false;
  for (const part of text.split(/;/)) {
    const cut = CUT.exec(part);
    if (cut && RESTRICTIVE.test(part.slice(cut.index))) {
      qualified = true;
      continue;
    }
    const head = cut ? part.slice(0, cut.index) : part;
    for (const alt of splitAlternatives(head)) {
      const u = usable(alt);
      if (u) out.push(u);
    }
  }
  for (const ex of examples(text)) {
    // Each example on its own: "base metal clad with precious metal, imitation jewelry".
    for (const piece of ex.split(/,/)) {
      const cut = CUT.exec(piece);
      for (const alt of splitAlternatives(cut ? piece.slice(0, cut.index) : piece)) {
        const u = usable(alt);
        if (u) out.push(u);
      }
    }
  }
  return { phrases: uniq(out), qualified };
}

// ---------------------------------------------------------------------------------------------
// Finding the clauses
// ---------------------------------------------------------------------------------------------

function sectionId(section: string): string {
  return `sec${section.toLowerCase()}`;
}

interface Context {
  chapter: string;
  section: string | null;
  isSection: boolean;
  group: string;
  nom: Nomenclature;
}

/** Cut the text at the end of its first sentence (a period followed by a capital or the end). */
function firstSentence(text: string): string {
  const m = /(?<!\b(?:e\.g|i\.e|No|Nos|etc|inter alia))\.(?=\s+["“'A-Z(]|\s*$)/.exec(text);
  return m ? text.slice(0, m.index) : text;
}

function clausesOfNote(note: Note, ctx: Context, out: Clause[]): void {
  const prefix = ctx.isSection ? sectionId(ctx.section!) : `ch${ctx.chapter}`;
  const usPrefix = ctx.group.startsWith('Additional') ? 'usnote' : ctx.group.startsWith('Subheading') ? 'subnote' : ctx.group.startsWith('Statistical') ? 'statnote' : 'note';
  const whereLabel = ctx.isSection ? `Section ${ctx.section}` : `Chapter ${Number(ctx.chapter)}`;
  const groupLabel = ctx.group.startsWith('Additional') ? 'Additional U.S. Note' : ctx.group.startsWith('Subheading') ? 'Subheading Note' : ctx.group.startsWith('Statistical') ? 'Statistical Note' : 'Note';
  const legal = usPrefix === 'note';
  const segs = note.segments;
  let noteSoFar = '';
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    const text = joinLines(seg.lines);
    const m = VERB.exec(text);
    if (!m) {
      noteSoFar += ' ' + text;
      continue;
    }
    const before = text.slice(0, m.index);
    const after = text.slice(m.index + m[0].length).trim();
    const scope = resolveScope(before, noteSoFar + ' ' + before, ctx.chapter, ctx.section, ctx.nom);
    const leadSentence = before.split(/(?<=[a-z)\]])\.\s+(?=[A-Z])/).pop() ?? before;
    const partTag = seg.part ? seg.part.toLowerCase() : '';
    const partCite = seg.part ? `(${seg.part})` : '';
    const itemCite = seg.item ? `(${seg.item})` : '';
    const numTag = note.num || '1';
    const base = `${prefix}-${usPrefix}${numTag}${partTag}${seg.item ? `-${seg.item}` : ''}`;
    const citeBase = `${whereLabel} ${groupLabel}${note.num ? ` ${note.num}` : ''}${partCite}${itemCite}`;
    const make = (id: string, citation: string, clauseText: string, pointerText: string): Clause => {
      const t = clauseText.replace(/\s*;?\s*(?:or|and)?\s*$/i, '').replace(/[;.]\s*$/, '').trim();
      let include = pointers(pointerText, ctx.nom);
      include = include.filter((c) => !scope.exclude.some((x) => c.startsWith(x) || x.startsWith(c)));
      let problem: string | null = null;
      if (!legal && !(groupLabel === 'Additional U.S. Note' && scope.scope !== null)) problem = REASONS.belowHeading;
      else if (scope.scope === null) problem = REASONS.scope;
      else if (MEASURE.test(t)) problem = REASONS.measure;
      const { phrases, qualified } = subjectPhrases(t);
      if (!problem && phrases.length === 0) problem = qualified ? REASONS.qualified : REASONS.generic;
      return {
        id,
        citation,
        file: ctx.chapter,
        scope: scope.scope,
        scopeLabel: scope.label,
        exclude: scope.exclude,
        include,
        phrases,
        unless: [],
        text: t,
        problem,
        group: ctx.group,
      };
    };
    // A list follows: "does not cover:" at the end of the segment, then lettered items.
    const inList = (k: number): boolean => k < segs.length && segs[k].item !== null && segs[k].part === seg.part && segs[k].parent === seg.item;
    if (/:\s*$/.test(after) && segs[i + 1]?.item === 'a' && inList(i + 1)) {
      const leadPointers = after;
      let j = i + 1;
      for (; inList(j); j++) {
        const it = segs[j];
        let lines = it.lines;
        const last = !inList(j + 1);
        let rest: string[] = [];
        if (last) {
          const end = lines.findIndex((l) => /\.$/.test(l));
          if (end >= 0 && end < lines.length - 1) {
            rest = lines.slice(end + 1);
            lines = lines.slice(0, end + 1);
          }
        }
        const itText = joinLines(lines);
        const id = `${prefix}-${usPrefix}${numTag}${partTag}${seg.item ?? ''}-${it.item}`;
        const citation = `${whereLabel} ${groupLabel}${note.num ? ` ${note.num}` : ''}${partCite}${itemCite}(${it.item})`;
        const c = make(id, citation, itText, itText);
        if (c.include.length === 0) c.include = pointers(leadPointers, ctx.nom).filter((x) => !c.exclude.includes(x));
        out.push(c);
        if (rest.length) {
          // Text after the list (e.g. a following sentence with its own exclusion).
          const tail: Note = { num: note.num, segments: [{ part: seg.part, item: null, parent: null, lines: rest }] };
          clausesOfNote(tail, ctx, out);
        }
      }
      noteSoFar += ' ' + text;
      i = j - 1;
      continue;
    }
    // Inline: the subject is the rest of the sentence (after a colon when the sentence has one).
    let sentence = firstSentence(after);
    let own = true;
    if (/:\s*$/.test(sentence)) {
      sentence = firstSentence(joinLines(segs.slice(i + 1).flatMap((s) => s.lines)));
      own = false;
    }
    const colon = sentence.indexOf(':');
    const subject = colon >= 0 ? sentence.slice(colon + 1) : sentence;
    out.push(make(base, citeBase, subject, sentence));
    // Another exclusion later in the same segment: handle the rest as its own segment (own scope).
    const restText = own ? after.slice(sentence.length).replace(/^\s*\.\s*/, '') : '';
    noteSoFar += ' ' + before + ' ' + m[0] + ' ' + sentence + '.';
    if (VERB.test(restText)) {
      segs.splice(i + 1, 0, { part: seg.part, item: seg.item, parent: seg.parent, lines: [restText] });
    }
    void leadSentence;
  }
}

function groupsOf(groups: NoteGroup[]): { group: string; text: string }[] {
  // Consecutive groups of the same kind are one text cut at page breaks; "Note"/"Notes" are the legal notes.
  const kinds: { group: string; text: string }[] = [];
  for (const g of groups) {
    const kind = g.group.replace(/s$/, '').replace(/^U\.S\. Note$/, 'Additional U.S. Note');
    const prev = kinds[kinds.length - 1];
    if (prev && prev.group === kind) prev.text += '\n' + g.text;
    else kinds.push({ group: kind, text: g.text });
  }
  return kinds;
}

export function findClauses(records: NotesRecord[], nom: Nomenclature): Clause[] {
  const out: Clause[] = [];
  for (const r of records) {
    const section = r.section ?? nom.chapterSection.get(r.chapter) ?? null;
    for (const [isSection, groups] of [
      [true, r.section_note_groups],
      [false, r.chapter_note_groups],
    ] as const) {
      if (isSection && (!r.section || groups.length === 0)) continue;
      for (const g of groupsOf(groups)) {
        const ctx: Context = { chapter: r.chapter, section, isSection, group: g.group, nom };
        for (const note of splitNotes(cleanLines(g.text))) clausesOfNote(note, ctx, out);
      }
    }
  }
  // Unique ids: a repeated id (two exclusions in one note) gets -2, -3, ...
  const seen = new Map<string, number>();
  for (const c of out) {
    const n = (seen.get(c.id) ?? 0) + 1;
    seen.set(c.id, n);
    if (n > 1) c.id = `${c.id}-${n}`;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------------

function describeCodes(codes: string[]): string {
  const chapters = codes.filter((c) => c.length === 2).map((c) => String(Number(c)));
  const headings = codes.filter((c) => c.length === 4);
  const parts: string[] = [];
  if (headings.length) parts.push(`heading${headings.length > 1 ? 's' : ''} ${headings.join(', ')}`);
  if (chapters.length) parts.push(`chapter${chapters.length > 1 ? 's' : ''} ${chapters.join(', ')}`);
  return parts.join('; ');
}

/** Last words of a clause's phrases that are not the goods' noun: participles, adjectives, function words. */
const NOT_A_NOUN = /^(?:[a-z-]+(?:ed|less|ly|able|ible)|are|is|to|note|children|vegetable|relief|purity|mix|articles|goods|products)$/;

/**
 * The nouns a clause names the goods by: the last word of each of its phrases ("sports bags" -> bags). A Note
 * that "does not cover sports bags" concerns goods that are sports bags, not goods whose description mentions
 * one ("a dog walking kit with a sports bag" is not a bag). None when a phrase does not end in a noun (the
 * clause is about a property, "fur-lined", or the goods in general): such a clause fires on the mention alone.
 */
export function phraseHeads(phrases: string[]): string[] {
  const heads = phrases.map((p) => p.toLowerCase().match(/[a-z]+(?:-[a-z]+)*/g)?.pop() ?? '');
  if (heads.some((h) => !h || NOT_A_NOUN.test(h))) return [];
  return [...new Set(heads)];
}

export function toRule(c: Clause): RuleOut {
  const scopeCond: Record<string, unknown>[] = c.exclude.map((code) => ({
    fact: code.length === 2 ? 'chapters' : 'headings',
    operator: 'contains',
    value: code,
  }));
  const all: Record<string, unknown>[] = [{ fact: 'text', operator: 'mentionsAny', value: c.phrases }];
  if (c.unless.length) all.push({ fact: 'text', operator: 'mentionsNone', value: c.unless });
  const heads = c.heads ?? phraseHeads(c.phrases);
  if (heads.length) all.push({ fact: 'head', operator: 'namedAny', value: heads });
  all.push(scopeCond.length === 1 ? scopeCond[0] : { any: scopeCond });
  const subject = c.phrases.slice(0, 4).join(', ') + (c.phrases.length > 4 ? ', ...' : '');
  const verb = c.scope === 'section' ? 'does not cover' : 'does not cover';
  const detail = c.include.length
    ? `${c.scopeLabel} ${verb} ${subject}: ${describeCodes(c.include)}.`
    : `${c.scopeLabel} ${verb} ${subject}: classified according to the goods or their constituent material.`;
  return {
    name: c.id,
    priority: 100,
    conditions: { all },
    event: {
      type: 'exclude',
      params: { gri: 'GRI 1', citation: c.citation, exclude: c.exclude, include: c.include, detail, ...(c.decisive ? { decisive: true } : {}) },
    },
  };
}

const CORRECTION_KEYS = new Set(['mentionsAny', 'addMentions', 'unless', 'heads', 'exclude', 'include', 'decisive', 'drop', 'why']);

/** Validate corrections.json against the clauses: unknown ids or keys and malformed codes are errors. */
export function checkCorrections(corr: Corrections, clauses: Clause[], nom: Nomenclature): void {
  const ids = new Set(clauses.map((c) => c.id));
  for (const [id, c] of Object.entries(corr)) {
    if (id.startsWith('_')) continue;
    if (!ids.has(id)) throw new Error(`corrections.json: "${id}" is not a clause id`);
    for (const k of Object.keys(c)) if (!CORRECTION_KEYS.has(k)) throw new Error(`corrections.json: "${id}": unknown key "${k}"`);
    for (const k of ['exclude', 'include'] as const) {
      for (const code of c[k] ?? []) {
        if (!(code.length === 2 ? nom.chapters.has(code) : code.length === 4 && nom.headings.has(code))) {
          throw new Error(`corrections.json: "${id}": ${k} code "${code}" is not an HS 2022 chapter or heading`);
        }
      }
    }
    for (const p of [...(c.mentionsAny ?? []), ...(c.addMentions ?? []), ...(c.unless ?? [])]) {
      if (normalise(p).tokens.length === 0) throw new Error(`corrections.json: "${id}": phrase "${p}" has no classifying word`);
    }
  }
}

export function applyCorrection(c: Clause, corr: Correction | undefined): { clause: Clause; reason: string | null } {
  if (!corr) return { clause: c, reason: c.problem };
  if (corr.drop) return { clause: c, reason: `hand review: ${corr.drop}` };
  const out: Clause = { ...c };
  if (corr.mentionsAny) out.phrases = [...corr.mentionsAny];
  if (corr.addMentions) out.phrases = uniq([...out.phrases, ...corr.addMentions]);
  if (corr.unless) out.unless = [...corr.unless];
  if (corr.heads) out.heads = [...corr.heads];
  if (corr.exclude) {
    out.exclude = [...corr.exclude];
    if (out.scope === null) {
      out.scope = corr.exclude.every((x) => x.length === 2) ? 'chapter' : 'heading';
      out.scopeLabel = corr.exclude.every((x) => x.length === 2) ? `Chapter${corr.exclude.length > 1 ? 's' : ''} ${corr.exclude.map(Number).join(', ')}` : `Heading${corr.exclude.length > 1 ? 's' : ''} ${corr.exclude.join(', ')}`;
    }
  }
  if (corr.include) out.include = [...corr.include];
  if (corr.decisive) out.decisive = true;
  // A hand-given phrase list or scope overrides the automatic doubts (generic subject, measure, scope).
  let reason = c.problem;
  if (reason === REASONS.belowHeading && !corr.exclude) return { clause: out, reason };
  if (reason === REASONS.scope && !corr.exclude) return { clause: out, reason };
  if ((reason === REASONS.generic || reason === REASONS.measure || reason === REASONS.qualified) && !(corr.mentionsAny || corr.addMentions)) return { clause: out, reason };
  reason = null;
  if (out.phrases.length === 0) reason = REASONS.generic;
  else if (out.exclude.length === 0) reason = REASONS.noPointerNoScope;
  return { clause: out, reason };
}

// ---------------------------------------------------------------------------------------------
// Driver
// ---------------------------------------------------------------------------------------------

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

export function readRecords(dataDir: string): NotesRecord[] {
  const text = readDataText(dataDir, NOTES_FILE);
  const records: NotesRecord[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      records.push(JSON.parse(line) as NotesRecord);
    } catch (e) {
      throw new Error(`${NOTES_FILE}: line ${i + 1}: invalid JSON (${(e as Error).message})`);
    }
  });
  return records.sort((a, b) => a.chapter.localeCompare(b.chapter));
}

export function generate(dataDir: string, corrections: Corrections): Generated {
  const nom = loadNomenclature(dataDir);
  const records = readRecords(dataDir);
  const clauses = findClauses(records, nom);
  checkCorrections(corrections, clauses, nom);
  const byFile = new Map<string, RuleOut[]>();
  const leftOut: ReportEntry[] = [];
  const rules: RuleOut[] = [];
  for (const raw of clauses) {
    const { clause, reason } = applyCorrection(raw, corrections[raw.id]);
    if (reason) {
      leftOut.push({ id: clause.id, citation: clause.citation, reason });
      continue;
    }
    const rule = toRule(clause);
    rules.push(rule);
    const list = byFile.get(clause.file) ?? [];
    list.push(rule);
    byFile.set(clause.file, list);
  }
  const files = new Map<string, string>();
  for (const ch of [...byFile.keys()].sort()) {
    files.set(`ch${ch}.json`, json({ source: `HTSUS 2025 Revision 19, notes of chapter ${ch} (${NOTES_FILE}); generated by server/rules/generate-notes.ts with rules/notes/corrections.json: do not edit`, rules: byFile.get(ch) }));
  }
  const byReason: Record<string, number> = {};
  for (const e of leftOut) {
    const key = e.reason.startsWith('hand review:') ? 'hand review: dropped' : e.reason;
    byReason[key] = (byReason[key] ?? 0) + 1;
  }
  const report: Report = {
    source: NOTES_FILE,
    clausesFound: clauses.length,
    encoded: rules.length,
    leftOut: leftOut.length,
    leftOutByReason: Object.fromEntries(Object.entries(byReason).sort(([a], [b]) => a.localeCompare(b))),
    corrected: Object.keys(corrections).filter((k) => !k.startsWith('_')).sort(),
    leftOutClauses: leftOut,
  };
  files.set('report.json', json(report));
  return { files, clauses, rules, report };
}

/** Write the generated files into `outDir`, removing chNN.json files that are no longer generated. */
export function writeGenerated(outDir: string, files: Map<string, string>): void {
  fs.mkdirSync(outDir, { recursive: true });
  for (const f of fs.readdirSync(outDir)) {
    if (/^ch\d{2}\.json$/.test(f) && !files.has(f)) fs.unlinkSync(path.join(outDir, f));
  }
  for (const [name, text] of files) fs.writeFileSync(path.join(outDir, name), text);
}

export function readCorrections(file: string): Corrections {
  if (!fs.existsSync(file)) return {};
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Corrections;
}

function main(argv: string[]): void {
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const outDir = path.resolve(arg('--out') ?? NOTES_DIR);
  const corrFile = path.resolve(arg('--corrections') ?? CORRECTIONS_FILE);
  const { files, report } = generate(resolveDataDir(), readCorrections(corrFile));
  writeGenerated(outDir, files);
  process.stdout.write(
    `rules:notes: ${report.clausesFound} clauses found, ${report.encoded} encoded, ${report.leftOut} left out; ${files.size - 1} rule files in ${outDir}\n`,
  );
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`rules:notes: ${(e as Error).message}\n`);
    process.exit(1);
  }
}
