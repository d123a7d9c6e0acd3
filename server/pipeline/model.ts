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

/**
 * Log-posterior of every class for the query (uniform prior), written into `out` (length nClasses).
 * alpha is the additive smoothing.
 */
export function logPosterior(nb: NaiveBayes, q: SparseVector, alpha: number, out: Float64Array): void {
  const V = nb.vocabSize;
  const logAlpha = Math.log(alpha);
  let qTotal = 0;
  for (let i = 0; i < q.values.length; i++) qTotal += q.values[i] > 0 ? 1 : 0;
  for (let c = 0; c < nb.nClasses; c++) out[c] = qTotal * (logAlpha - Math.log(nb.total[c] + alpha * V));
  for (let i = 0; i < q.ids.length; i++) {
    const t = q.ids[i];
    for (let p = nb.start[t], end = nb.start[t + 1]; p < end; p++) {
      out[nb.cls[p]] += Math.log(nb.count[p] + alpha) - logAlpha;
    }
  }
  let max = -Infinity;
  for (let c = 0; c < nb.nClasses; c++) if (out[c] > max) max = out[c];
  let sum = 0;
  for (let c = 0; c < nb.nClasses; c++) sum += Math.exp(out[c] - max);
  const logZ = max + Math.log(sum);
  for (let c = 0; c < nb.nClasses; c++) out[c] -= logZ;
}
