// npm run eval:sources: what each labelled source adds. One seeded fold (a fifth of every scored source,
// ATLAS included) is held out; a model is trained on the rest with every source, then once more without
// each source in turn (left out of the naive Bayes, the retrieval index and the level models alike), and the
// held-out fold is classified each time. Prints top-1 / top-3 at 6 digits per scored source; writes
// reports/sources.json. The synthetic paraphrases and the glossary are never scored, only learnt from.
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { loadDataset } from '../data';
import { loadConfig } from '../config';
import { trainModel } from '../pipeline/train';
import { createEngine, classify } from '../classifier';
import { loadRules } from '../rules/load';
import { SOURCES } from '../data/examples';
import { buildCases, assignFolds, trainingExamples, EVAL_SOURCES } from './cases';
import type { ExampleSource } from '../types';

async function main() {
  const o = new Command().option('--seed <n>', 'seed of the held-out fold', '42').option('--out <dir>', 'report directory', 'reports').parse().opts();
  const ds = loadDataset();
  const config = loadConfig();
  const rules = loadRules();
  const cases = buildCases(ds, EVAL_SOURCES);
  const folds = assignFolds(cases, 5, Number(o.seed));
  const held = cases.filter((_, i) => folds[i] === 0);
  const base = trainingExamples(ds, held);
  const runs: { without: ExampleSource | null; results: Record<string, { n: number; top1: number; top3: number }> }[] = [];
  for (const without of [null, ...SOURCES]) {
    const t0 = performance.now();
    const examples = without ? base.filter((e) => e.source !== without) : base;
    const engine = createEngine(ds, trainModel(ds, examples, config.training), config, rules);
    const results: Record<string, { n: number; top1: number; top3: number }> = {};
    for (const c of held) {
      const r = await classify(engine, c.text);
      const codes = r.candidates.map((x) => x.hs6);
      const s = (results[c.source] ??= { n: 0, top1: 0, top3: 0 });
      s.n++;
      if (c.hs6.includes(codes[0])) s.top1++;
      if (codes.slice(0, 3).some((h) => c.hs6.includes(h))) s.top3++;
    }
    for (const s of Object.values(results)) {
      s.top1 /= s.n;
      s.top3 /= s.n;
    }
    runs.push({ without, results });
    const line = Object.entries(results)
      .map(([src, s]) => `${src} ${(s.top1 * 100).toFixed(1)}/${(s.top3 * 100).toFixed(1)}`)
      .join('  ');
    console.log(`${(without ? `without ${without}` : 'every source').padEnd(22)} ${line}  (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  fs.mkdirSync(o.out, { recursive: true });
  fs.writeFileSync(path.join(o.out, 'sources.json'), `${JSON.stringify({ command: 'npm run eval:sources', seed: Number(o.seed), heldOut: held.length, runs }, null, 2)}\n`);
}

if (require.main === module) void main();
