// 10-digit accuracy of the national lines (issue 9, item 7), part of `npm run eval`: the CROSS and ATLAS cases
// whose code is a current 10-digit US HTS line are classified once more for country US by the same model
// that scores them at 6 digits (never one that learnt from them). Only rows whose first candidate has the
// right HS 6 are scored at 10 digits (the national choice is made under that HS 6); for them it reports
//   - decided: the share where the stated attributes decided a line, and how often that line is right;
//   - likely:  for the others, how often the `likely` line is right;
//   - both:    10-digit top-1 counting the decided line, else the likely one.
import { classify, type Engine } from '../classifier';
import type { Case } from './cases';
import type { Dataset } from '../types';

export interface NationalTally {
  cases: number;
  hs6Right: number;
  decided: number;
  decidedRight: number;
  undecided: number;
  likelyRight: number;
  withoutLikely: number;
}

/** The 10-digit codes a case counts as right: its examples' codes that are current US lines. */
export function tenDigitTruth(ds: Dataset, c: Case, current: Set<string>): string[] {
  const ids = new Set(c.exampleIds);
  return [...new Set(ds.examples.filter((e) => ids.has(e.id) && e.code.length === 10 && current.has(e.code)).map((e) => e.code))];
}

export const emptyTally = (): NationalTally => ({ cases: 0, hs6Right: 0, decided: 0, decidedRight: 0, undecided: 0, likelyRight: 0, withoutLikely: 0 });

/** Classifies the cases that have a current 10-digit truth for country US and adds them to the tally. */
export async function tallyNational(ds: Dataset, engine: Engine, cases: Case[], current: Set<string>, tally: Record<string, NationalTally>): Promise<void> {
  for (const c of cases) {
    const truth = tenDigitTruth(ds, c, current);
    if (!truth.length) continue;
    const t = (tally[c.source] ??= emptyTally());
    t.cases++;
    const r = await classify(engine, c.text, 'US');
    const top = r.candidates[0];
    if (!top || !truth.some((code) => code.startsWith(top.hs6))) continue;
    t.hs6Right++;
    if (top.code.length === 10) {
      t.decided++;
      if (truth.includes(top.code)) t.decidedRight++;
    } else {
      t.undecided++;
      if (!top.likely) t.withoutLikely++;
      else if (truth.includes(top.likely.code)) t.likelyRight++;
    }
  }
}

/** One line per source, for the console. */
export function nationalLines(tally: Record<string, NationalTally>): string[] {
  const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : '-');
  return [
    'source   cases  HS6 right   decided (right)        likely right (of undecided)   10-digit top-1 (decided, else likely)',
    ...Object.entries(tally).map(
      ([source, t]) =>
        `${source.padEnd(7)} ${String(t.cases).padStart(6)} ${String(t.hs6Right).padStart(6)}   ${String(t.decided).padStart(5)} ${pct(t.decided, t.hs6Right).padStart(6)} (${pct(t.decidedRight, t.decided)})   ${String(t.likelyRight).padStart(5)}/${t.undecided} ${pct(t.likelyRight, t.undecided).padStart(6)}${t.withoutLikely ? ` (${t.withoutLikely} without likely)` : ''}   ${pct(t.decidedRight + t.likelyRight, t.hs6Right)}`,
    ),
  ];
}
