// npm run eval:company: what a company's own classified list adds (issue 9 item 8). One model is trained without any
// row of one visible source (UK parcel descriptions by default, held out whole as in `npm run eval`); the source's
// cases are split in two by a seeded, text-grouped split (assignFolds: no text on both sides); one half is given
// to the engine as company examples, the other half is classified without and with them. Prints top-1 / top-3 at
// 2, 4 and 6 digits for both, and the share of rows whose first candidate shows a company example.
import { Command } from 'commander';
import { loadDataset } from '../data';
import { loadConfig } from '../config';
import { trainModel } from '../pipeline/train';
import { createEngine, classify, type Engine, type ClassifyOptions } from '../classifier';
import { loadRules } from '../rules/load';
import { buildCases, assignFolds, trainingExamples, type Case } from './cases';
import { metrics, type Prediction } from './metrics';
import type { CompanyExamples } from '../pipeline/company';
import type { ExampleSource } from '../types';

const log = (s: string) => process.stderr.write(`${s}\n`);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

async function predict(engine: Engine, cases: Case[], options?: ClassifyOptions): Promise<{ preds: Prediction[]; shown: number }> {
  const preds: Prediction[] = [];
  let shown = 0;
  for (const c of cases) {
    const r = await classify(engine, c.text, undefined, options);
    if (r.candidates[0]?.examples.some((e) => e.source === 'company')) shown++;
    preds.push({ caseId: c.id, source: c.source, text: c.text, truth: c.hs6, predicted: r.candidates.map((x) => x.hs6), confidences: r.candidates.map((x) => x.confidence), status: r.status });
  }
  return { preds, shown };
}

/** The company examples made of the cases: their text and primary HS 6. */
export function asCompanyExamples(cases: Case[], version: string): CompanyExamples {
  return {
    version,
    examples: cases.map((c) => ({ example_id: c.id, text: c.text, code: c.hs6[0], hs6: c.hs6[0], who: 'eval', at: '2026-12-02T00:00:00.000Z' })),
  };
}

async function main() {
  const o = new Command().option('--source <name>', 'the visible source held out and split', 'uk-parcel').option('--seed <n>', 'seed of the split', '42').parse().opts();
  const source = o.source as ExampleSource;
  const seed = Number(o.seed);
  const t0 = performance.now();
  const ds = loadDataset();
  const config = loadConfig();
  const cases = buildCases(ds, [source]);
  if (cases.length < 10) throw new Error(`source ${source} has ${cases.length} cases: too few to split`);
  const half = assignFolds(cases, 2, seed);
  const company = cases.filter((_, i) => half[i] === 0);
  const test = cases.filter((_, i) => half[i] === 1);
  log(`${source}: ${cases.length} cases, ${company.length} imported as company examples, ${test.length} classified; training without any ${source} row...`);
  const model = trainModel(ds, trainingExamples(ds, cases), config.training);
  const engine = createEngine(ds, model, config, loadRules());
  log(`trained in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const without = await predict(engine, test);
  const withCompany = await predict(engine, test, { company: asCompanyExamples(company, `eval-${source}-${seed}`) });
  const a = metrics(source, without.preds);
  const b = metrics(source, withCompany.preds);
  console.log(`eval:company, ${source} held out of training, seed ${seed}: ${company.length} company examples, ${test.length} rows classified`);
  console.log('                      top1@2  top1@4  top1@6  top3@6  ok share  ok precision');
  for (const [label, m, preds] of [['without company', a, without.preds], ['with company', b, withCompany.preds]] as const) {
    const d = m.digits;
    const okShare = preds.filter((p) => p.status === 'ok').length / (preds.length || 1);
    console.log(`${label.padEnd(20)} ${pct(d['2'].top1).padStart(7)} ${pct(d['4'].top1).padStart(7)} ${pct(d['6'].top1).padStart(7)} ${pct(d['6'].top3).padStart(7)} ${pct(okShare).padStart(9)} ${pct(m.review.okAccuracy).padStart(13)}`);
  }
  console.log(`first candidate shows a company example: ${pct(withCompany.shown / (test.length || 1))} of rows; ${((performance.now() - t0) / 1000).toFixed(0)} s in all`);
}

if (require.main === module) void main();
