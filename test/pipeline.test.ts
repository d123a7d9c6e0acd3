// The pipeline on a tiny hand-made tariff: training, retrieval, naive Bayes, fusion, explanation.
import { trainModel } from '../server/pipeline/train';
import { createEngine, classify } from '../server/classifier';
import { termsOf, Vocabulary } from '../server/pipeline/features';
import { buildIndex, search } from '../server/pipeline/retrieve';
import { trainNaiveBayes, logLikelihood, smooth } from '../server/pipeline/model';
import { topK } from '../server/pipeline/score';
import type { ClassifierConfig } from '../server/config';
import type { Dataset, HsNode, NationalLine, Example } from '../server/types';

const node = (code: string, description: string): HsNode => ({
  code,
  level: code.length as 2 | 4 | 6,
  description,
  parent: code.length === 2 ? null : code.slice(0, code.length - 2),
  section: 'XI',
});
const nodes = [
  node('61', 'Apparel and clothing accessories; knitted or crocheted'),
  node('6109', 'T-shirts, singlets and other vests; knitted or crocheted'),
  node('610910', 'T-shirts, singlets and other vests; of cotton, knitted or crocheted'),
  node('610990', 'T-shirts, singlets and other vests; of textile materials (other than cotton), knitted or crocheted'),
  node('85', 'Electrical machinery and equipment'),
  node('8507', 'Electric accumulators'),
  node('850760', 'Electric accumulators; lithium-ion'),
];
const usLine = (code: string, path: string[]): NationalLine => ({
  country: 'US',
  code,
  hs6: code.slice(0, 6),
  description: path[path.length - 1],
  path,
  fullDescription: path.join(' > '),
  unit: 'doz., kg',
  generalRate: '16.5%',
});
const ex = (id: string, text: string, hs6: string): Example => ({ id, source: 'uk-parcel', text, hs6, code: `${hs6}00` });
const ds: Dataset = {
  dir: '/nowhere',
  hs: {
    sections: new Map([['XI', { id: 'XI', name: 'Textiles' }]]),
    nodes: new Map(nodes.map((n) => [n.code, n])),
    subheadings: ['610910', '610990', '850760'],
  },
  us: [
    usLine('6109100004', ['T-shirts', 'Of cotton', "Men's or boys'", 'T-shirts, all white']),
    usLine('6109100012', ['T-shirts', 'Of cotton', "Men's or boys'", 'Other T-shirts']),
    usLine('6109100040', ['T-shirts', 'Of cotton', "Women's or girls'", 'Tank tops']),
  ],
  eu: [],
  correlation: { from2017: new Map(), to2017: new Map() },
  examples: [
    ex('a', 'mens cotton tee', '610910'),
    ex('b', 'ladies polyester tshirt', '610990'),
    ex('c', 'li-ion battery for laptop', '850760'),
  ],
  unmapped: [],
  files: [],
};
const config: ClassifierConfig = {
  version: 1,
  training: { exampleWeight: 2, detailChars: 0 },
  shortlist: 10,
  alpha: 0.1,
  fusion: { weights: { nbSub: 1, nbHead: 0.5, nbChap: 0.5, nom: 2, knn1: 3, knn3: 1, prior: 0.1, material: 1, lvChap: 0, lvHead: 0, lvSub: 0, head: 0, fuzzy: 1 }, rerank: 5, temperature: 1 },
  calibration: { x: [0, 1], y: [0, 1] },
  reviewThreshold: 0.6,
  national: { minScore: 0.05, margin: 0.03 },
};

describe('pipeline on a tiny tariff', () => {
  const engine = createEngine(ds, trainModel(ds, ds.examples, config.training), config);

  test('picks the material-specific subheading, best first, with three candidates at most', async () => {
    const r = await classify(engine, 'womens polyester t-shirt');
    expect(r.candidates[0].hs6).toBe('610990');
    expect(r.candidates.length).toBeLessThanOrEqual(3);
    const conf = r.candidates.map((c) => c.confidence);
    expect([...conf].sort((a, b) => b - a)).toEqual(conf);
    expect((await classify(engine, 'lithium ion battery')).candidates[0].hs6).toBe('850760');
  });

  test('codes are strings and each candidate has its description and supporting examples', async () => {
    const [best] = (await classify(engine, 'mens cotton t-shirt')).candidates;
    expect(best).toMatchObject({ hs6: '610910', code: '610910', description: nodes[2].description });
    expect(best.examples[0]).toMatchObject({ text: 'mens cotton tee', code: '61091000', source: 'uk-parcel' });
    expect(best.examples[0].similarity).toBeGreaterThan(0);
  });

  test('status follows the review threshold', async () => {
    const r = await classify(engine, 'mens cotton t-shirt');
    expect(r.status).toBe(r.candidates[0].confidence >= config.reviewThreshold ? 'ok' : 'review');
    const strict = createEngine(ds, engine.model, { ...config, reviewThreshold: 1.01 });
    expect((await classify(strict, 'mens cotton t-shirt')).status).toBe('review');
  });

  test('US lines: decided when the text says, else the HS 6 with the missing detail', async () => {
    const tank = (await classify(engine, 'womens cotton knitted tank tops', 'US')).candidates.find((c) => c.hs6 === '610910')!;
    expect(tank.code).toBe('6109100040');
    expect(tank.generalRate).toBe('16.5%');
    const vague = (await classify(engine, 'cotton t-shirts', 'US')).candidates.find((c) => c.hs6 === '610910')!;
    expect(vague.code).toBe('610910');
    expect(vague.missingDetail).toMatch(/does not say/);
  });

  test('error rows: blank, non-string and noise-only descriptions', async () => {
    expect((await classify(engine, '   '))).toMatchObject({ status: 'error', error: 'blank description' });
    expect((await classify(engine, null))).toMatchObject({ status: 'error' });
    expect((await classify(engine, 'SKU 12345 £5.99 x12')).status).toBe('error');
    expect((await classify(engine, 'zzyzx qwertyuiop'))).toMatchObject({ status: 'error', error: expect.stringMatching(/no word/) });
  });
});

describe('index and model', () => {
  const vocab = new Vocabulary();
  const docs = [['red', 'apple'], ['green', 'apple'], ['red', 'car']].map((d) => {
    termsOf(d).forEach((t) => vocab.add(t));
    return vocab.vector(termsOf(d));
  });

  test('terms are unigrams plus adjacent bigrams', () => {
    expect(termsOf(['knit', 'cotton', 'shirt'])).toEqual(['knit', 'cotton', 'shirt', 'knit_cotton', 'cotton_shirt']);
  });

  test('cosine search ranks the exact document first and returns the scratch buffer zeroed', () => {
    const index = buildIndex(docs, vocab.size);
    const scratch = new Float32Array(index.nDocs);
    const hits = search(index, vocab.vector(termsOf(['red', 'apple'])), scratch);
    const best = hits.docs[hits.scores.indexOf(Math.max(...hits.scores))];
    expect(best).toBe(0);
    expect(Math.max(...hits.scores)).toBeCloseTo(1, 5);
    expect([...scratch].every((v) => v === 0)).toBe(true);
  });

  test('naive Bayes favours the class with the words; the best class scores 0', () => {
    const idf = new Float32Array(vocab.size).fill(1);
    const nb = trainNaiveBayes(docs.map((vector, i) => ({ vector, label: i === 2 ? 1 : 0, weight: 1 })), 2, vocab.size, idf);
    const out = new Float64Array(2);
    logLikelihood(nb, vocab.vector(['car']), smooth(nb, 0.1), out);
    expect(out[1]).toBe(0);
    expect(out[0]).toBeLessThan(0);
    logLikelihood(nb, vocab.vector(['green']), smooth(nb, 0.1), out);
    expect(out[0]).toBe(0);
    expect(out[1]).toBeLessThan(0);
  });

  test('topK returns the largest values best first', () => {
    expect(topK([3, 9, 1, 7, 5], 3)).toEqual([1, 3, 4]);
    expect(topK([1], 3)).toEqual([0]);
  });
});
