// The pipeline, end to end, for one description:
// normalise -> retrieve candidates -> score (model + fuzzy, fused) -> rank and calibrate -> explain.
// Everything it needs is in the Engine value; nothing is global.
import { normalise, type Normalised } from './pipeline/normalise';
import { candidates, createScorer, type Candidates, type Scorer } from './pipeline/score';
import { rank, type FusionParams, type Ranked } from './pipeline/fusion';
import { fuzzyScores } from './pipeline/fuzzy';
import { applyCalibration } from './pipeline/calibrate';
import { buildLookup, explain, type Lookup } from './pipeline/explain';
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
}

/** The text fuse.js matches for each class: the subheading's official description. */
export function classTexts(ds: Dataset, model: Model): string[] {
  return model.classes.map((c) => ds.hs.nodes.get(c)?.description ?? '');
}

export function createEngine(ds: Dataset, model: Model, config: ClassifierConfig): Engine {
  const classText = classTexts(ds, model);
  return { ds, model, config, scorer: createScorer(model, classText), lookup: buildLookup(model), classText };
}

export function fusionParams(config: ClassifierConfig): FusionParams {
  return { ...config.fusion, weights: Object.values(config.fusion.weights) };
}

export interface Scored {
  query: Normalised;
  cands: Candidates;
  ranked: Ranked;
}

/** Normalise, short-list, score and fuse: the ranked candidates before calibration. */
export function score(engine: Engine, query: Normalised, params = fusionParams(engine.config)): Scored {
  const cands = candidates(engine.scorer, query, engine.config.alpha, engine.config.shortlist);
  const ranked = rank(cands, params, (rows) =>
    fuzzyScores(
      query.text,
      rows.map((r) => engine.classText[cands.classes[r]]),
    ),
  );
  return { query, cands, ranked };
}

export function classify(engine: Engine, description: unknown, country?: Country): ClassificationResult {
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
  const { cands, ranked } = score(engine, query);
  if (cands.hits.docs.length === 0 && ranked.probs[0] < 0.05) {
    return { status: 'error', candidates: [], error: 'no word of the description is known to the nomenclature or the examples' };
  }
  const top = ranked.rows.slice(0, TOP_N);
  const classes = top.map((r) => cands.classes[r]);
  const confidences = ranked.probs.slice(0, TOP_N).map((p) => applyCalibration(engine.config.calibration, p));
  const result = explain(
    { ds: engine.ds, model: engine.model, lookup: engine.lookup, national: engine.config.national },
    classes,
    confidences,
    cands.hits,
    country,
  );
  return { status: confidences[0] >= engine.config.reviewThreshold ? 'ok' : 'review', candidates: result };
}
