// Accuracy, calibration and review metrics over evaluated predictions.
import { expectedCalibrationError, reliability, type ReliabilityBin } from '../pipeline/calibrate';
import type { ExampleSource, RowStatus } from '../types';

export interface Prediction {
  caseId: string;
  source: ExampleSource;
  text: string;
  truth: string[];
  /** Predicted HS 6 codes, best first (empty for an error row). */
  predicted: string[];
  confidences: number[];
  status: RowStatus;
}

export interface AccuracyAt {
  top1: number;
  top3: number;
}

export interface SourceMetrics {
  source: string;
  n: number;
  /** Accuracy at 2, 4 and 6 digits. */
  digits: Record<'2' | '4' | '6', AccuracyAt>;
  ece: number;
  reliability: ReliabilityBin[];
  errors: number;
  /** share: rows marked review; okShare: rows marked ok (error rows are neither); accuracies at 6 digits. */
  review: { share: number; accuracy: number; okShare: number; okAccuracy: number };
  perChapter: { chapter: string; n: number; top1: number }[];
  confusions: { truth: string; predicted: string; n: number }[];
  /** The commonest wrong chapters and headings (truth's prefix -> predicted prefix), with up to three example rows each. */
  levelConfusions?: Record<'2' | '4', { truth: string; predicted: string; n: number; examples: string[] }[]>;
}

function levelConfusions(preds: Prediction[], d: number): NonNullable<SourceMetrics['levelConfusions']>['2'] {
  const m = new Map<string, { n: number; examples: string[] }>();
  for (const p of preds) {
    if (!p.predicted.length || hit(p, 1, d)) continue;
    const key = `${p.truth[0].slice(0, d)}>${p.predicted[0].slice(0, d)}`;
    const c = m.get(key) ?? { n: 0, examples: [] };
    c.n++;
    if (c.examples.length < 3) c.examples.push(p.text.length > 140 ? `${p.text.slice(0, 137)}...` : p.text);
    m.set(key, c);
  }
  return [...m.entries()]
    .map(([k, v]) => {
      const [truth, predicted] = k.split('>');
      return { truth, predicted, ...v };
    })
    .sort((a, b) => b.n - a.n || a.truth.localeCompare(b.truth))
    .slice(0, 10);
}

const hit = (p: Prediction, k: number, d: number) =>
  p.predicted.slice(0, k).some((c) => p.truth.some((t) => t.slice(0, d) === c.slice(0, d)));

export function metrics(source: string, preds: Prediction[]): SourceMetrics {
  const n = preds.length || 1;
  const acc = (k: number, d: number) => preds.filter((p) => hit(p, k, d)).length / n;
  const digits = {
    '2': { top1: acc(1, 2), top3: acc(3, 2) },
    '4': { top1: acc(1, 4), top3: acc(3, 4) },
    '6': { top1: acc(1, 6), top3: acc(3, 6) },
  };
  const scored = preds.map((p) => ({ p: p.confidences[0] ?? 0, correct: hit(p, 1, 6) }));
  const review = preds.filter((p) => p.status === 'review');
  const ok = preds.filter((p) => p.status === 'ok');
  const share = (xs: Prediction[]) => (xs.length ? xs.filter((p) => hit(p, 1, 6)).length / xs.length : 0);

  const chapters = new Map<string, { n: number; right: number }>();
  for (const p of preds) {
    const ch = p.truth[0].slice(0, 2);
    const c = chapters.get(ch) ?? { n: 0, right: 0 };
    c.n++;
    if (hit(p, 1, 6)) c.right++;
    chapters.set(ch, c);
  }
  const confusions = new Map<string, number>();
  for (const p of preds) {
    if (!p.predicted.length || hit(p, 1, 6)) continue;
    const key = `${p.truth[0]}>${p.predicted[0]}`;
    confusions.set(key, (confusions.get(key) ?? 0) + 1);
  }
  return {
    source,
    n: preds.length,
    digits,
    ece: expectedCalibrationError(scored),
    reliability: reliability(scored),
    errors: preds.filter((p) => p.status === 'error').length,
    review: { share: review.length / n, accuracy: share(review), okShare: ok.length / n, okAccuracy: share(ok) },
    perChapter: [...chapters.entries()]
      .map(([chapter, c]) => ({ chapter, n: c.n, top1: c.right / c.n }))
      .sort((a, b) => a.chapter.localeCompare(b.chapter)),
    confusions: [...confusions.entries()]
      .map(([k, v]) => {
        const [truth, predicted] = k.split('>');
        return { truth, predicted, n: v };
      })
      .sort((a, b) => b.n - a.n || a.truth.localeCompare(b.truth))
      .slice(0, 20),
    levelConfusions: { '2': levelConfusions(preds, 2), '4': levelConfusions(preds, 4) },
  };
}

export interface EvalReport {
  generatedAt: string;
  command: string;
  seed: number;
  folds: number;
  versions: Record<string, string>;
  /** How each source was evaluated. */
  protocol: Record<string, string>;
  sources: SourceMetrics[];
  /** The same cases scored without the rules (statistics alone). */
  withoutRules?: SourceMetrics[];
  /** US 10-digit lines of the CROSS and ATLAS cases (eval/national.ts), by source. */
  national?: Record<string, import('./national').NationalTally>;
  /** Whole sources held out: each scored by a model that learnt nothing from that source. */
  heldOutSources?: SourceMetrics[];
  /** HS 6 -> official description, for the codes named in the report. */
  descriptions: Record<string, string>;
  seconds: number;
}
