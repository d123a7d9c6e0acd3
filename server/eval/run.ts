// npm run eval: accuracy of the whole pipeline (normalise -> ... -> calibrated confidences and status)
// on the visible labelled examples, never scoring a model on what it learnt from:
// - ATLAS validation rows: one model trained on everything except them;
// - UK parcel descriptions and CROSS rulings: 5-fold cross-validation (seeded), grouped so that rows
//   sharing a text fall in the same fold; the ATLAS rows stay in training.
// Prints a summary and writes reports/eval.json and reports/eval.html.
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { loadDataset } from '../data';
import { loadConfig } from '../config';
import { trainModel } from '../pipeline/train';
import { createEngine, classify } from '../classifier';
import { buildCases, assignFolds, trainingExamples, type Case } from './cases';
import { metrics, type EvalReport, type Prediction } from './metrics';
import { renderReport } from './report';
import { modelKey } from '../cache';
import type { Dataset } from '../types';
import type { ClassifierConfig } from '../config';

const log = (s: string) => process.stderr.write(`${s}\n`);

function predict(ds: Dataset, config: ClassifierConfig, held: Case[], label: string): Prediction[] {
  const t0 = performance.now();
  const model = trainModel(ds, trainingExamples(ds, held), config.training);
  const engine = createEngine(ds, model, config);
  const preds = held.map((c) => {
    const r = classify(engine, c.text);
    return {
      caseId: c.id,
      source: c.source,
      text: c.text,
      truth: c.hs6,
      predicted: r.candidates.map((x) => x.hs6),
      confidences: r.candidates.map((x) => x.confidence),
      status: r.status,
    };
  });
  log(`${label}: ${held.length} cases in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return preds;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`.padStart(6);

function main() {
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
  const cv = buildCases(ds, ['uk-parcel', 'cross']);
  const folds = assignFolds(cv, k, seed);
  const preds: Prediction[] = predict(ds, config, atlas, 'atlas (held out)');
  for (let f = 0; f < k; f++) preds.push(...predict(ds, config, cv.filter((_, i) => folds[i] === f), `fold ${f + 1}/${k}`));

  const sources = ['atlas', 'cross', 'uk-parcel'].map((s) => metrics(s, preds.filter((p) => p.source === s)));
  sources.push(metrics('all', preds));
  const named = new Set<string>();
  for (const s of sources) for (const c of s.confusions) named.add(c.truth).add(c.predicted);
  const report: EvalReport = {
    generatedAt: new Date().toISOString(),
    command: 'npm run eval',
    seed,
    folds: k,
    versions: { model: modelKey(ds, config) },
    protocol: {
      atlas: 'ATLAS validation rows, scored by a model trained on everything except them (primary HS 6 only counts).',
      cross: `CBP CROSS rulings (subject line as the query), ${k}-fold cross-validation grouped by text; any code of the ruling counts.`,
      'uk-parcel': `UK parcel descriptions, ${k}-fold cross-validation grouped by text.`,
      all: 'All of the above together.',
    },
    sources,
    descriptions: Object.fromEntries([...named].map((c) => [c, ds.hs.nodes.get(c)?.description ?? ''])),
    seconds: Math.round((performance.now() - t0) / 100) / 10,
  };
  fs.mkdirSync(o.out, { recursive: true });
  fs.writeFileSync(path.join(o.out, 'eval.json'), `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(path.join(o.out, 'eval.html'), renderReport(report));

  console.log('source      n     top1@2 top3@2 top1@4 top3@4 top1@6 top3@6   ECE  review (acc)   ok acc');
  for (const s of sources) {
    const d = s.digits;
    console.log(
      `${s.source.padEnd(10)}${String(s.n).padStart(5)} ${pct(d['2'].top1)} ${pct(d['2'].top3)} ${pct(d['4'].top1)} ${pct(d['4'].top3)} ${pct(d['6'].top1)} ${pct(d['6'].top3)} ${s.ece.toFixed(3)} ${pct(s.review.share)} (${pct(s.review.accuracy).trim()}) ${pct(s.review.okAccuracy)}`,
    );
  }
  console.log(`report: ${path.join(o.out, 'eval.html')} (${report.seconds} s)`);
}

if (require.main === module) main();
