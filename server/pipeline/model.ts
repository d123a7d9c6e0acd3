// Step 3a: the supervised model. A multinomial naive Bayes over sparse term weights
// (log tf x idf, L2-normalised per document, as in Rennie et al.'s TWCNB transform), trained at three
// levels of the tree (chapter, heading, subheading) so the fusion can use the hierarchy.
// Training is one pass over the documents; scoring touches only the query's postings.
import type { SparseVector } from './features';

export interface NaiveBayes {
  nClasses: number;
  vocabSize: number;
  /** Postings per term in compressed sparse rows: class and weighted count. */
  start: Int32Array;
  cls: Int32Array;
  count: Float32Array;
  /** Sum of the weighted counts of each class. */
  total: Float64Array;
}

export interface TrainingDoc {
  vector: SparseVector;
  label: number;
  weight: number;
}

export function trainNaiveBayes(docs: TrainingDoc[], nClasses: number, vocabSize: number, idf: Float32Array): NaiveBayes {
  const perTerm: Map<number, number>[] = Array.from({ length: vocabSize }, () => new Map());
  const total = new Float64Array(nClasses);
  for (const { vector, label, weight } of docs) {
    if (label < 0) continue;
    let norm = 0;
    const w = new Float64Array(vector.ids.length);
    for (let i = 0; i < vector.ids.length; i++) {
      w[i] = Math.log(1 + vector.values[i]) * idf[vector.ids[i]];
      norm += w[i] * w[i];
    }
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < vector.ids.length; i++) {
      const m = perTerm[vector.ids[i]];
      const c = (weight * w[i]) / norm;
      m.set(label, (m.get(label) ?? 0) + c);
      total[label] += c;
    }
  }
  const start = new Int32Array(vocabSize + 1);
  for (let t = 0; t < vocabSize; t++) start[t + 1] = start[t] + perTerm[t].size;
  const cls = new Int32Array(start[vocabSize]);
  const count = new Float32Array(start[vocabSize]);
  perTerm.forEach((m, t) => {
    let p = start[t];
    for (const [c, n] of m) {
      cls[p] = c;
      count[p++] = n;
    }
  });
  return { nClasses, vocabSize, start, cls, count, total };
}

/** What scoring with one smoothing value needs, computed once per model and alpha. */
export interface Smoothed {
  /** log(alpha / (total[c] + alpha V)): the log-likelihood of a term the class never saw. */
  unseen: Float64Array;
  /** Per posting: log((count + alpha) / alpha), what a seen term adds over an unseen one. */
  gain: Float32Array;
}

export function smooth(nb: NaiveBayes, alpha: number): Smoothed {
  const unseen = new Float64Array(nb.nClasses);
  for (let c = 0; c < nb.nClasses; c++) unseen[c] = Math.log(alpha) - Math.log(nb.total[c] + alpha * nb.vocabSize);
  const gain = new Float32Array(nb.count.length);
  for (let p = 0; p < gain.length; p++) gain[p] = Math.log1p(nb.count[p] / alpha);
  return { unseen, gain };
}

/**
 * Log-likelihood of the query under every class (uniform prior, distinct query terms), shifted so the
 * best class scores 0, written into `out` (length nClasses). The shift is the same for every class, so
 * it changes no ranking and no softmax over classes; it spares normalising over all of them.
 */
export function logLikelihood(nb: NaiveBayes, q: SparseVector, s: Smoothed, out: Float64Array): void {
  const qTotal = q.ids.length;
  for (let c = 0; c < nb.nClasses; c++) out[c] = qTotal * s.unseen[c];
  for (let i = 0; i < q.ids.length; i++) {
    const t = q.ids[i];
    for (let p = nb.start[t], end = nb.start[t + 1]; p < end; p++) out[nb.cls[p]] += s.gain[p];
  }
  let max = -Infinity;
  for (let c = 0; c < nb.nClasses; c++) if (out[c] > max) max = out[c];
  for (let c = 0; c < nb.nClasses; c++) out[c] -= max;
}
