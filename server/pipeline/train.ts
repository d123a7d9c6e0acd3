// Builds the trained artefacts (vocabulary, TF-IDF index, naive Bayes at three levels) from the
// reference data and a list of labelled examples. Pure: same inputs, same model.
import { buildCorpus, DOC_KINDS } from './corpus';
import { Vocabulary } from './features';
import { buildIndex, computeIdf, type TfIdfIndex } from './retrieve';
import { trainNaiveBayes, type NaiveBayes, type TrainingDoc } from './model';
import { levelCorpus } from './levels/corpus';
import { trainTree, type LevelTree } from './levels/tree';
import type { FeatureWeights } from './levels/features';
import { buildExpansions, type Expansions, type TermOptions } from './terms';
import type { Dataset, Example, ExampleSource } from '../types';

export interface Model {
  terms: string[];
  /** HS 6 subheadings (the classes), headings and chapters, sorted. */
  classes: string[];
  heads: string[];
  chaps: string[];
  classHead: Int32Array;
  classChap: Int32Array;
  index: TfIdfIndex;
  docClass: Int32Array;
  /** Index into DOC_KINDS. */
  docKind: Uint8Array;
  /** Index into the dataset's subheadings / us / eu lines or into `examples`. */
  docRef: Int32Array;
  nb: { sub: NaiveBayes; head: NaiveBayes; chap: NaiveBayes };
  /** Number of labelled examples per class. */
  exampleCount: Float32Array;
  /** The examples the model learnt from. */
  examples: Example[];
  /** The hierarchical level models and the feature weights they were trained with (null when not configured). */
  levels: { tree: LevelTree; features: FeatureWeights; beam: { chapters: number; headings: number; size: number } } | null;
  /** Query words the nomenclature does not use -> nomenclature words (terms.ts); null when not configured. */
  expansions: Expansions | null;
}

export interface LevelTrainingOptions {
  features: FeatureWeights;
  nomenclature: { hs: number; usHeading: number; us: number; eu: number };
  sources: Record<string, number>;
  detailChars: number;
  detailWeight: number;
  epochs: number;
  lr: number;
  l2: number;
  rootMinDocs: number;
  seed: number;
  beam: { chapters: number; headings: number; size: number };
}

export interface TrainingOptions {
  /** Weight of a labelled example relative to a nomenclature line in the naive Bayes counts. */
  exampleWeight: number;
  detailChars: number;
  excludeSources?: string[];
  levels?: LevelTrainingOptions;
  terms?: TermOptions;
}

export function trainModel(ds: Dataset, examples: Example[], opts: TrainingOptions): Model {
  const classes = ds.hs.subheadings;
  const classOf = new Map(classes.map((c, i) => [c, i]));
  const heads = [...new Set(classes.map((c) => c.slice(0, 4)))].sort();
  const chaps = [...new Set(classes.map((c) => c.slice(0, 2)))].sort();
  const headOf = new Map(heads.map((c, i) => [c, i]));
  const chapOf = new Map(chaps.map((c, i) => [c, i]));
  const classHead = Int32Array.from(classes, (c) => headOf.get(c.slice(0, 4))!);
  const classChap = Int32Array.from(classes, (c) => chapOf.get(c.slice(0, 2))!);

  const excluded = new Set(opts.excludeSources ?? []);
  const usable = examples.filter((e) => classOf.has(e.hs6) && !excluded.has(e.source));
  const corpus = buildCorpus(ds, usable, opts.detailChars);
  const vocab = new Vocabulary();
  for (const d of corpus) {
    for (const t of d.index) vocab.add(t);
    for (const t of d.train) vocab.add(t);
  }
  const indexVectors = corpus.map((d) => vocab.vector(d.index));
  const index = buildIndex(indexVectors, vocab.size);

  const trainVectors = corpus.map((d) => vocab.vector(d.train));
  const { idf } = computeIdf(trainVectors, vocab.size);
  const docClass = Int32Array.from(corpus, (d) => classOf.get(d.hs6) ?? -1);
  const training = (label: (c: number) => number): TrainingDoc[] =>
    corpus.map((d, i) => ({
      vector: trainVectors[i],
      label: docClass[i] < 0 ? -1 : label(docClass[i]),
      weight: d.kind === 'example' ? opts.exampleWeight : 1,
    }));
  const nb = {
    sub: trainNaiveBayes(training((c) => c), classes.length, vocab.size, idf),
    head: trainNaiveBayes(training((c) => classHead[c]), heads.length, vocab.size, idf),
    chap: trainNaiveBayes(training((c) => classChap[c]), chaps.length, vocab.size, idf),
  };

  const exampleCount = new Float32Array(classes.length);
  for (const e of usable) exampleCount[classOf.get(e.hs6)!]++;

  return {
    terms: vocab.terms,
    classes,
    heads,
    chaps,
    classHead,
    classChap,
    index,
    docClass,
    docKind: Uint8Array.from(corpus, (d) => DOC_KINDS.indexOf(d.kind)),
    docRef: Int32Array.from(corpus, (d) => d.ref),
    nb,
    exampleCount,
    examples: usable,
    levels: opts.levels ? trainLevels(ds, examples.filter((e) => classOf.has(e.hs6)), opts.levels) : null,
    expansions: opts.terms ? buildExpansions(ds, usable, opts.terms, (t) => vocab.get(t) !== undefined) : null,
  };
}

function trainLevels(ds: Dataset, examples: Example[], o: LevelTrainingOptions): NonNullable<Model['levels']> {
  const docs = levelCorpus(ds, examples, { ...o, sources: o.sources as Partial<Record<ExampleSource, number>> });
  const tree = trainTree(ds.hs.subheadings, docs, { epochs: o.epochs, lr: o.lr, l2: o.l2, minDocs: 1, rootMinDocs: o.rootMinDocs }, o.seed);
  return { tree, features: o.features, beam: o.beam };
}
