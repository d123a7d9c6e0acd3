// Step 3b: fuzzy re-ranking of the short list with fuse.js. Each query word is matched approximately
// (Bitap) against the candidates' official texts, so typos and truncations in invoice lines
// ("tshrt", "chocolat") still count. fuse.js over all 5,612 codes would cost ~300 ms a query; over the
// short list it costs a fraction of a millisecond.
import Fuse from 'fuse.js';

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
  const out = new Float32Array(texts.length);
  const pattern = fuzzyPattern(cleanText);
  if (!pattern || texts.length === 0) return out;
  const fuse = new Fuse(
    texts.map((text) => ({ text })),
    OPTIONS,
  );
  for (const r of fuse.search(pattern)) out[r.refIndex] = 1 - (r.score ?? 1);
  return out;
}
