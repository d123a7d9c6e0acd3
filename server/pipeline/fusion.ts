// Step 3c: weighted fusion of the signals. A linear score over every signal but the fuzzy one picks
// the best few of the short list; fuse.js re-ranks those; a softmax turns the fused scores into
// probabilities (calibrated afterwards). The weights come from the genetic algorithm (npm run tune).
import { N_FEATURES, FUZZY, topK, type Candidates } from './score';

export interface FusionParams {
  /** One weight per feature, in FEATURES order. */
  weights: number[];
  /** How many of the short list fuse.js re-ranks. */
  rerank: number;
  /** Softmax temperature. */
  temperature: number;
}

export interface Ranked {
  /** Indices into the candidates' rows, best first. */
  rows: number[];
  /** Softmax probabilities over the re-ranked rows, same order. */
  probs: number[];
}

/** `fuzzy(rows)` returns the fuzzy similarity of each of the given candidate rows. */
export type FuzzyFn = (rows: number[]) => ArrayLike<number>;

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
  const rows = topK(pre, Math.min(params.rerank, n));
  const fz = w[FUZZY] !== 0 && rows.length > 1 ? fuzzy(rows) : null;
  const scores = rows.map((r, i) => pre[r] + (fz ? w[FUZZY] * fz[i] : 0));
  for (let i = 0; i < rows.length; i++) if (fz) c.features[rows[i] * N_FEATURES + FUZZY] = fz[i];
  const order = rows.map((_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const max = scores[order[0]] ?? 0;
  const exps = order.map((i) => Math.exp((scores[i] - max) / params.temperature));
  const z = exps.reduce((a, b) => a + b, 0);
  return { rows: order.map((i) => rows[i]), probs: exps.map((e) => e / z) };
}
