// Step 3c: weighted fusion of the signals. A linear score over every signal but the fuzzy one orders
// the short list; fuse.js re-ranks the best few; a softmax over the best few turns the fused scores
// into probabilities (calibrated afterwards). The weights come from the genetic algorithm (npm run tune).
import { N_FEATURES, FUZZY, topK, type Candidates } from './score';

export interface FusionParams {
  /** One weight per feature, in FEATURES order. */
  weights: number[];
  /** How many of the short list fuse.js re-ranks (and the softmax covers). */
  rerank: number;
  /** Softmax temperature. */
  temperature: number;
}

export interface Ranked {
  /** Every short-listed row (index into the candidates), best first: the re-ranked few, then the rest. */
  rows: number[];
  /** Fused score of each row, same order (the rows past the re-ranked few have no fuzzy part). */
  scores: number[];
  /** Softmax probabilities of the first `rerank` rows. */
  probs: number[];
}

/** `fuzzy(rows)` returns the fuzzy similarity of each of the given candidate rows. */
export type FuzzyFn = (rows: number[]) => ArrayLike<number>;

/** Softmax over the first `n` scores (scores sorted best first). */
export function softmaxTop(scores: number[], n: number, temperature: number): number[] {
  const top = scores.slice(0, n);
  const max = top[0] ?? 0;
  const exps = top.map((s) => Math.exp((s - max) / temperature));
  const z = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / z);
}

export function rank(c: Candidates, params: FusionParams, fuzzy: FuzzyFn): Ranked {
  const n = c.classes.length;
  const w = params.weights;
  const pre = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    const row = i * N_FEATURES;
    for (let f = 0; f < N_FEATURES; f++) if (f !== FUZZY) s += w[f] * c.features[row + f];
    pre[i] = s;
  }
  const order = topK(pre, n);
  const head = order.slice(0, Math.min(params.rerank, n));
  const fz = w[FUZZY] !== 0 && head.length > 1 ? fuzzy(head) : null;
  const headScores = head.map((r, i) => pre[r] + (fz ? w[FUZZY] * fz[i] : 0));
  if (fz) head.forEach((r, i) => (c.features[r * N_FEATURES + FUZZY] = fz[i]));
  const headOrder = head.map((_, i) => i).sort((a, b) => headScores[b] - headScores[a]);
  const rows = [...headOrder.map((i) => head[i]), ...order.slice(head.length)];
  const scores = [...headOrder.map((i) => headScores[i]), ...order.slice(head.length).map((r) => pre[r])];
  return { rows, scores, probs: softmaxTop(scores, head.length, params.temperature) };
}
