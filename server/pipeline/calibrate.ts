// Step 5: calibration. Maps the fusion's probability to the share of answers that were right on
// held-out visible data (isotonic regression, pool-adjacent-violators), so that a code given 80% is
// right about 80% of the time. Also measures calibration (ECE) and picks the review threshold.

/** Piecewise-linear monotone map: x ascending, y non-decreasing. */
export interface Calibration {
  x: number[];
  y: number[];
}

export interface Scored {
  p: number;
  correct: boolean;
}

export function fitIsotonic(data: Scored[]): Calibration {
  const sorted = data.slice().sort((a, b) => a.p - b.p);
  // Blocks of (sum of labels, count, mean p).
  const blocks: { sum: number; n: number; psum: number }[] = [];
  for (const d of sorted) {
    blocks.push({ sum: d.correct ? 1 : 0, n: 1, psum: d.p });
    while (blocks.length > 1) {
      const b = blocks[blocks.length - 1];
      const a = blocks[blocks.length - 2];
      if (a.sum / a.n <= b.sum / b.n) break;
      blocks.splice(blocks.length - 2, 2, { sum: a.sum + b.sum, n: a.n + b.n, psum: a.psum + b.psum });
    }
  }
  const x = blocks.map((b) => b.psum / b.n);
  const y = blocks.map((b) => b.sum / b.n);
  return { x: [0, ...x, 1], y: [0, ...y, y[y.length - 1] ?? 0] };
}

/**
 * Platt scaling on the log-odds: confidence = sigmoid(a * logit(p) + b), fitted by maximum likelihood (Newton's
 * method), returned as a piecewise-linear map sampled densely so the config stays a readable table. Unlike
 * isotonic steps it is strictly increasing when a > 0: candidates whose scores differ get different
 * confidences.
 */
export function fitPlatt(data: Scored[], points = 64): Calibration {
  const eps = 1e-6;
  const logit = (p: number) => Math.log(Math.max(eps, Math.min(1 - eps, p)) / (1 - Math.max(eps, Math.min(1 - eps, p))));
  const xs = data.map((d) => logit(d.p));
  // Targets smoothed as in Platt (1999), so a small sample does not produce certainties.
  const pos = data.filter((d) => d.correct).length;
  const neg = data.length - pos;
  const hi = (pos + 1) / (pos + 2);
  const lo = 1 / (neg + 2);
  const ts = data.map((d) => (d.correct ? hi : lo));
  let a = 1;
  let b = 0;
  for (let it = 0; it < 50; it++) {
    let ga = 0, gb = 0, haa = 1e-9, hab = 0, hbb = 1e-9;
    for (let i = 0; i < xs.length; i++) {
      const q = 1 / (1 + Math.exp(-(a * xs[i] + b)));
      const r = q - ts[i];
      const w = q * (1 - q);
      ga += r * xs[i];
      gb += r;
      haa += w * xs[i] * xs[i];
      hab += w * xs[i];
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (Math.abs(det) < 1e-12) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) + Math.abs(db) < 1e-9) break;
  }
  if (!(a > 0)) a = 1e-3;
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i <= points; i++) {
    // Denser near 0 and 1, where most fused probabilities lie.
    const u = i / points;
    const p = i === 0 ? 0 : i === points ? 1 : 1 / (1 + Math.exp(-(-9 + 18 * u)));
    x.push(p);
    y.push(1 / (1 + Math.exp(-(a * logit(p) + b))));
  }
  return { x, y };
}

export function applyCalibration(cal: Calibration, p: number): number {
  const { x, y } = cal;
  if (p <= x[0]) return y[0];
  for (let i = 1; i < x.length; i++) {
    if (p <= x[i]) {
      const span = x[i] - x[i - 1];
      const t = span > 0 ? (p - x[i - 1]) / span : 1;
      return y[i - 1] + t * (y[i] - y[i - 1]);
    }
  }
  return y[y.length - 1];
}

export interface ReliabilityBin {
  lo: number;
  hi: number;
  n: number;
  meanConfidence: number;
  accuracy: number;
}

export function reliability(data: Scored[], bins = 10): ReliabilityBin[] {
  const out: ReliabilityBin[] = Array.from({ length: bins }, (_, i) => ({
    lo: i / bins,
    hi: (i + 1) / bins,
    n: 0,
    meanConfidence: 0,
    accuracy: 0,
  }));
  for (const d of data) {
    const b = out[Math.min(bins - 1, Math.floor(d.p * bins))];
    b.n++;
    b.meanConfidence += d.p;
    b.accuracy += d.correct ? 1 : 0;
  }
  for (const b of out) {
    if (b.n) {
      b.meanConfidence /= b.n;
      b.accuracy /= b.n;
    }
  }
  return out;
}

/** Expected calibration error over equal-width bins. */
export function expectedCalibrationError(data: Scored[], bins = 10): number {
  if (!data.length) return 0;
  return reliability(data, bins).reduce((e, b) => e + (b.n / data.length) * Math.abs(b.meanConfidence - b.accuracy), 0);
}

/**
 * The lowest confidence threshold at which the rows kept as `ok` (confidence >= threshold) are right
 * at least `target` of the time; 1 when no threshold reaches it. With `z` > 0 the precision must reach the
 * target less `z` standard errors (the Wilson score lower bound): a threshold chosen where a sample's precision
 * just touches the target falls short on new rows (measured on the cross-validated rows: 95% chosen on a
 * calibration split, 93-94% on the rest; with z = 0.5, 96%).
 */
export function reviewThreshold(top1: Scored[], target: number, z = 0): number {
  const sorted = top1.slice().sort((a, b) => b.p - a.p);
  let right = 0;
  let best = 1;
  sorted.forEach((d, i) => {
    right += d.correct ? 1 : 0;
    const next = sorted[i + 1];
    if (wilsonLower(right, i + 1, z) >= target && (!next || next.p < d.p)) best = d.p;
  });
  return best;
}

/** Wilson score lower bound of a proportion, `z` standard errors down (z = 0: the proportion itself). */
export function wilsonLower(right: number, n: number, z: number): number {
  const p = right / n;
  if (z === 0) return p;
  const z2 = z * z;
  return (p + z2 / (2 * n) - z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
}
