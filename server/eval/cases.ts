// Evaluation cases built from the labelled examples, and seeded fold assignment. A case is what a
// user would send (one description) with the codes that count as right. Cases that share a text (a
// ruling with several codes, a parcel description listed twice) form one group and always fall in the
// same fold, so no fold is ever scored on what it trained on.
import { rng } from '../tune/ga';
import type { Dataset, Example, ExampleSource } from '../types';

export interface Case {
  id: string;
  source: ExampleSource;
  text: string;
  /** Acceptable HS 6 codes; the first is the primary one. */
  hs6: string[];
  group: string;
  /** Ids of the examples this case was made from (left out of training when it is scored). */
  exampleIds: string[];
}

/** The labelled sources scored by `npm run eval` and used by `npm run tune` (the synthetic paraphrases and the glossary never are). */
export const EVAL_SOURCES: ExampleSource[] = ['uk-parcel', 'cross', 'atlas', 'marketplace', 'eu-bti', 'uk-atar'];
/** The kinds of text the tuning fitness averages over, one source each. */
export const FITNESS_SOURCES: ExampleSource[] = ['uk-parcel', 'cross', 'atlas', 'marketplace'];

export function buildCases(ds: Dataset, sources: ExampleSource[] = EVAL_SOURCES): Case[] {
  const byKey = new Map<string, Case>();
  for (const ex of ds.examples) {
    if (!sources.includes(ex.source)) continue;
    // A CROSS ruling with several codes is one case: any of its codes is right.
    const key = ex.source === 'cross' && ex.ruling ? `cross:${ex.ruling}` : ex.id;
    const c = byKey.get(key);
    if (c) {
      if (!c.hs6.includes(ex.hs6)) c.hs6.push(ex.hs6);
      c.exampleIds.push(ex.id);
    } else {
      byKey.set(key, {
        id: key,
        source: ex.source,
        text: ex.text,
        hs6: [ex.hs6],
        group: `${ex.source}:${ex.text.toLowerCase().replace(/\s+/g, ' ').trim()}`,
        exampleIds: [ex.id],
      });
    }
  }
  return [...byKey.values()];
}

/** Fold number (0..k-1) for every case, by group, from a seeded shuffle. */
export function assignFolds(cases: Case[], k: number, seed: number): number[] {
  const groups = [...new Set(cases.map((c) => c.group))];
  const rand = rng(seed);
  for (let i = groups.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [groups[i], groups[j]] = [groups[j], groups[i]];
  }
  const foldOf = new Map(groups.map((g, i) => [g, i % k]));
  return cases.map((c) => foldOf.get(c.group)!);
}

/** The examples a model may learn from when the given cases are scored. */
export function trainingExamples(ds: Dataset, heldOut: Case[]): Example[] {
  const out = new Set(heldOut.flatMap((c) => c.exampleIds));
  const texts = new Set(heldOut.map((c) => c.group));
  // Also leave out any other example with the same source and text (e.g. a ruling's second code).
  return ds.examples.filter((e) => !out.has(e.id) && !texts.has(`${e.source}:${e.text.toLowerCase().replace(/\s+/g, ' ').trim()}`));
}
