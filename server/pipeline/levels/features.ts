// Features of the level models: hashed word unigrams and bigrams (the normaliser's stemmed tokens) and
// character 3- to 5-grams of the cleaned words, so that spelling variants, compounds and unseen inflections
// ("sweatshirts", "sweat-shirt", "hoodies") still share evidence. Sub-linear counts, weighted per group and
// L2-normalised; ids are FNV-1a hashes into 2^HASH_BITS buckets, sorted and distinct.
import type { Normalised } from '../normalise';

export const HASH_BITS = 18;
const MASK = (1 << HASH_BITS) - 1;

export interface HashedVector {
  ids: Int32Array;
  values: Float32Array;
}

export interface FeatureWeights {
  /** Weight of word unigrams, bigrams and character n-grams before normalisation. */
  word: number;
  bigram: number;
  char: number;
  /** Lengths of the character n-grams (default 3 to 5). */
  charMin?: number;
  charMax?: number;
}

/** FNV-1a of s[from, to) (default: all of s). */
function fnv1a(s: string, seed: number, from = 0, to = s.length): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = from; i < to; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) & MASK;
}

const WORD = /[a-z][a-z0-9]*/g;

/** Hashed features of a normalised description (and optionally of a longer detail, at `detailWeight`). */
export function hashedFeatures(q: Normalised, w: FeatureWeights, extra?: { q: Normalised; weight: number }): HashedVector {
  const acc = new Map<number, number>();
  const add = (id: number, v: number) => acc.set(id, (acc.get(id) ?? 0) + v);
  const addText = (n: Normalised, scale: number, chars: boolean) => {
    const t = n.tokens;
    for (let i = 0; i < t.length; i++) {
      add(fnv1a(t[i], 1), w.word * scale);
      if (i + 1 < t.length) add(fnv1a(`${t[i]} ${t[i + 1]}`, 2), w.bigram * scale);
    }
    if (chars && w.char > 0) {
      for (const word of n.text.match(WORD) ?? []) {
        if (word.length < 3) continue;
        const s = `<${word.length > 24 ? word.slice(0, 24) : word}>`;
        for (let len = w.charMin ?? 3; len <= (w.charMax ?? 5); len++) for (let i = 0; i + len <= s.length; i++) add(fnv1a(s, 3, i, i + len), w.char * scale);
      }
    }
  };
  addText(q, 1, true);
  // A longer detail adds its words, not its character n-grams (they would dominate the description's).
  if (extra) addText(extra.q, extra.weight, false);
  const ids = Int32Array.from([...acc.keys()].sort((a, b) => a - b));
  const values = new Float32Array(ids.length);
  let norm = 0;
  for (let i = 0; i < ids.length; i++) {
    const v = Math.log1p(acc.get(ids[i])!);
    values[i] = v;
    norm += v * v;
  }
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < values.length; i++) values[i] /= norm;
  return { ids, values };
}

/** Index of `id` in the sorted array `sorted`, or -1. */
export function findSorted(sorted: Int32Array, id: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid];
    if (v === id) return mid;
    if (v < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
