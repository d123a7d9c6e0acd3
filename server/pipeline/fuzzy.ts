// Step 3b: fuzzy re-ranking of the short list with fuse.js. Each query word is matched approximately
// (Bitap) against the candidates' official texts, so typos and truncations in invoice lines
// ("tshrt", "chocolat") still count. fuse.js over all 5,612 codes would cost ~300 ms a query; over the
// short list it costs a fraction of a millisecond.
import Fuse, { type FuseIndex } from 'fuse.js';

const OPTIONS = {
  keys: ['text'],
  includeScore: true,
  ignoreLocation: true,
  useExtendedSearch: true,
  threshold: 0.4,
  minMatchCharLength: 3,
};

/** Words of 3+ letters, at most 8 of them, OR-ed in fuse's extended syntax. */
export function fuzzyPattern(cleanText: string): string {
  const words = cleanText
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length >= 3 && /[a-z]/.test(w));
  return [...new Set(words)].slice(0, 8).join(' | ');
}

/** Similarity in [0, 1] of the query to each text (0 where fuse finds no match). */
export function fuzzyScores(cleanText: string, texts: string[]): Float32Array {
  return new FuzzyTexts(texts).scores(
    cleanText,
    texts.map((_, i) => i),
  );
}

type IndexData = ReturnType<FuseIndex<{ text: string }>['toJSON']>;

/**
 * A fixed list of texts (the classes' official texts) indexed for fuse.js once: each query's short list reuses
 * their index records (fuse's field-length norms), not indexing its texts again.
 */
export class FuzzyTexts {
  private readonly keys: IndexData['keys'];
  private readonly records: IndexData['records'];

  constructor(texts: string[]) {
    const index = Fuse.createIndex(OPTIONS.keys, texts.map((text) => ({ text }))).toJSON();
    this.keys = index.keys;
    this.records = index.records;
  }

  /** Similarity in [0, 1] of the query to the texts at `ids` (0 where fuse finds no match), in the order of `ids`. */
  scores(cleanText: string, ids: ArrayLike<number>): Float32Array {
    const out = new Float32Array(ids.length);
    const pattern = fuzzyPattern(cleanText);
    if (!pattern || ids.length === 0) return out;
    const records = Array.from(ids, (id, i) => ({ i, $: this.records[id].$ }));
    const fuse = new Fuse(records, OPTIONS, Fuse.parseIndex({ keys: this.keys, records }));
    for (const r of fuse.search(pattern)) out[r.refIndex] = 1 - (r.score ?? 1);
    return out;
  }
}
