// The classifier's configuration: config/classifier.json, written by `npm run tune` and committed.
// Validated with zod at start-up so a hand-edited file fails with a message naming the field.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { FEATURES } from './pipeline/score';

const weights = z.object(Object.fromEntries(FEATURES.map((f) => [f, z.number().finite()])) as Record<
  (typeof FEATURES)[number],
  z.ZodNumber
>);

export const ConfigSchema = z.object({
  version: z.literal(1),
  /** What the model learns from; a change here rebuilds the cached model. */
  training: z.object({
    /** Weight of a labelled example relative to a nomenclature line in the naive Bayes counts. */
    exampleWeight: z.number().positive(),
    /** Characters of a ruling's facts learnt from, beyond its subject line. */
    detailChars: z.number().int().min(0),
    /** Example sources the naive Bayes and the retrieval index leave out (all are learnt from by default). */
    excludeSources: z.array(z.string()).optional(),
    /** Expansion of words the nomenclature does not use (pipeline/terms.ts); absent: none. */
    terms: z
      .object({
        learned: z.boolean(),
        wordnet: z.boolean(),
        minCount: z.number().int().min(1),
        minShare: z.number().min(0).max(1),
        maxWords: z.number().int().min(1).max(20),
        unseenOnly: z.boolean().optional(),
      })
      .optional(),
    /** The hierarchical level models (chapter -> heading -> subheading); absent: not trained. */
    levels: z
      .object({
        features: z.object({ word: z.number().min(0), bigram: z.number().min(0), char: z.number().min(0), charMin: z.number().int().min(1).max(8).optional(), charMax: z.number().int().min(1).max(8).optional() }),
        nomenclature: z.object({ hs: z.number().min(0), usHeading: z.number().min(0), us: z.number().min(0), eu: z.number().min(0) }),
        sources: z.record(z.string(), z.number().min(0)),
        detailChars: z.number().int().min(0),
        detailWeight: z.number().min(0),
        epochs: z.number().int().min(1).max(50),
        lr: z.number().positive(),
        l2: z.number().min(0),
        rootMinDocs: z.number().int().min(1),
        seed: z.number().int(),
        /** The beam: chapters, then headings under them, whose subheadings join the short list. */
        beam: z.object({ chapters: z.number().int().min(1), headings: z.number().int().min(1), size: z.number().int().min(0) }),
      })
      .optional(),
  }),
  /** Unknown words written in consonants only are read as known words (pipeline/abbreviations.ts); absent: off. */
  abbreviations: z.boolean().optional(),
  /** Short-list size per query. */
  shortlist: z.number().int().min(3).max(200),
  /** Naive Bayes additive smoothing. */
  alpha: z.number().positive(),
  fusion: z.object({
    weights,
    rerank: z.number().int().min(3).max(200),
    temperature: z.number().positive(),
  }),
  /** Isotonic map from fused probability to calibrated confidence. */
  calibration: z.object({ x: z.array(z.number()).min(2), y: z.array(z.number()).min(2) }),
  /** Rows whose best confidence is below this are marked `review`. */
  reviewThreshold: z.number().min(0).max(1),
  /** Per kind of text (invoice, ruling, listing): its own calibration and review threshold, used instead of the above. */
  kinds: z
    .record(z.enum(['invoice', 'ruling', 'listing']), z.object({ calibration: z.object({ x: z.array(z.number()).min(2), y: z.array(z.number()).min(2) }), reviewThreshold: z.number().min(0).max(1) }))
    .optional(),
  /** Choice of a national line under an HS 6. */
  national: z.object({ minScore: z.number().min(0), margin: z.number().min(0) }),
  /** How the numbers above were found (informational). */
  tuning: z.record(z.string(), z.unknown()).optional(),
});

export type ClassifierConfig = z.infer<typeof ConfigSchema>;

export const DEFAULT_CONFIG_PATH = path.resolve(__dirname, '..', 'config', 'classifier.json');

export function loadConfig(file = process.env.HS_CONFIG ?? DEFAULT_CONFIG_PATH): ClassifierConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: cannot read classifier config: ${(e as Error).message}`);
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`${file}: invalid classifier config: ${issues}`);
  }
  return parsed.data;
}
