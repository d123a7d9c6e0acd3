// npx tsx server/eval/national.ts: 10-digit accuracy of the national lines (issue 9, item 7) on the CROSS
// and ATLAS examples whose code is a current 10-digit US HTS line, with the classifier run for country US.
// Same protocol as `npm run eval` (never scoring a model on what it learnt from): the ATLAS rows by one
// model trained without them, the CROSS rulings by k-fold cross-validation grouped by text.
// Only rows whose first candidate has the right HS 6 are scored at 10 digits (the national choice is made
// under that HS 6); for them it reports
//   - decided: the share where the stated attributes decided a line, and how often that line is right;
//   - likely:  for the others, how often the `likely` line is right;
//   - both:    10-digit top-1 counting the decided line, else the likely one.
import { Command } from 'commander';
import { loadDataset } from '../data';
import { loadConfig } from '../config';
import { trainModel } from '../pipeline/train';
import { createEngine, classify } from '../classifier';
import { loadRules } from '../rules/load';
import { buildCases, assignFolds, trainingExamples, type Case } from './cases';
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

const empty = (): NationalTally => ({ cases: 0, hs6Right: 0, decided: 0, decidedRight: 0, undecided: 0, likelyRight: 0, withoutLikely: 0 });

/** The 10-digit codes a case counts as right: its examples' codes that are current US lines. */
export function tenDigitTruth(ds: Dataset, c: Case, current: Set<string>): string[] {
  const ids = new Set(c.exampleIds);
  return [...new Set(ds.examples.filter((e) => ids.has(e.id) && e.code.length === 10 && current.has(e.code)).map((e) => e.code))];
}

async function main() {
  const o = new Command().option('--seed <n>', 'random seed for the folds', '42').option('--folds <n>', 'cross-validation folds', '5').parse().opts();
  const ds = loadDataset();
  const config = loadConfig();
  const rules = loadRules();
  const current = new Set(ds.us.map((l) => l.code));
  const keep = (cs: Case[]) => cs.filter((c) => tenDigitTruth(ds, c, current).length > 0);
  const atlas = keep(buildCases(ds, ['atlas']));
  const cross = buildCases(ds, ['cross']);
  const folds = assignFolds(cross, Number(o.folds), Number(o.seed));
  const runs: [Case[], Case[]][] = [[atlas, atlas]];
  for (let f = 0; f < Number(o.folds); f++) {
    const held = cross.filter((_, i) => folds[i] === f);
    runs.push([held, keep(held)]);
  }
  const tally: Record<string, NationalTally> = { atlas: empty(), cross: empty() };
  for (const [held, scored] of runs) {
    const engine = createEngine(ds, trainModel(ds, trainingExamples(ds, held), config.training), config, rules);
    for (const c of scored) {
      const t = tally[c.source];
      const truth = tenDigitTruth(ds, c, current);
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
    process.stderr.write('.');
  }
  process.stderr.write('\n');
  const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : '-');
  console.log('source   cases  HS6 right   decided (right)        likely right (of undecided)   10-digit top-1 (decided, else likely)');
  for (const [source, t] of Object.entries(tally)) {
    console.log(
      `${source.padEnd(7)} ${String(t.cases).padStart(6)} ${String(t.hs6Right).padStart(6)}   ${String(t.decided).padStart(5)} ${pct(t.decided, t.hs6Right).padStart(6)} (${pct(t.decidedRight, t.decided)})   ${String(t.likelyRight).padStart(5)}/${t.undecided} ${pct(t.likelyRight, t.undecided).padStart(6)}${t.withoutLikely ? ` (${t.withoutLikely} without likely)` : ''}   ${pct(t.decidedRight + t.likelyRight, t.hs6Right)}`,
    );
  }
}

if (require.main === module) void main();
