// npm run eval: accuracy of the whole pipeline (normalise -> ... -> calibrated confidences and status)
// on the visible labelled examples, never scoring a model on what it learnt from:
// - ATLAS validation rows: one model trained on everything except them;
// - UK parcel descriptions and CROSS rulings: 5-fold cross-validation (seeded), grouped so that rows
//   sharing a text fall in the same fold; the ATLAS rows stay in training.
// Every case is classified with the rules (GRIs, Notes) and without them, so their effect is visible; the
// CROSS and ATLAS cases with a 10-digit US code once more for country US (national.ts).
// Prints a summary and writes reports/eval.json, reports/eval.html and reports/predictions.jsonl (every cross-validated row).
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { loadDataset } from '../data';
import { loadConfig } from '../config';
import { trainModel } from '../pipeline/train';
import { createEngine, classify, type Engine } from '../classifier';
import { loadRules, type RuleSet } from '../rules/load';
import { buildCases, assignFolds, trainingExamples, type Case } from './cases';
import { metrics, type EvalReport, type Prediction } from './metrics';
import { renderReport } from './report';
import { tallyNational, nationalLines, type NationalTally } from './national';
import { modelKey } from '../cache';
import type { Dataset, ExampleSource } from '../types';
import type { ClassifierConfig } from '../config';

const log = (s: string) => process.stderr.write(`${s}\n`);
/** Scored by cross-validation (ATLAS is scored by a model trained without it). */
const CV_SOURCES: ExampleSource[] = ['uk-parcel', 'cross', 'marketplace', 'eu-bti', 'uk-atar'];
const REPORTED: ExampleSource[] = ['atlas', 'cross', 'uk-parcel', 'marketplace', 'eu-bti', 'uk-atar'];
/** Kinds of text held out whole: ruling subject lines, parcel lines, marketplace titles. */
const HELD_OUT_SOURCES: ExampleSource[] = ['cross', 'uk-parcel', 'marketplace'];

/** Trains one model without the held-out cases and classifies them with the rules and without. */
async function predict(ds: Dataset, config: ClassifierConfig, rules: RuleSet, held: Case[], label: string, alsoWithout = true, national?: { current: Set<string>; tally: Record<string, NationalTally> }): Promise<{ withRules: Prediction[]; without: Prediction[] }> {
  const t0 = performance.now();
  const model = trainModel(ds, trainingExamples(ds, held), config.training);
  const run = async (engine: Engine) => {
    const preds: Prediction[] = [];
    for (const c of held) {
      const r = await classify(engine, c.text);
      preds.push({
        caseId: c.id,
        source: c.source,
        text: c.text,
        truth: c.hs6,
        predicted: r.candidates.map((x) => x.hs6),
        confidences: r.candidates.map((x) => x.confidence),
        status: r.status,
      });
    }
    return preds;
  };
  const engine = createEngine(ds, model, config, rules);
  const out = { withRules: await run(engine), without: alsoWithout ? await run(createEngine(ds, model, config, null)) : [] };
  if (national) await tallyNational(ds, engine, held.filter((c) => c.source === 'cross' || c.source === 'atlas'), national.current, national.tally);
  log(`${label}: ${held.length} cases in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return out;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`.padStart(6);

async function main() {
  const o = new Command()
    .option('--seed <n>', 'random seed for the folds', '42')
    .option('--folds <n>', 'cross-validation folds', '5')
    .option('--out <dir>', 'report directory', 'reports')
    .parse()
    .opts();
  const seed = Number(o.seed);
  const k = Number(o.folds);
  const t0 = performance.now();
  const ds = loadDataset();
  const config = loadConfig();

  const atlas = buildCases(ds, ['atlas']);
  const cv = buildCases(ds, CV_SOURCES);
  const folds = assignFolds(cv, k, seed);
  const rules = loadRules();
  const preds: Prediction[] = [];
  const without: Prediction[] = [];
  const national = { current: new Set(ds.us.map((l) => l.code)), tally: {} as Record<string, NationalTally> };
  for (const [held, label] of [[atlas, 'atlas (held out)'], ...Array.from({ length: k }, (_, f) => [cv.filter((_, i) => folds[i] === f), `fold ${f + 1}/${k}`])] as [Case[], string][]) {
    const r = await predict(ds, config, rules, held, label, true, national);
    preds.push(...r.withRules);
    without.push(...r.without);
  }

  // Whole kinds of text held out: a model that learnt nothing from the source (ATLAS above already is).
  const heldOut: Prediction[] = [];
  for (const source of HELD_OUT_SOURCES) {
    const r = await predict(ds, config, rules, buildCases(ds, [source]), `${source} (whole source held out)`, false);
    heldOut.push(...r.withRules);
  }

  const bySource = (ps: Prediction[]) => [...REPORTED.map((s) => metrics(s, ps.filter((p) => p.source === s))), metrics('all', ps)];
  const sources = bySource(preds);
  const withoutRules = bySource(without);
  const named = new Set<string>();
  for (const s of sources) {
    for (const c of s.confusions) named.add(c.truth).add(c.predicted);
    for (const c of [...(s.levelConfusions?.['2'] ?? []), ...(s.levelConfusions?.['4'] ?? [])]) named.add(c.truth).add(c.predicted);
  }
  const report: EvalReport = {
    generatedAt: new Date().toISOString(),
    command: 'npm run eval',
    seed,
    folds: k,
    versions: { model: modelKey(ds, config), rules: rules.version },
    protocol: {
      atlas: 'ATLAS validation rows, scored by a model trained on everything except them (primary HS 6 only counts).',
      cross: `CBP CROSS rulings (subject line as the query), ${k}-fold cross-validation grouped by text; any code of the ruling counts.`,
      'uk-parcel': `UK parcel descriptions, ${k}-fold cross-validation grouped by text.`,
      marketplace: `Marketplace listings (title; category path; describing attributes), ${k}-fold cross-validation.`,
      'eu-bti': `EU BTI ruling descriptions, ${k}-fold cross-validation.`,
      'uk-atar': `UK Advance Tariff Ruling descriptions, ${k}-fold cross-validation.`,
      all: 'All of the above together.',
      heldOut: `Whole sources held out (${HELD_OUT_SOURCES.join(', ')}): each scored by a model trained without any row of it.`,
    },
    sources,
    withoutRules,
    national: national.tally,
    heldOutSources: HELD_OUT_SOURCES.map((s) => metrics(s, heldOut.filter((p) => p.source === s))),
    descriptions: Object.fromEntries([...named].map((c) => [c, ds.hs.nodes.get(c)?.description ?? ''])),
    seconds: Math.round((performance.now() - t0) / 100) / 10,
  };
  fs.mkdirSync(o.out, { recursive: true });
  fs.writeFileSync(path.join(o.out, 'eval.json'), `${JSON.stringify(report, null, 2)}\n`);
  // every cross-validated prediction (rules applied), one per line, for error analysis and threshold studies
  fs.writeFileSync(path.join(o.out, 'predictions.jsonl'), preds.map((p) => JSON.stringify(p)).join('\n') + '\n');
  fs.writeFileSync(path.join(o.out, 'eval.html'), renderReport(report));

  console.log('source      n     top1@2 top3@2 top1@4 top3@4 top1@6 top3@6   ECE  review (acc)    ok (acc)');
  for (const s of sources) {
    const d = s.digits;
    console.log(
      `${s.source.padEnd(10)}${String(s.n).padStart(5)} ${pct(d['2'].top1)} ${pct(d['2'].top3)} ${pct(d['4'].top1)} ${pct(d['4'].top3)} ${pct(d['6'].top1)} ${pct(d['6'].top3)} ${s.ece.toFixed(3)} ${pct(s.review.share)} (${pct(s.review.accuracy).trim()}) ${pct(s.review.okShare)} (${pct(s.review.okAccuracy).trim()})`,
    );
  }
  console.log('whole source held out:');
  for (const s of report.heldOutSources ?? []) {
    const d = s.digits;
    console.log(`${s.source.padEnd(10)}${String(s.n).padStart(5)} ${pct(d['2'].top1)} ${pct(d['2'].top3)} ${pct(d['4'].top1)} ${pct(d['4'].top3)} ${pct(d['6'].top1)} ${pct(d['6'].top3)} ${s.ece.toFixed(3)} ${pct(s.review.share)} (${pct(s.review.accuracy).trim()}) ${pct(s.review.okShare)} (${pct(s.review.okAccuracy).trim()})`);
  }
  console.log('without the rules (statistics alone):');
  for (const s of withoutRules) console.log(`${s.source.padEnd(10)}${String(s.n).padStart(5)} top1@6 ${pct(s.digits['6'].top1)} top3@6 ${pct(s.digits['6'].top3)}`);
  console.log('US 10-digit lines (rows whose HS 6 is right):');
  for (const line of nationalLines(national.tally)) console.log(line);
  console.log(`report: ${path.join(o.out, 'eval.html')} (${report.seconds} s)`);
}

if (require.main === module) void main();
