// Step 2: candidate retrieval from a sparse TF-IDF inverted index over the nomenclature texts and the
// labelled examples. Documents are L2-normalised, so a document's score is its cosine with the query.
import type { SparseVector } from './features';

/** Inverted index in compressed sparse rows: the postings of term t are [start[t], start[t+1]). */
export interface TfIdfIndex {
  nDocs: number;
  idf: Float32Array;
  start: Int32Array;
  doc: Int32Array;
  weight: Float32Array;
}

/** Document frequencies and smoothed idf (0 for terms no document has). */
export function computeIdf(docVectors: SparseVector[], vocabSize: number): { df: Float64Array; idf: Float32Array } {
  const df = new Float64Array(vocabSize);
  for (const v of docVectors) for (const id of v.ids) df[id]++;
  const idf = new Float32Array(vocabSize);
  for (let t = 0; t < vocabSize; t++) idf[t] = df[t] > 0 ? Math.log((1 + docVectors.length) / (1 + df[t])) + 1 : 0;
  return { df, idf };
}

export function buildIndex(docVectors: SparseVector[], vocabSize: number): TfIdfIndex {
  const { df, idf } = computeIdf(docVectors, vocabSize);
  const nDocs = docVectors.length;

  const start = new Int32Array(vocabSize + 1);
  for (let t = 0; t < vocabSize; t++) start[t + 1] = start[t] + df[t];
  const fill = start.slice(0, vocabSize);
  const doc = new Int32Array(start[vocabSize]);
  const weight = new Float32Array(start[vocabSize]);
  docVectors.forEach((v, d) => {
    let norm = 0;
    const w = new Float64Array(v.ids.length);
    for (let i = 0; i < v.ids.length; i++) {
      w[i] = (1 + Math.log(v.values[i])) * idf[v.ids[i]];
      norm += w[i] * w[i];
    }
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < v.ids.length; i++) {
      const p = fill[v.ids[i]]++;
      doc[p] = d;
      weight[p] = w[i] / norm;
    }
  });
  return { nDocs, idf, start, doc, weight };
}

/** The documents that share a term with the query, with their cosine similarity. */
export interface DocHits {
  docs: Int32Array;
  scores: Float32Array;
}

/**
 * Scores every document sharing a term with the query. `scratch` must be a zeroed Float32Array of
 * length nDocs owned by the caller; it is returned zeroed.
 */
export function search(index: TfIdfIndex, q: SparseVector, scratch: Float32Array): DocHits {
  const qw = new Float64Array(q.ids.length);
  let norm = 0;
  for (let i = 0; i < q.ids.length; i++) {
    qw[i] = (1 + Math.log(q.values[i])) * index.idf[q.ids[i]];
    norm += qw[i] * qw[i];
  }
  norm = Math.sqrt(norm) || 1;
  const touched: number[] = [];
  for (let i = 0; i < q.ids.length; i++) {
    const t = q.ids[i];
    const w = qw[i] / norm;
    for (let p = index.start[t], end = index.start[t + 1]; p < end; p++) {
      const d = index.doc[p];
      if (scratch[d] === 0) touched.push(d);
      scratch[d] += w * index.weight[p];
    }
  }
  const docs = new Int32Array(touched.length);
  const scores = new Float32Array(docs.length);
  for (let i = 0; i < docs.length; i++) {
    const d = (docs[i] = touched[i]);
    scores[i] = scratch[d];
    scratch[d] = 0;
  }
  return { docs, scores };
}
