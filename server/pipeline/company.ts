// Company examples: a company's own classified product list (description, code, who, when), consulted first as
// nearest examples. The engine gets them as plain data (CompanyExamples, with a version naming its content) and
// builds a small TF-IDF index over them with the model's vocabulary and idf, once per version (kept on the engine,
// like the scorer's smoothing cache). For a query, each candidate code gets the similarities of its nearest company
// examples; they join the short list, add to the fused score (the signal below) and are shown before the model's
// own examples, marked `source: "company"`.
import { normalise } from './normalise';
import { termsOf } from './features';
import type { Scorer } from './score';
import type { Normalised } from './normalise';
import type { ExampleRef } from '../types';

/** One company example, as stored (codes are strings: HS 6, or a US/EU national line). */
export interface CompanyExample {
  example_id: string;
  text: string;
  code: string;
  hs6: string;
  who: string;
  at: string;
  item_id?: string | null;
}

/** What the engine is given: the examples and a version that changes whenever they do. */
export interface CompanyExamples {
  version: string;
  examples: CompanyExample[];
}

/** Least similarity for a company example to count (and be shown): the explanation's floor for examples. */
export const COMPANY_FLOOR = 0.1;
/**
 * The company signal: COMPANY_WEIGHT x (best similarity + the sum of the three best) of a code's company examples,
 * added to its fused score. The model's own nearest-example signals weigh about 4.8 (best) and 5.3 (sum of three);
 * a company's own classification of its own goods is taken as about twice the evidence of a public example.
 */
export const COMPANY_WEIGHT = 10;
const SHOWN = 3;

interface Built {
  examples: CompanyExample[];
  /** term id -> [example index, weight] postings (weights L2-normalised per example). */
  postings: Map<number, { ex: number; w: number }[]>;
}

/** The per-engine cache of built indexes (by version; only the latest few are kept). */
export type CompanyCache = Map<string, Built>;

const weightOf = (count: number, idf: number) => (1 + Math.log(count)) * idf;

function build(scorer: Scorer, data: CompanyExamples): Built {
  const idf = scorer.model.index.idf;
  const postings = new Map<number, { ex: number; w: number }[]>();
  data.examples.forEach((e, ex) => {
    const v = scorer.vocab.vector(termsOf(normalise(e.text).tokens));
    const w = Array.from(v.ids, (id, i) => weightOf(v.values[i], idf[id]));
    const norm = Math.sqrt(w.reduce((a, b) => a + b * b, 0)) || 1;
    v.ids.forEach((id, i) => {
      const l = postings.get(id);
      const p = { ex, w: w[i] / norm };
      if (l) l.push(p);
      else postings.set(id, [p]);
    });
  });
  return { examples: data.examples, postings };
}

function builtFor(cache: CompanyCache, scorer: Scorer, data: CompanyExamples): Built {
  let b = cache.get(data.version);
  if (!b) {
    b = build(scorer, data);
    if (cache.size >= 4) cache.delete(cache.keys().next().value!);
    cache.set(data.version, b);
  }
  return b;
}

/** A code's nearest company examples, best first. */
export interface CompanyMatch {
  example: CompanyExample;
  similarity: number;
}

/** Per HS 6: the company examples at or above the floor, nearest first (ties: the later import first). */
export function companyMatches(cache: CompanyCache, scorer: Scorer, data: CompanyExamples, query: Normalised): Map<string, CompanyMatch[]> {
  const out = new Map<string, CompanyMatch[]>();
  if (data.examples.length === 0) return out;
  const b = builtFor(cache, scorer, data);
  const idf = scorer.model.index.idf;
  const q = scorer.vocab.vector(termsOf(query.tokens));
  const qw = Array.from(q.ids, (id, i) => weightOf(q.values[i], idf[id]));
  const norm = Math.sqrt(qw.reduce((a, c) => a + c * c, 0)) || 1;
  const sims = new Map<number, number>();
  q.ids.forEach((id, i) => {
    for (const p of b.postings.get(id) ?? []) sims.set(p.ex, (sims.get(p.ex) ?? 0) + (qw[i] / norm) * p.w);
  });
  for (const [ex, s] of sims) {
    if (s < COMPANY_FLOOR) continue;
    const e = b.examples[ex];
    const l = out.get(e.hs6);
    const m = { example: e, similarity: Math.min(1, s) };
    if (l) l.push(m);
    else out.set(e.hs6, [m]);
  }
  for (const l of out.values()) l.sort((x, y) => y.similarity - x.similarity || y.example.at.localeCompare(x.example.at));
  return out;
}

/** The score a code's company examples add. */
export function companySignal(matches: CompanyMatch[] | undefined): number {
  if (!matches?.length) return 0;
  const three = matches.slice(0, 3).reduce((a, m) => a + m.similarity, 0);
  return COMPANY_WEIGHT * (matches[0].similarity + three);
}

/** The examples shown for a code: its nearest company examples first, then the model's, at most three. */
export function withCompanyExamples(matches: CompanyMatch[] | undefined, own: ExampleRef[]): ExampleRef[] {
  if (!matches?.length) return own;
  const company: ExampleRef[] = matches.slice(0, SHOWN).map((m) => ({
    text: m.example.text,
    code: m.example.code,
    source: 'company',
    similarity: Math.round(m.similarity * 1000) / 1000,
    example_id: m.example.example_id,
    who: m.example.who,
    at: m.example.at,
    ...(m.example.item_id ? { item_id: m.example.item_id } : {}),
  }));
  return [...company, ...own].slice(0, SHOWN);
}
