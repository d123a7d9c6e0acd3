// Step 3: score. Builds the short list of candidate subheadings for one query and the signals the
// fusion weighs: naive Bayes at three levels, TF-IDF similarity to the nomenclature and to labelled
// examples (nearest neighbours), how common the code is among the examples, and (filled in by the
// fusion, for the best few only) fuzzy similarity.
import { Vocabulary, termsOf } from './features';
import { search, type DocHits } from './retrieve';
import { logPosterior } from './model';
import { DOC_KINDS } from './corpus';
import type { Model } from './train';
import type { Normalised } from './normalise';

export const FEATURES = ['nbSub', 'nbHead', 'nbChap', 'nom', 'knn1', 'knn3', 'prior', 'fuzzy'] as const;
export type FeatureName = (typeof FEATURES)[number];
export const N_FEATURES = FEATURES.length;
export const FUZZY = FEATURES.indexOf('fuzzy');

const EXAMPLE_KIND = DOC_KINDS.indexOf('example');
const LOG_FLOOR = -30;

/** Everything needed to score queries against one model; the buffers are reused between queries. */
export interface Scorer {
  model: Model;
  vocab: Vocabulary;
  scratch: Float32Array;
  post: { sub: Float64Array; head: Float64Array; chap: Float64Array };
}

export function createScorer(model: Model): Scorer {
  return {
    model,
    vocab: Vocabulary.from(model.terms),
    scratch: new Float32Array(model.index.nDocs),
    post: {
      sub: new Float64Array(model.classes.length),
      head: new Float64Array(model.heads.length),
      chap: new Float64Array(model.chaps.length),
    },
  };
}

export interface Candidates {
  /** Short-listed classes (indices into model.classes). */
  classes: Int32Array;
  /** classes.length x N_FEATURES, row-major; the fuzzy column is 0 until the fusion fills it. */
  features: Float32Array;
  /** Document-level similarities, for examples and national lines. */
  hits: DocHits;
}

/** Indices of the k largest values, best first. */
export function topK(values: ArrayLike<number>, k: number): number[] {
  const best: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (best.length === k && v <= values[best[k - 1]]) continue;
    let j = best.length < k ? best.length : k - 1;
    while (j > 0 && values[best[j - 1]] < v) {
      best[j] = best[j - 1];
      j--;
    }
    best[j] = i;
  }
  return best;
}

export function candidates(scorer: Scorer, q: Normalised, alpha: number, size: number): Candidates {
  const { model, post } = scorer;
  const qvec = scorer.vocab.vector(termsOf(q.tokens));
  const hits = search(model.index, qvec, scorer.scratch);
  logPosterior(model.nb.sub, qvec, alpha, post.sub);
  logPosterior(model.nb.head, qvec, alpha, post.head);
  logPosterior(model.nb.chap, qvec, alpha, post.chap);

  // Per class: best nomenclature similarity, and the three best example similarities.
  const nom = new Map<number, number>();
  const knn = new Map<number, number[]>();
  for (let i = 0; i < hits.docs.length; i++) {
    const d = hits.docs[i];
    const c = model.docClass[d];
    if (c < 0) continue;
    const s = hits.scores[i];
    if (model.docKind[d] === EXAMPLE_KIND) {
      const top = knn.get(c);
      if (!top) knn.set(c, [s]);
      else {
        top.push(s);
        top.sort((a, b) => b - a);
        if (top.length > 3) top.length = 3;
      }
    } else if (s > (nom.get(c) ?? 0)) nom.set(c, s);
  }
  const retrieval = new Map<number, number>();
  for (const [c, s] of nom) retrieval.set(c, s);
  for (const [c, top] of knn) retrieval.set(c, Math.max(retrieval.get(c) ?? 0, top[0]));

  const chosen = new Set<number>(topK(post.sub, Math.ceil(size / 2)));
  const byRetrieval = [...retrieval.entries()].sort((a, b) => b[1] - a[1]);
  for (const [c] of byRetrieval) {
    if (chosen.size >= size) break;
    chosen.add(c);
  }

  const classes = Int32Array.from(chosen);
  const features = new Float32Array(classes.length * N_FEATURES);
  classes.forEach((c, i) => {
    const top = knn.get(c) ?? [];
    const row = i * N_FEATURES;
    features[row] = Math.max(LOG_FLOOR, post.sub[c]);
    features[row + 1] = Math.max(LOG_FLOOR, post.head[model.classHead[c]]);
    features[row + 2] = Math.max(LOG_FLOOR, post.chap[model.classChap[c]]);
    features[row + 3] = nom.get(c) ?? 0;
    features[row + 4] = top[0] ?? 0;
    features[row + 5] = top.reduce((a, b) => a + b, 0);
    features[row + 6] = Math.log1p(model.exampleCount[c]);
  });
  return { classes, features, hits };
}
