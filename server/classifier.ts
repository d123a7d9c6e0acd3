// The pipeline, end to end, for one description:
// normalise -> retrieve candidates -> score (model + fuzzy, fused) -> apply rules (GRIs, Notes)
// -> rank and calibrate -> explain. Everything it needs is in the Engine value; nothing is global.
import { normalise, type Normalised } from './pipeline/normalise';
import { candidates, createScorer, FEATURES, type Candidates, type Scorer } from './pipeline/score';
import { rank, softmaxTop, type FusionParams, type Ranked } from './pipeline/fusion';
import { fuzzyScores } from './pipeline/fuzzy';
import { applyCalibration } from './pipeline/calibrate';
import { textKind } from './pipeline/kind';
import { triggeredRules, pointedCodes, fireRules, applyRules, type RulesOutcome } from './pipeline/rules';
import { buildLookup, explain, type Lookup } from './pipeline/explain';
import { explainReasoning } from './pipeline/reasoning';
import { extractFacts, withCandidates } from './rules/facts';
import { materialsOf, materialConflict, textMaterials, type MaterialFacts } from './pipeline/materials';
import { extractAttributes } from './pipeline/attributes';
import { gri6, putFirst, withGri6 } from './pipeline/gri6';
import { expandQuery } from './pipeline/terms';
import type { RuleSet } from './rules/load';
import type { Model } from './pipeline/train';
import type { ClassifierConfig } from './config';
import type { ClassificationResult, Country, Dataset } from './types';

export const TOP_N = 3;
/** Longest description accepted, in characters; longer ones are cut. */
export const MAX_DESCRIPTION_CHARS = 2000;

export interface Engine {
  ds: Dataset;
  model: Model;
  config: ClassifierConfig;
  scorer: Scorer;
  lookup: Lookup;
  /** Official text of each class, for fuzzy matching. */
  classText: string[];
  /** The GRI and Note rules; null runs the statistics alone (for measuring what the rules add). */
  rules: RuleSet | null;
  /** The fusion weights and settings of `config`, as the fusion takes them. */
  fusion: FusionParams;
}

/** The text fuse.js matches for each class: the subheading's official description. */
export function classTexts(ds: Dataset, model: Model): string[] {
  return model.classes.map((c) => ds.hs.nodes.get(c)?.description ?? '');
}

export function createEngine(ds: Dataset, model: Model, config: ClassifierConfig, rules: RuleSet | null = null): Engine {
  const classText = classTexts(ds, model);
  return { ds, model, config, scorer: createScorer(model, classText), lookup: buildLookup(model, ds), classText, rules, fusion: fusionParams(config) };
}

export function fusionParams(config: ClassifierConfig): FusionParams {
  // In the order of the signals (FEATURES), whatever the order of the keys in the file.
  return { ...config.fusion, weights: FEATURES.map((f) => config.fusion.weights[f]) };
}

export interface Scored {
  query: Normalised;
  cands: Candidates;
  ranked: Ranked;
}

/** Short-list, score and fuse: the ranked candidates before rules and calibration. */
export function score(engine: Engine, query: Normalised, extra: string[] = [], materials?: MaterialFacts): Scored {
  const cands = candidates(engine.scorer, query, engine.config.alpha, engine.config.shortlist, extra, materials);
  const ranked = rank(cands, engine.fusion, (rows) =>
    fuzzyScores(
      query.text,
      rows.map((r) => engine.classText[cands.classes[r]]),
    ),
  );
  return { query, cands, ranked };
}

export async function classify(engine: Engine, description: unknown, country?: Country): Promise<ClassificationResult> {
  if (typeof description !== 'string' || !description.trim()) {
    return { status: 'error', candidates: [], error: 'blank description' };
  }
  const query = normalise(description.slice(0, MAX_DESCRIPTION_CHARS));
  if (query.tokens.length === 0) {
    return {
      status: 'error',
      candidates: [],
      error: 'no classifiable words: the description has only codes, prices, quantities or units',
    };
  }
  // Which rules could fire is known from the text alone; their target headings join the short list.
  const materials = materialsOf(query.text);
  const textFacts = extractFacts(query, [], materials, description.slice(0, MAX_DESCRIPTION_CHARS));
  const triggered = engine.rules ? triggeredRules(engine.rules, textFacts) : [];
  const pointed = pointedCodes(triggered);
  // words the nomenclature does not use are expanded for the statistics only (pipeline/terms.ts); the rules read the text
  const { cands, ranked } = score(engine, expandQuery(query, engine.model.expansions), pointed, materials);
  // a rule that names the goods (e.g. a games console by its trade name) classifies words the statistics do not know
  if (cands.knownTerms === 0 && !(pointed.length && ranked.rows.length)) {
    return { status: 'error', candidates: [], error: 'no word of the description is known to the nomenclature or the examples' };
  }
  const { fusion } = engine.config;
  const kind = textKind(description);
  const { calibration, reviewThreshold } = engine.config.kinds?.[kind] ?? engine.config;
  const head = ranked.rows.slice(0, ranked.probs.length);
  let list = ranked.rows.map((row, i) => ({ hs6: engine.model.classes[cands.classes[row]], score: ranked.scores[i], row }));
  let outcome: RulesOutcome | null = null;
  if (engine.rules) {
    const facts = withCandidates(textFacts, head.map((r) => engine.model.classes[cands.classes[r]]));
    const fired = await fireRules(engine.rules, triggered, facts);
    const chief = facts.chiefMaterial;
    // what a subheading's terms cover, reading "textile materials", "base metal", "glassware" too
    const covers = (hs6: string) => textMaterials(engine.ds.hs.nodes.get(hs6)?.description ?? '').covers;
    const node = (code: string) => engine.ds.hs.nodes.get(code);
    outcome = applyRules(fired, list, fusion.temperature, {
      coversChiefMaterial: (hs6) => chief !== null && covers(hs6).has(chief),
      coversTiedMaterial: (hs6) => facts.tiedMaterials.some((m) => covers(hs6).has(m)),
      head: head.length,
      sectionOf: (hs6) => node(hs6)?.section ?? '',
      // materials decide articles (chapter 39 on), not chemicals or foods whose texts name polymers or latex
      materialConflict: (code) => (Number(code.slice(0, 2)) >= 39 ? materialConflict(facts.statedMaterials, node(code)?.description ?? '') : null),
    });
    list = outcome.candidates;
  }
  // GRI 6 by attributes (pipeline/attributes.ts, gri6.ts): within the first candidate's heading, a stated
  // attribute decides the subheading; the attributes also decide the national line (explain).
  const attrs = extractAttributes(description.slice(0, MAX_DESCRIPTION_CHARS), query);
  const g6 = gri6(engine.ds.hs, list.map((c) => c.hs6), attrs);
  const added = new Map<string, number>();
  list = putFirst(list, g6.first, (hs6, score) => {
    const cls = engine.model.classes.indexOf(hs6);
    if (cls < 0) return null;
    added.set(hs6, cls);
    return { hs6, score, row: -1 };
  });
  const probs = softmaxTop(list.map((c) => c.score), Math.min(fusion.rerank, list.length), fusion.temperature);
  const top = list.slice(0, TOP_N);
  const confidences = probs.slice(0, TOP_N).map((p) => applyCalibration(calibration, p));
  const result = explain(
    { ds: engine.ds, model: engine.model, lookup: engine.lookup, national: engine.config.national },
    top.map((c) => (c.row >= 0 ? cands.classes[c.row] : added.get(c.hs6)!)),
    confidences,
    cands.hits,
    country,
    attrs,
  );
  const reasoning = outcome ? explainReasoning(engine.ds, result, outcome) : undefined;
  withGri6(result[0], reasoning, g6);
  return {
    status: confidences[0] >= reviewThreshold ? 'ok' : 'review',
    candidates: result,
    ...(reasoning ? { reasoning } : {}),
  };
}
