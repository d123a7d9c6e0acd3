// Step 3: score. Builds the short list of candidate subheadings for one query and the signals the
// fusion weighs: naive Bayes at three levels, TF-IDF similarity to the nomenclature and to labelled
// examples (nearest neighbours), how common the code is among the examples, whether the material
// named agrees with the subheading's, the level models' probabilities, whether the heading's text names the
// goods by the description's head noun (head.ts), and (filled in by the fusion, for the best few only) fuzzy similarity.
import { Vocabulary, termsOf } from './features';
import { search, type DocHits } from './retrieve';
import { logLikelihood, smooth, type Smoothed } from './model';
import { DOC_KINDS } from './corpus';
import type { Model } from './train';
import type { Normalised } from './normalise';
import { hashedFeatures } from './levels/features';
import { LevelQuery } from './levels/tree';
import { headAgreement, type ClassHeads } from './head';
import { classMaterials, materialAgreement, materialsOf, type ClassMaterials, type MaterialFacts } from './materials';

export const FEATURES = ['nbSub', 'nbHead', 'nbChap', 'nom', 'knn1', 'knn3', 'prior', 'material', 'lvChap', 'lvHead', 'lvSub', 'head', 'fuzzy'] as const;
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
  /** Per smoothing value, per level: what naive Bayes scoring needs (computed on first use). */
  smoothed: Map<number, { sub: Smoothed; head: Smoothed; chap: Smoothed }>;
  /** Per class: best nomenclature similarity and the three best example similarities (reset after each query). */
  nom: Float32Array;
  knn: Float32Array;
  /** Materials each class's official text covers or excludes. */
  materials: ClassMaterials[];
  /** The nouns each class's heading and subheading texts name the goods by. */
  heads: ClassHeads;
  /** Chapter or heading code -> the classes under it. */
  byPrefix: Map<string, number[]>;
  /** Subheading code -> class index. */
  classOf: Map<string, number>;
}

/** `classDescriptions`: the official text of each class, in model.classes order. */
export function createScorer(model: Model, classDescriptions: string[], heads: ClassHeads): Scorer {
  return {
    model,
    vocab: Vocabulary.from(model.terms),
    scratch: new Float32Array(model.index.nDocs),
    post: {
      sub: new Float64Array(model.classes.length),
      head: new Float64Array(model.heads.length),
      chap: new Float64Array(model.chaps.length),
    },
    smoothed: new Map(),
    nom: new Float32Array(model.classes.length),
    knn: new Float32Array(model.classes.length * 3),
    materials: classDescriptions.map(classMaterials),
    heads,
    byPrefix: prefixIndex(model.classes),
    classOf: new Map(model.classes.map((c, i) => [c, i])),
  };
}

function prefixIndex(classes: string[]): Map<string, number[]> {
  const m = new Map<string, number[]>();
  classes.forEach((c, i) => {
    for (const p of [c.slice(0, 2), c.slice(0, 4), c]) {
      const l = m.get(p);
      if (l) l.push(i);
      else m.set(p, [i]);
    }
  });
  return m;
}

function smoothedFor(scorer: Scorer, alpha: number) {
  let s = scorer.smoothed.get(alpha);
  if (!s) {
    const nb = scorer.model.nb;
    s = { sub: smooth(nb.sub, alpha), head: smooth(nb.head, alpha), chap: smooth(nb.chap, alpha) };
    scorer.smoothed.set(alpha, s);
  }
  return s;
}

export interface Candidates {
  /** Short-listed classes (indices into model.classes). */
  classes: Int32Array;
  /** classes.length x N_FEATURES, row-major; the fuzzy column is 0 until the fusion fills it. */
  features: Float32Array;
  /** Document-level similarities, for examples and national lines. */
  hits: DocHits;
  /** How many distinct terms of the query the model knows (0: nothing to go on). */
  knownTerms: number;
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

/**
 * The short list for a query: the best `size` classes by naive Bayes and by retrieval, plus the two
 * best (by naive Bayes) under each code of `extra` (headings or chapters a rule may point to).
 * `materials`: the materials the description names, when the caller has them already; `head`: the
 * description's head noun and the words it expands to (head.ts headTerms; [] when not known).
 */
export function candidates(
  scorer: Scorer,
  q: Normalised,
  alpha: number,
  size: number,
  extra: string[] = [],
  materials: MaterialFacts = materialsOf(q.text),
  head: string[] = [],
): Candidates {
  const { model, post } = scorer;
  const qvec = scorer.vocab.vector(termsOf(q.tokens));
  const hits = search(model.index, qvec, scorer.scratch);
  const sm = smoothedFor(scorer, alpha);
  logLikelihood(model.nb.sub, qvec, sm.sub, post.sub);
  logLikelihood(model.nb.head, qvec, sm.head, post.head);
  logLikelihood(model.nb.chap, qvec, sm.chap, post.chap);

  // Per class: best nomenclature similarity, and the three best example similarities.
  const { nom, knn } = scorer;
  const touched: number[] = [];
  for (let i = 0; i < hits.docs.length; i++) {
    const d = hits.docs[i];
    const c = model.docClass[d];
    if (c < 0) continue;
    const s = hits.scores[i];
    if (nom[c] === 0 && knn[3 * c] === 0) touched.push(c);
    if (model.docKind[d] === EXAMPLE_KIND) {
      const k = 3 * c;
      if (s > knn[k + 2]) {
        if (s > knn[k]) {
          knn[k + 2] = knn[k + 1];
          knn[k + 1] = knn[k];
          knn[k] = s;
        } else if (s > knn[k + 1]) {
          knn[k + 2] = knn[k + 1];
          knn[k + 1] = s;
        } else knn[k + 2] = s;
      }
    } else if (s > nom[c]) nom[c] = s;
  }
  const retrieval = new Float32Array(touched.length);
  for (let i = 0; i < touched.length; i++) retrieval[i] = Math.max(nom[touched[i]], knn[3 * touched[i]]);

  const chosen = new Set<number>(topK(post.sub, Math.ceil(size / 2)));
  for (const i of topK(retrieval, size)) {
    if (chosen.size >= size) break;
    chosen.add(touched[i]);
  }

  // The hierarchical models' beam: the best subheadings under the best headings of the best chapters.
  const lv = model.levels;
  const levelQuery = lv ? new LevelQuery(lv.tree, hashedFeatures(q, lv.features)) : null;
  if (levelQuery && lv) {
    const classOf = scorer.classOf;
    for (const { hs6 } of levelQuery.beam(lv.beam.chapters, lv.beam.headings).slice(0, lv.beam.size)) chosen.add(classOf.get(hs6)!);
  }

  for (const code of extra) {
    const under = scorer.byPrefix.get(code) ?? [];
    const subs = new Float64Array(under.length);
    for (let i = 0; i < under.length; i++) subs[i] = post.sub[under[i]];
    for (const i of topK(subs, 2)) chosen.add(under[i]);
  }

  const classes = new Int32Array(chosen.size);
  let n = 0;
  for (const c of chosen) classes[n++] = c;
  const features = new Float32Array(classes.length * N_FEATURES);
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i];
    const row = i * N_FEATURES;
    features[row] = Math.max(LOG_FLOOR, post.sub[c]);
    features[row + 1] = Math.max(LOG_FLOOR, post.head[model.classHead[c]]);
    features[row + 2] = Math.max(LOG_FLOOR, post.chap[model.classChap[c]]);
    features[row + 3] = nom[c];
    features[row + 4] = knn[3 * c];
    features[row + 5] = knn[3 * c] + knn[3 * c + 1] + knn[3 * c + 2];
    features[row + 6] = Math.log1p(model.exampleCount[c]);
    features[row + 7] = materialAgreement(materials, scorer.materials[c]);
    if (levelQuery) {
      const [lc, lh, ls] = levelQuery.levels(model.classes[c]);
      features[row + 8] = Math.max(LOG_FLOOR, lc);
      features[row + 9] = Math.max(LOG_FLOOR, lh);
      features[row + 10] = Math.max(LOG_FLOOR, ls);
    }
    features[row + 11] = head.length ? headAgreement(head, scorer.heads, c) : 0;
  }
  for (const c of touched) {
    nom[c] = 0;
    knn[3 * c] = knn[3 * c + 1] = knn[3 * c + 2] = 0;
  }
  return { classes, features, hits, knownTerms: qvec.ids.length };
}
