// Step 1b: abbreviations the fixed table of normalise.ts does not know, read from the vocabulary the model
// learnt. Invoice and parcel lines drop vowels to fit a field ("jsmn shwr gel", "hylrnc acd srm"): a word the
// model does not know, written in consonants only, is read as the known word with the same consonant skeleton
// (its first letter, then its consonants, doubled letters once) that contains it in order, when one such word
// clearly outnumbers the others in the texts the model learnt from. Words with vowels are left alone: "dry" or
// "lunch" is a word, not an abbreviation, even when the examples hold "dairy" or "launch".
import { normalise, type Normalised } from './normalise';
import type { Dataset, Example } from '../types';

/** A known word, and how often it occurs in the texts the lexicon was built from. */
export interface LexiconEntry {
  word: string;
  count: number;
}

/** Consonant skeleton -> the known words of that skeleton, commonest first. */
export type Lexicon = Map<string, LexiconEntry[]>;

/** One word read as another, for the reasoning. */
export interface Reading {
  word: string;
  as: string;
}

/** Skeletons of 3 letters need more evidence than longer ones ("frt" fruit; "stn" stone or station). */
const MIN_COUNT = { short: 20, long: 2 };
const MIN_RATIO = { short: 4, long: 2 };

/** First letter, then the consonants (y counts as one), each run of one letter once: "vanilla" -> "vnl". */
export function skeleton(word: string): string {
  return (word[0] + word.slice(1).replace(/[aeiou]/g, '')).replace(/(.)\1+/g, '$1');
}

/** Consonants only (y counts as one) after the first letter ("jsmn", "aftr", "hylrnc"), at least three letters. */
const ABBREVIATED = /^[a-z][b-df-hj-np-tv-z]{2,}$/;

function inOrder(short: string, long: string): boolean {
  let i = 0;
  for (const ch of long) if (ch === short[i]) i++;
  return i === short.length;
}

/**
 * The lexicon of `texts`: every word of 4+ letters that `known` accepts (its stem is in the model's
 * vocabulary), by skeleton. `known` is given by the model so that a word it never learnt is never proposed.
 */
export function buildLexicon(texts: Iterable<string>, known: (stem: string) => boolean): Lexicon {
  const counts = new Map<string, number>();
  for (const t of texts) for (const w of t.toLowerCase().match(/[a-z]{4,}/g) ?? []) counts.set(w, (counts.get(w) ?? 0) + 1);
  const lexicon: Lexicon = new Map();
  for (const [word, count] of counts) {
    const stems = normalise(word).tokens;
    // stop words and boilerplate drop out of normalise: never a reading
    if (stems.length !== 1 || !known(stems[0])) continue;
    const k = skeleton(word);
    const list = lexicon.get(k);
    if (list) list.push({ word, count });
    else lexicon.set(k, [{ word, count }]);
  }
  for (const list of lexicon.values()) list.sort((a, b) => b.count - a.count || a.word.localeCompare(b.word));
  return lexicon;
}

/** The lexicon of a model: the texts it learnt from (its examples) and the nomenclature (HS and US lines). */
export function modelLexicon(ds: Dataset, examples: Example[], known: (stem: string) => boolean): Lexicon {
  function* texts() {
    for (const e of examples) yield e.text;
    for (const n of ds.hs.nodes.values()) yield n.description;
    for (const l of ds.us) yield l.fullDescription;
  }
  return buildLexicon(texts(), known);
}

/** The known word an unknown abbreviated word stands for, or null. */
export function readAbbreviation(word: string, lexicon: Lexicon): string | null {
  if (!ABBREVIATED.test(word)) return null;
  const k = skeleton(word);
  if (k.length < 3) return null;
  const fits = (lexicon.get(k) ?? []).filter((e) => e.word.length > word.length && inOrder(word, e.word));
  if (!fits.length) return null;
  const size = k.length === 3 ? 'short' : 'long';
  const [best, next] = fits;
  if (best.count < MIN_COUNT[size] || (next && best.count < MIN_RATIO[size] * next.count)) return null;
  return best.word;
}

/**
 * The query with its unknown abbreviated words read as known words, and the readings; the query itself
 * when there is none. `known` tells whether the model knows a stem.
 */
export function expandAbbreviations(q: Normalised, lexicon: Lexicon | null, known: (stem: string) => boolean): { query: Normalised; readings: Reading[] } {
  if (!lexicon || !lexicon.size) return { query: q, readings: [] };
  const readings: Reading[] = [];
  const stemAs = new Map<string, string[]>();
  const words = q.text.split(' ').map((w) => {
    if (!ABBREVIATED.test(w)) return w;
    const stems = normalise(w).tokens;
    if (stems.length !== 1 || known(stems[0])) return w;
    const as = readAbbreviation(w, lexicon);
    if (!as) return w;
    readings.push({ word: w, as });
    stemAs.set(stems[0], normalise(as).tokens);
    return as;
  });
  if (!readings.length) return { query: q, readings };
  return { query: { text: words.join(' '), tokens: q.tokens.flatMap((t) => stemAs.get(t) ?? [t]) }, readings };
}
