// One node of the hierarchy: a multinomial logistic regression choosing among the node's children (the
// chapters under the root, the headings of a chapter, the subheadings of a heading), trained by seeded SGD
// on the documents under the node. Weights are kept only for the features those documents have.
import { findSorted, type HashedVector } from './features';

/** Gradient steps smaller than this are skipped. */
const SKIP = 1e-4;

export interface NodeModel {
  /** Child codes (chapters, headings or subheadings), sorted. */
  children: string[];
  /** Hashed feature ids the node knows, sorted. */
  feats: Int32Array;
  /** feats.length x children.length, row-major (a feature's weights for every child are adjacent). */
  w: Float32Array;
  bias: Float32Array;
}

export interface NodeDoc {
  x: HashedVector;
  /** Index into the node's children. */
  label: number;
  weight: number;
}

export interface SgdOptions {
  epochs: number;
  /** Initial learning rate; epoch e uses lr / (1 + e). */
  lr: number;
  /** L2 decay applied once per epoch (fraction of each weight kept: 1 - lr_e * l2). */
  l2: number;
  /** Features seen in fewer documents than this are dropped (memory). */
  minDocs: number;
}

export function trainNode(children: string[], docs: NodeDoc[], opts: SgdOptions, rand: () => number): NodeModel {
  const K = children.length;
  const df = new Map<number, number>();
  for (const d of docs) for (const id of d.x.ids) df.set(id, (df.get(id) ?? 0) + 1);
  const feats = Int32Array.from([...df].filter(([, n]) => n >= opts.minDocs).map(([id]) => id).sort((a, b) => a - b));
  // Each document's features as local indices (features dropped by minDocs are left out).
  const local = docs.map((d) => {
    const li: number[] = [];
    const lv: number[] = [];
    for (let i = 0; i < d.x.ids.length; i++) {
      const j = findSorted(feats, d.x.ids[i]);
      if (j >= 0) {
        li.push(j * K);
        lv.push(d.x.values[i]);
      }
    }
    return { li: Int32Array.from(li), lv: Float32Array.from(lv) };
  });
  const w = new Float32Array(feats.length * K);
  const bias = new Float32Array(K);
  const z = new Float64Array(K);
  const active = new Int32Array(K);
  const order = docs.map((_, i) => i);
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    const lr = opts.lr / (1 + epoch);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const di of order) {
      const { li, lv } = local[di];
      const doc = docs[di];
      for (let k = 0; k < K; k++) z[k] = bias[k];
      for (let i = 0; i < li.length; i++) {
        const base = li[i];
        const v = lv[i];
        for (let k = 0; k < K; k++) z[k] += v * w[base + k];
      }
      let max = -Infinity;
      for (let k = 0; k < K; k++) if (z[k] > max) max = z[k];
      let sum = 0;
      for (let k = 0; k < K; k++) sum += z[k] = Math.exp(z[k] - max);
      // z becomes the gradient of the loss with respect to the scores: p - y.
      for (let k = 0; k < K; k++) z[k] = (z[k] / sum) * lr * doc.weight;
      z[doc.label] -= lr * doc.weight;
      // Only the children whose gradient is not negligible are updated (most of the chapters, for most documents).
      let n = 0;
      for (let k = 0; k < K; k++) {
        bias[k] -= z[k];
        if (z[k] > SKIP || z[k] < -SKIP) active[n++] = k;
      }
      for (let i = 0; i < li.length; i++) {
        const base = li[i];
        const v = lv[i];
        for (let a = 0; a < n; a++) {
          const k = active[a];
          w[base + k] -= v * z[k];
        }
      }
    }
    if (opts.l2 > 0) {
      const keep = 1 - lr * opts.l2;
      for (let i = 0; i < w.length; i++) w[i] *= keep;
    }
  }
  return { children, feats, w, bias };
}

/** Log-probabilities of the node's children for a query, written into `out` (length >= children). */
export function nodeLogProbs(m: NodeModel, q: HashedVector, out: Float64Array): void {
  const K = m.children.length;
  const { feats, w, bias } = m;
  for (let k = 0; k < K; k++) out[k] = bias[k];
  for (let i = 0; i < q.ids.length; i++) {
    const j = findSorted(feats, q.ids[i]);
    if (j < 0) continue;
    const base = j * K;
    const v = q.values[i];
    for (let k = 0; k < K; k++) out[k] += v * w[base + k];
  }
  let max = -Infinity;
  for (let k = 0; k < K; k++) if (out[k] > max) max = out[k];
  let sum = 0;
  for (let k = 0; k < K; k++) sum += Math.exp(out[k] - max);
  const lz = max + Math.log(sum);
  for (let k = 0; k < K; k++) out[k] -= lz;
}
