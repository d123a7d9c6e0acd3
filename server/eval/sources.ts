// npm run eval:sources: what each labelled source adds. One seeded fold (a fifth of every scored source,
// ATLAS included) is held out; a model is trained on the rest with every source, then once more without
// each source in turn (left out of the naive Bayes, the retrieval index and the level models alike), and the
// held-out fold is classified each time; then with each kind of vocabulary expansion (pipeline/terms.ts:
// none, learned, WordNet, both) and every source. Prints top-1 / top-3 at 6 digits per scored source; writes
// reports/sources.json. The synthetic paraphrases and the glossary are never scored, only learnt from.
// --only sources|terms runs one of the two ablations.
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
import type { TermOptions } from '../pipeline/terms';

async function main() {
  const o = new Command()
    .option('--seed <n>', 'seed of the held-out fold', '42')
    .option('--out <dir>', 'report directory', 'reports')
    .option('--only <which>', 'sources or terms (default both)')
    .option('--variant <name>', 'run only the variant of this name (e.g. "WordNet")')
    .parse()
    .opts();
  const ds = loadDataset();
  const config = loadConfig();
  const rules = loadRules();
  const cases = buildCases(ds, EVAL_SOURCES);
  const folds = assignFolds(cases, 5, Number(o.seed));
  const held = cases.filter((_, i) => folds[i] === 0);
  const base = trainingExamples(ds, held);
  const TERMS = { minCount: 2, minShare: 0.6, maxWords: 6 };
  const variants: { name: string; without?: ExampleSource; terms?: TermOptions | null }[] = [
    ...(o.only === 'terms' ? [] : [{ name: 'every source' }, ...SOURCES.map((s) => ({ name: `without ${s}`, without: s }))]),
    ...(o.only === 'sources'
      ? []
      : [
          { name: 'no expansion', terms: null },
          { name: 'learned terms', terms: { ...TERMS, learned: true, wordnet: false } },
          { name: 'WordNet', terms: { ...TERMS, learned: false, wordnet: true } },
          { name: 'learned + WordNet', terms: { ...TERMS, learned: true, wordnet: true } },
          { name: 'WordNet, unseen words', terms: { ...TERMS, learned: false, wordnet: true, unseenOnly: true } },
        ]),
  ];
  const runs: { name: string; results: Record<string, { n: number; top1: number; top3: number }> }[] = [];
  for (const v of variants.filter((x) => !o.variant || x.name === o.variant)) {
    const t0 = performance.now();
    const examples = v.without ? base.filter((e) => e.source !== v.without) : base;
    const training = v.terms === undefined ? config.training : { ...config.training, terms: v.terms ?? undefined };
    const engine = createEngine(ds, trainModel(ds, examples, training), config, rules);
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
    runs.push({ name: v.name, results });
    const line = Object.entries(results)
      .map(([src, s]) => `${src} ${(s.top1 * 100).toFixed(1)}/${(s.top3 * 100).toFixed(1)}`)
      .join('  ');
    console.log(`${v.name.padEnd(24)} ${line}  (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  fs.mkdirSync(o.out, { recursive: true });
  fs.writeFileSync(path.join(o.out, 'sources.json'), `${JSON.stringify({ command: 'npm run eval:sources', seed: Number(o.seed), heldOut: held.length, runs }, null, 2)}\n`);
}

if (require.main === module) void main();
