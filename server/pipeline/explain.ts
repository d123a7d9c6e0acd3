// Step 6: explain. For each of the best codes: its official description, the nearest labelled
// examples that support it, and (when a country is asked for) the national line with unit and duty.
import { DOC_KINDS } from './corpus';
import { topK } from './score';
import { chooseNational, type NationalEvidence, type NationalOptions } from './national';
import { noAttributes, type Attributes } from './attributes';
import type { DocHits } from './retrieve';
import type { Model } from './train';
import type { CandidateResult, Country, Dataset, Example, ExampleRef, NationalLine } from '../types';

const KIND = { us: DOC_KINDS.indexOf('us'), eu: DOC_KINDS.indexOf('eu'), example: DOC_KINDS.indexOf('example') };
const EXAMPLES_SHOWN = 3;
const RULINGS_SHOWN = 3;
/**
 * Least similarity (cosine to the description) of an example or ruling shown in support of a code: below
 * it the example shares too little with the description to support anything, so none is shown.
 */
export const SIMILARITY_FLOOR = 0.1;
/** Sources whose codes are US HTS numbers, and those whose codes follow the EU CN (the UK tariff). */
const NATIONAL_SOURCES: Record<Country, Set<string>> = {
  US: new Set(['cross', 'atlas']),
  EU: new Set(['uk-parcel', 'uk-glossary']),
};

/** Documents of each class, looked up once per model. */
export interface Lookup {
  examples: Map<number, number[]>;
  national: Record<Country, Map<number, number[]>>;
  /** Current US HTS codes (10-digit lines and their 8-digit parents), to mark stale precedents. */
  usCodes: Set<string>;
}

export function buildLookup(model: Model, ds: Dataset): Lookup {
  const usCodes = new Set(ds.us.flatMap((l) => [l.code, l.code.slice(0, 8)]));
  const lookup: Lookup = { examples: new Map(), national: { US: new Map(), EU: new Map() }, usCodes };
  const add = (m: Map<number, number[]>, c: number, d: number) => {
    const list = m.get(c);
    if (list) list.push(d);
    else m.set(c, [d]);
  };
  for (let d = 0; d < model.docClass.length; d++) {
    const c = model.docClass[d];
    if (c < 0) continue;
    if (model.docKind[d] === KIND.example) add(lookup.examples, c, d);
    else if (model.docKind[d] === KIND.us) add(lookup.national.US, c, d);
    else if (model.docKind[d] === KIND.eu) add(lookup.national.EU, c, d);
  }
  return lookup;
}

export interface ExplainInput {
  ds: Dataset;
  model: Model;
  lookup: Lookup;
  national: NationalOptions;
}

function exampleRef(ex: Example, similarity: number): ExampleRef {
  const ref: ExampleRef = { text: ex.text, code: ex.code, source: ex.source, similarity: Math.round(similarity * 1000) / 1000 };
  if (ex.ruling) ref.ruling = ex.ruling;
  if (ex.date) ref.date = ex.date;
  return ref;
}

export function explain(
  input: ExplainInput,
  classes: number[],
  confidences: number[],
  hits: DocHits,
  country?: Country,
  /** What the description states (attributes.ts); decides the national lines. */
  attrs: Attributes = noAttributes(),
): CandidateResult[] {
  const { ds, model, lookup } = input;
  const wanted = new Set(classes);
  const score = new Map<number, number>();
  /** Per wanted class: its example documents that share a term with the query. */
  const scored = new Map<number, number[]>();
  for (let i = 0; i < hits.docs.length; i++) {
    const d = hits.docs[i];
    const c = model.docClass[d];
    if (!wanted.has(c)) continue;
    score.set(d, hits.scores[i]);
    if (model.docKind[d] === KIND.example) {
      const l = scored.get(c);
      if (l) l.push(d);
      else scored.set(c, [d]);
    }
  }
  /** The n most similar of `hit` that pass `keep` and the similarity floor, best first (ties: data order). */
  const nearestDocs = (hit: number[], n: number, keep: (d: number) => boolean): number[] => {
    const kept = hit.filter((d) => keep(d) && score.get(d)! >= SIMILARITY_FLOOR);
    return topK(Float64Array.from(kept, (d) => score.get(d)!), n).map((i) => kept[i]).sort((a, b) => score.get(b)! - score.get(a)! || a - b);
  };

  return classes.map((c, k) => {
    const hs6 = model.classes[c];
    const exampleDocs = lookup.examples.get(c) ?? [];
    const isRuling = (d: number) => Boolean(model.examples[model.docRef[d]].ruling);
    const nearest = nearestDocs(scored.get(c) ?? [], EXAMPLES_SHOWN, () => true);
    // rulings of this code nearest the description (a ruling's code is under the candidate's HS 6 by construction)
    const precedents = nearestDocs(scored.get(c) ?? [], RULINGS_SHOWN, isRuling).map((d) => model.examples[model.docRef[d]]);
    const result: CandidateResult = {
      hs6,
      code: hs6,
      confidence: Math.round(confidences[k] * 1000) / 1000,
      description: ds.hs.nodes.get(hs6)?.description ?? '',
      examples: nearest.map((d) => exampleRef(model.examples[model.docRef[d]], score.get(d) ?? 0)),
      rulings: precedents.map((ex) => ({
        ruling: ex.ruling!,
        date: ex.date ?? null,
        code: ex.code,
        subject: ex.text,
        stale: !lookup.usCodes.has(ex.code),
      })),
    };
    if (country) {
      const lineDocs = lookup.national[country].get(c) ?? [];
      const all = country === 'US' ? ds.us : ds.eu;
      const lines: NationalLine[] = lineDocs.map((d) => all[model.docRef[d]]);
      // Text similarity and labelled examples only point to a likely line; the attributes decide.
      const evidence: NationalEvidence = { similarity: lineDocs.map((d) => score.get(d) ?? 0), examples: [] };
      for (const d of exampleDocs) {
        const ex = model.examples[model.docRef[d]];
        if (!NATIONAL_SOURCES[country].has(ex.source) || ex.code.length < 8) continue;
        evidence.examples.push({ code: ex.code, source: ex.source, similarity: score.get(d) ?? 0, ...(ex.ruling ? { ruling: ex.ruling } : {}) });
      }
      const choice = chooseNational(hs6, lines, attrs, evidence, input.national);
      result.code = choice.code;
      // rulings that assigned the chosen national line first, each group nearest first
      if (choice.code.length > 6) {
        const on = (r: { code: string }) => (r.code.startsWith(choice.code) || choice.code.startsWith(r.code) ? 0 : 1);
        result.rulings = result.rulings.map((r, i) => ({ r, i })).sort((a, b) => on(a.r) - on(b.r) || a.i - b.i).map((x) => x.r);
      }
      if (choice.line) {
        result.nationalDescription = choice.line.fullDescription;
        result.unit = choice.line.unit;
        result.generalRate = choice.line.generalRate;
        if (choice.decidedBy?.length) result.attributes = choice.decidedBy.map((d) => ({ level: 'national' as const, ...d }));
      } else {
        result.missingDetail = choice.missingDetail;
        if (choice.likely) result.likely = choice.likely;
        if (choice.questions?.length) result.questions = choice.questions;
      }
    }
    return result;
  });
}
