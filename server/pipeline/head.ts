// The head of a description: the noun that names what the goods are. English noun phrases put it last,
// before the first word that starts a qualifier ("a brake pad press used in ..." -> press, modified by pad;
// "men's crew neck tee 100% cotton" -> t-shirt; "polypropylene rope, 3-strand" -> rope). Bag-of-words models
// weigh "brake pad" as heavily as "press"; the head, given as features of its own, lets them learn which
// words decide the heading. Read from the first clause (up to a comma, semicolon, colon or bracket), cut at
// the first qualifying word; "pair of", "set of" and other measures of quantity look through to what they hold.
import { normalise, stem } from './normalise';
import { materialsOf } from './materials';
import type { Dataset } from '../types';

/** Words that end the noun phrase naming the goods. */
const QUALIFIERS = new Set([
  'of', 'made', 'for', 'with', 'without', 'containing', 'consisting', 'comprising', 'composed', 'featuring', 'designed', 'intended',
  'used', 'in', 'from', 'that', 'which', 'and', 'or', 'to', 'on', 'by', 'having', 'including', 'incorporating', 'suitable', 'whether',
  'when', 'than', 'put', 'not', 'excluding', 'fitted', 'packed', 'weighing', 'measuring', 'valued', 'imported', 'known', 'also', 'as',
  'at', 'into', 'under', 'other', 'such', 'like', 'where', 'being', 'is', 'are', 'was', 'were', 'thereof', 'therefor', 'n',
  // "goggles anti fog", "mat anti slip": a property follows
  'anti',
]);
/** Heads that only measure or group what follows "of" ("a pair of eyeglasses", "a set of 3 knives"). */
const MEASURES = new Set(['pair', 'piece', 'type', 'kind', 'variety', 'assortment', 'sort', 'number', 'quantity', 'box', 'pack', 'bag', 'bottle', 'roll', 'set', 'kit', 'collection', 'selection', 'range', 'lot', 'bundle', 'case', 'carton']);

export interface Head {
  /** The head noun's key (headKey: its stem, for comparing). */
  head: string;
  /** The head noun as the description writes it (cleaned, lower case), for the reasoning. */
  word: string;
}

/** A participle that starts a qualifier when a preposition follows it ("a pot fueled by ...", "a box lined with ..."). */
const PARTICIPLE = /^[a-z]{3,}ed$/;
const PREPOSITIONS = new Set(['by', 'with', 'in', 'for', 'to', 'from', 'on', 'of', 'at', 'as', 'into']);

/**
 * The stem a head is compared by: Porter leaves "knives" and "knife", "scarves" and "scarf", "shelves" and
 * "shelf" apart, so a final e is dropped and a final v read as f (a key for comparing, not a word).
 */
export function headKey(word: string): string {
  return keyOf(stem(word));
}

function keyOf(stemmed: string): string {
  return stemmed.replace(/e$/, '').replace(/v$/, 'f');
}

const CLAUSE = /[,;:()[\]{}|]|\s[->/]\s/;
const PERCENT = /^\d/;

/** The head of a description, or null when it has no words. */
export function headOf(raw: string): Head | null {
  let measure: Head | null = null;
  let rest = raw;
  for (let clauses = 0; clauses < 4 && rest.length > 0; clauses++) {
    const m = CLAUSE.exec(rest);
    const clause = m ? rest.slice(0, m.index) : rest;
    rest = m ? rest.slice(m.index + m[0].length) : '';
    const words = normalise(clause).text.split(' ').filter((w) => w.length > 0);
    let i = 0;
    while (i < words.length) {
      // Leading qualifiers ("other", "of") are not the phrase.
      while (i < words.length && QUALIFIERS.has(words[i])) i++;
      let end = i;
      while (end < words.length && !QUALIFIERS.has(words[end]) && !PERCENT.test(words[end]) && !(end > i && PARTICIPLE.test(words[end]) && PREPOSITIONS.has(words[end + 1]))) end++;
      const phrase = words.slice(i, end).filter((w) => /[a-z]/.test(w));
      if (phrase.length > 0) {
        const head = headKey(phrase[phrase.length - 1]);
        // "a bag of rice" looks through to the rice; "a gym bag of nylon" is a bag
        if (MEASURES.has(stem(phrase[phrase.length - 1])) && words[end] === 'of' && end + 1 < words.length && !materialsOf(words[end + 1]).named.length) {
          measure = { head, word: phrase[phrase.length - 1] };
          i = end + 1;
          continue;
        }
        return { head, word: phrase[phrase.length - 1] };
      }
      i = end + 1;
    }
  }
  return measure;
}

const LIST_CLAUSE = /[,;:()[\]]/;
const CONJUNCTION = /\s(?:and|or|and\/or)\s/;

/**
 * The nouns a nomenclature text names its goods by: the head of each item of its opening list
 * ("Cartons, boxes, cases, bags and other packing containers, of paper ..." -> carton, box, case, bag,
 * container), up to the first clause that qualifies them ("of paper", "whether or not ...", "for ...").
 */
export function listHeads(text: string): string[] {
  const out: string[] = [];
  const clauses = text.split(LIST_CLAUSE);
  for (let i = 0; i < clauses.length; i++) {
    const first = /[a-z]+/i.exec(clauses[i])?.[0].toLowerCase();
    if (first === undefined) continue;
    if (i > 0 && QUALIFIERS.has(first)) break;
    for (const part of clauses[i].split(CONJUNCTION)) {
      const h = headOf(part);
      if (h && !out.includes(h.head)) out.push(h.head);
    }
  }
  return out;
}

/** Per class: the nouns its heading's texts name the goods by, and those its own subheading text names. */
export interface ClassHeads {
  heading: Set<string>[];
  sub: Set<string>[];
}

/** The heading nouns are read from the HS heading text and the US schedule's legal heading text (fuller than the UN short form). */
export function classHeads(ds: Dataset, classes: string[]): ClassHeads {
  const texts = new Map<string, string[]>();
  const add = (h: string, t: string) => (texts.get(h) ?? texts.set(h, []).get(h)!).push(t);
  for (const c of classes) {
    const h = c.slice(0, 4);
    if (!texts.has(h)) add(h, ds.hs.nodes.get(h)?.description ?? '');
  }
  for (const l of ds.us) {
    const h = l.hs6.slice(0, 4);
    const t = texts.get(h);
    if (t && t.length === 1 && l.path.length) t.push(l.path[0]);
  }
  const byHeading = new Map([...texts].map(([h, ts]) => [h, new Set(ts.flatMap(listHeads))]));
  return {
    heading: classes.map((c) => byHeading.get(c.slice(0, 4)) ?? new Set()),
    // a UN short form is "<heading>; <subheading>[; ...]": each part opens a list of its own
    sub: classes.map((c) => new Set((ds.hs.nodes.get(c)?.description ?? '').split(';').flatMap(listHeads))),
  };
}

/**
 * How far a class's texts name the goods as the description does: 1 when its heading names the description's
 * head (or a word it expands to), 0.5 when only its subheading text does, else 0. `terms`: the head first.
 */
export function headAgreement(terms: string[], heads: ClassHeads, c: number): number {
  let m = 0;
  for (const t of terms) {
    if (heads.heading[c].has(t)) return 1;
    if (heads.sub[c].has(t)) m = 0.5;
  }
  return m;
}

/** A description's head and the nomenclature words it expands to (terms.ts), the head first; [] when it has none. */
export function headTerms(h: Head | null, expansions: Record<string, string[]> | null | undefined): string[] {
  return h ? [h.head, ...(expansions?.[stem(h.word)] ?? []).map(keyOf)] : [];
}
