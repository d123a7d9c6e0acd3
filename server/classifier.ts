// The pipeline, end to end, for one description:
// normalise -> retrieve candidates -> score (model + fuzzy, fused) -> apply rules (GRIs, Notes)
// -> rank and calibrate -> explain. Everything it needs is in the Engine value; nothing is global.
import { normalise, type Normalised } from './pipeline/normalise';
import { expandAbbreviations, modelLexicon, type Lexicon } from './pipeline/abbreviations';
import { candidates, createScorer, FEATURES, type Candidates, type Scorer } from './pipeline/score';
import { rank, softmaxTop, type FusionParams, type Ranked } from './pipeline/fusion';
import { FuzzyTexts } from './pipeline/fuzzy';
import { applyCalibration } from './pipeline/calibrate';
import { textKind } from './pipeline/kind';
import { triggeredRules, pointedCodes, fireRules, applyRules, type RulesOutcome } from './pipeline/rules';
import { buildLookup, explain, type Lookup } from './pipeline/explain';
import { explainReasoning } from './pipeline/reasoning';
import { extractFacts, withCandidates } from './rules/facts';
import { materialsOf, materialConflict, materialDecides, textMaterials, type MaterialFacts } from './pipeline/materials';
import { extractAttributes } from './pipeline/attributes';
import { gri6, putFirst, withGri6 } from './pipeline/gri6';
import { expandQuery } from './pipeline/terms';
import { classHeads, headOf, headTerms } from './pipeline/head';
import type { RuleSet } from './rules/load';
import type { Model } from './pipeline/train';
import type { ClassifierConfig } from './config';
import { MAX_DESCRIPTION_CHARS, cutCodePoints, englishOnly, notEnglish, otherScript } from './pipeline/description';
import { companyMatches, companySignal, withCompanyExamples, type CompanyCache, type CompanyExamples, type CompanyMatch } from './pipeline/company';
import { EXCLUDE_SELECTORS } from './rules/load';
import type { ClassificationResult, Country, Dataset, ReasoningStep } from './types';

export const TOP_N = 3;
/** Longest description accepted, in characters (code points; see pipeline/description.ts); longer ones are cut. */
export { MAX_DESCRIPTION_CHARS };

export interface Engine {
  ds: Dataset;
  model: Model;
  config: ClassifierConfig;
  scorer: Scorer;
  lookup: Lookup;
  /** Official text of each class, and the same indexed for fuzzy matching. */
  classText: string[];
  fuzzy: FuzzyTexts;
  /** The GRI and Note rules; null runs the statistics alone (for measuring what the rules add). */
  rules: RuleSet | null;
  /** The fusion weights and settings of `config`, as the fusion takes them. */
  fusion: FusionParams;
  /** Company example indexes built so far, by version (see pipeline/company.ts). */
  companyCache: CompanyCache;
  /** Known words by consonant skeleton, for reading abbreviations (null when `config.abbreviations` is off). */
  lexicon: Lexicon | null;
}

/** What classify() may be given besides the description: plain data, structured-cloneable (it crosses to the workers). */
export interface ClassifyOptions {
  /** The company's own classified examples, consulted first as nearest examples. */
  company?: CompanyExamples;
}

/** The text fuse.js matches for each class: the subheading's official description. */
export function classTexts(ds: Dataset, model: Model): string[] {
  return model.classes.map((c) => ds.hs.nodes.get(c)?.description ?? '');
}

export function createEngine(ds: Dataset, model: Model, config: ClassifierConfig, rules: RuleSet | null = null): Engine {
  const classText = classTexts(ds, model);
  const scorer = createScorer(model, classText, classHeads(ds, model.classes));
  const lexicon = config.abbreviations ? modelLexicon(ds, model.examples, knownStem(scorer)) : null;
  return { ds, model, config, scorer, lookup: buildLookup(model, ds), classText, fuzzy: new FuzzyTexts(classText), rules, fusion: fusionParams(config), companyCache: new Map(), lexicon };
}

/** Whether the model knows a stem. */
export const knownStem = (scorer: Scorer) => (stem: string) => scorer.vocab.get(stem) !== undefined;

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
export function score(engine: Engine, query: Normalised, extra: string[] = [], materials?: MaterialFacts, head: string[] = []): Scored {
  const cands = candidates(engine.scorer, query, engine.config.alpha, engine.config.shortlist, extra, materials, head);
  const ranked = rank(cands, engine.fusion, (rows) =>
    engine.fuzzy.scores(
      query.text,
      rows.map((r) => cands.classes[r]),
    ),
  );
  return { query, cands, ranked };
}

export async function classify(engine: Engine, description: unknown, country?: Country, options: ClassifyOptions = {}): Promise<ClassificationResult> {
  if (typeof description !== 'string' || !description.trim()) {
    return { status: 'error', candidates: [], error: 'blank description' };
  }
  const foreign = notEnglish(description);
  if (foreign) return { status: 'error', candidates: [], error: foreign };
  const text = cutCodePoints(description);
  const { query, readings } = expandAbbreviations(normalise(text), engine.lexicon, knownStem(engine.scorer));
  if (query.tokens.length === 0) {
    const script = otherScript(text);
    return {
      status: 'error',
      candidates: [],
      error: script ? englishOnly(script) : 'no classifiable words: the description has only codes, prices, quantities or units',
    };
  }
  // Which rules could fire is known from the text alone; their target headings join the short list.
  const materials = materialsOf(query.text);
  const textFacts = extractFacts(query, [], materials, text);
  const triggered = engine.rules ? triggeredRules(engine.rules, textFacts) : [];
  const pointed = pointedCodes(triggered);
  // company examples near the description: their codes join the short list and add to the fused score
  const company = options.company ? companyMatches(engine.companyCache, engine.scorer, options.company, query) : new Map<string, CompanyMatch[]>();
  // words the nomenclature does not use are expanded for the statistics only (pipeline/terms.ts); the rules read the text
  const headNoun = headOf(text);
  const named = headTerms(headNoun, engine.model.expansions);
  const { cands, ranked } = score(engine, expandQuery(query, engine.model.expansions), [...pointed, ...company.keys()], materials, named);
  // a rule that names the goods (e.g. a games console by its trade name) classifies words the statistics do not know
  if (cands.knownTerms === 0 && !(pointed.length && ranked.rows.length)) {
    return { status: 'error', candidates: [], error: 'no word of the description is known to the nomenclature or the examples' };
  }
  const { fusion } = engine.config;
  const kind = textKind(description);
  const { calibration, reviewThreshold } = engine.config.kinds?.[kind] ?? engine.config;
  let list = ranked.rows.map((row, i) => {
    const hs6 = engine.model.classes[cands.classes[row]];
    return { hs6, score: ranked.scores[i] + companySignal(company.get(hs6)), row };
  });
  if (company.size) list.sort((a, b) => b.score - a.score);
  const head = list.slice(0, ranked.probs.length).map((c) => c.row);
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
      materialConflict: (code) => (materialDecides(code) ? materialConflict(facts.statedMaterials, node(code)?.description ?? '') : null),
      // the goods themselves, not their parts: "Taps, cocks, valves ...; parts thereof" names valves but covers their parts
      namesHead: (hs6) => {
        const cls = engine.scorer.classOf.get(hs6);
        return headNoun !== null && cls !== undefined && engine.scorer.heads.heading[cls].has(headNoun.head) && !/\bparts\b/i.test(node(hs6)?.description ?? '');
      },
    });
    list = outcome.candidates;
  }
  // GRI 6 by attributes (pipeline/attributes.ts, gri6.ts): within the first candidate's heading, a stated
  // attribute decides the subheading; the attributes also decide the national line (explain).
  const attrs = extractAttributes(text, query);
  const g6 = gri6(engine.ds.hs, list.map((c) => c.hs6), attrs);
  const added = new Map<string, number>();
  list = putFirst(list, g6.first, (hs6, score) => {
    const cls = engine.scorer.classOf.get(hs6);
    if (cls === undefined) return null;
    added.set(hs6, cls);
    return { hs6, score, row: -1 };
  });
  // The confidences are the model's own (the calibration was fitted without company examples): a company example
  // orders the candidates and is shown and cited, but does not raise a confidence or make a row `ok` by itself
  // (measured: with its boost in the confidence, the `ok` rows it made were right 75% of the time).
  const modelScores = company.size ? list.map((c) => c.score - companySignal(company.get(c.hs6))) : list.map((c) => c.score);
  const probs = softmaxTop(modelScores, Math.min(fusion.rerank, list.length), fusion.temperature);
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
  for (const c of result) c.examples = withCompanyExamples(company.get(c.hs6), c.examples);
  // the heading's own terms name the goods by the description's head noun: said so in the GRI 1 step
  const topClass = engine.scorer.classOf.get(result[0]?.hs6 ?? '');
  const namedBy = headNoun && topClass !== undefined && engine.scorer.heads.heading[topClass].has(headNoun.head) ? headNoun.word : null;
  const reasoning = outcome ? explainReasoning(engine.ds, result, outcome, namedBy) : undefined;
  withGri6(result[0], reasoning, g6);
  if (reasoning) withCompanyReasoning(reasoning, result[0].hs6, company.get(result[0].hs6));
  if (reasoning && readings.length) {
    reasoning.readings = readings;
    reasoning.summary += `; read ${readings.map((r) => `"${r.word}" as "${r.as}"`).join(', ')}`;
  }
  return {
    status: confidences[0] >= reviewThreshold ? 'ok' : 'review',
    candidates: result,
    ...(reasoning ? { reasoning } : {}),
  };
}

const dottedCode = (c: string) => (c.length > 4 ? `${c.slice(0, 4)}.${c.slice(4)}` : c);

/** Names the nearest company example of the first candidate at the head of the reasoning and in its summary. */
function withCompanyReasoning(reasoning: NonNullable<ClassificationResult['reasoning']>, hs6: string, matches: CompanyMatch[] | undefined): void {
  const m = matches?.[0];
  if (!m) return;
  const e = m.example;
  const step: ReasoningStep = {
    rule: 'company-example',
    gri: 'GRI 1',
    action: 'prefer',
    codes: [hs6],
    citation: `Company example ${e.example_id}`,
    detail:
      `The company's own list classifies "${e.text}" as ${dottedCode(e.code)} (imported by ${e.who} on ${e.at.slice(0, 10)}${e.item_id ? `, item ${e.item_id}` : ''}; ` +
      `similarity ${m.similarity.toFixed(2)}${matches!.length > 1 ? `; ${matches!.length - 1} more company example${matches!.length > 2 ? 's' : ''} under this code` : ''}).`,
  };
  reasoning.steps.unshift(step);
  reasoning.summary = `${reasoning.summary}; company example: "${e.text}" (${e.who}, ${e.at.slice(0, 10)})`;
}

/**
 * The exclusion rule (a Section or Chapter Note, or a hand-written exclusion) that excludes `code` for this
 * description, or null: the rules fired as if the code were the only candidate. Used to check memory answers.
 */
export async function excludedBy(engine: Pick<Engine, 'rules'>, description: string, code: string): Promise<{ rule: string; citation: string; detail: string } | null> {
  if (!engine.rules) return null;
  // the same text classify() reads: the first MAX_DESCRIPTION_CHARS characters (code points, not UTF-16 units)
  const text = cutCodePoints(description);
  const query = normalise(text);
  if (query.tokens.length === 0) return null;
  const facts = extractFacts(query, [], materialsOf(query.text), text);
  const fired = await fireRules(engine.rules, triggeredRules(engine.rules, facts), withCandidates(facts, [code.slice(0, 6)]));
  for (const r of fired) {
    const p = r.json.event.params;
    if (r.json.event.type !== 'exclude') continue;
    const codes = (p.exclude ?? []).filter((c) => !(EXCLUDE_SELECTORS as readonly string[]).includes(c));
    if (codes.some((c) => code.startsWith(c))) return { rule: r.json.name, citation: p.citation, detail: p.detail };
  }
  return null;
}
