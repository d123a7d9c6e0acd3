// The hierarchical level models: features, one node's softmax, the tree (chapter -> heading -> subheading)
// and the beam across the levels, on a small tree whose answers follow from the training texts.
import { hashedFeatures, findSorted, HASH_BITS } from '../server/pipeline/levels/features';
import { trainNode, nodeLogProbs } from '../server/pipeline/levels/softmax';
import { trainTree, LevelQuery, type LevelDoc } from '../server/pipeline/levels/tree';
import { normalise } from '../server/pipeline/normalise';
import { coveredText } from '../server/pipeline/corpus';
import { rng } from '../server/tune/ga';

const W = { word: 1, bigram: 0.7, char: 0.5, charMin: 4, charMax: 4 };
const x = (text: string) => hashedFeatures(normalise(text), W);
const SGD = { epochs: 20, lr: 2, l2: 0, minDocs: 1, rootMinDocs: 1 };

describe('features', () => {
  test('sorted distinct ids in range, L2-normalised, character n-grams shared by variants', () => {
    const v = x('Sweatshirts of cotton, knitted');
    expect([...v.ids]).toEqual([...v.ids].sort((a, b) => a - b));
    expect(new Set(v.ids).size).toBe(v.ids.length);
    expect([...v.ids].every((id) => id >= 0 && id < 2 ** HASH_BITS)).toBe(true);
    expect(Math.hypot(...v.values)).toBeCloseTo(1, 5);
    // "hoodies" and "hoody" share no stem but share the 4-gram "hood" (and "<hoo").
    const a = x('hoodies');
    const b = x('hoody');
    expect([...a.ids].filter((id) => findSorted(b.ids, id) >= 0).length).toBeGreaterThan(0);
    const words = hashedFeatures(normalise('hoodies'), { ...W, char: 0 });
    expect(words.ids.length).toBe(1);
  });
  test('a detail adds words, not character n-grams', () => {
    const plain = hashedFeatures(normalise('rope'), W);
    const withDetail = hashedFeatures(normalise('rope'), W, { q: normalise('polypropylene'), weight: 0.5 });
    expect(withDetail.ids.length).toBe(plain.ids.length + 1);
  });
});

describe('one node', () => {
  test('learns to tell its children apart; log-probabilities sum to one', () => {
    const docs = [
      ...['cotton t-shirt', 'knitted cotton tee', 'cotton vest'].map((t) => ({ x: x(t), label: 0, weight: 1 })),
      ...['steel bolt', 'screws of steel', 'steel nut'].map((t) => ({ x: x(t), label: 1, weight: 1 })),
    ];
    const m = trainNode(['a', 'b'], docs, SGD, rng(1));
    const out = new Float64Array(2);
    nodeLogProbs(m, x('cotton singlet'), out);
    expect(out[0]).toBeGreaterThan(out[1]);
    expect(Math.exp(out[0]) + Math.exp(out[1])).toBeCloseTo(1, 6);
    nodeLogProbs(m, x('bolts of steel'), out);
    expect(out[1]).toBeGreaterThan(out[0]);
  });
  test('seeded: the same seed gives the same weights', () => {
    const docs = ['a cat', 'a dog', 'two cats'].map((t, i) => ({ x: x(t), label: i % 2, weight: 1 }));
    const m1 = trainNode(['x', 'y'], docs, SGD, rng(7));
    const m2 = trainNode(['x', 'y'], docs, SGD, rng(7));
    expect([...m1.w]).toEqual([...m2.w]);
  });
});

describe('the tree and the beam', () => {
  const subheadings = ['610910', '610990', '611020', '731815', '731816', '940161'];
  const doc = (text: string, code: string): LevelDoc => ({ x: x(text), code, weight: 1 });
  const docs = [
    doc('t-shirts of cotton knitted', '610910'),
    doc('cotton tee shirt', '610910'),
    doc('t-shirts of synthetic fibres knitted', '610990'),
    doc('polyester tee shirt', '610990'),
    doc('pullovers sweaters of cotton knitted', '611020'),
    doc('cotton jumper sweater', '611020'),
    doc('threaded screws and bolts of steel', '731815'),
    doc('hex bolt steel', '731815'),
    doc('nuts of iron or steel', '731816'),
    doc('steel hex nut', '731816'),
    doc('upholstered seats with wooden frames', '940161'),
    // A heading-level document teaches the chapter and heading models only.
    doc('seats whether or not convertible into beds', '9401'),
  ];
  const tree = trainTree(subheadings, docs, SGD, 42);

  test('one model per level: chapters at the root, headings per chapter, subheadings per heading', () => {
    expect(tree.root.children).toEqual(['61', '73', '94']);
    expect(tree.chapters.get('61')!.children).toEqual(['6109', '6110']);
    expect(tree.chapters.has('73')).toBe(false); // one heading: no model needed
    expect(tree.headings.get('6109')!.children).toEqual(['610910', '610990']);
    expect(tree.headings.has('6110')).toBe(false);
    expect(tree.headingsOf.get('94')).toEqual(['9401']);
  });

  test('each level decides its part: chapter, heading, subheading', () => {
    const q = new LevelQuery(tree, x('mens cotton t-shirt'));
    const [lc, lh, ls] = q.levels('610910');
    expect(lc).toBeGreaterThan(q.levels('731815')[0]);
    expect(lh).toBeGreaterThan(q.levels('611020')[1]);
    expect(ls).toBeGreaterThan(q.levels('610990')[2]);
    expect(q.levels('611020')[2]).toBe(0); // a heading with one subheading: log 1
  });

  test('the beam orders subheadings by the product of the three probabilities', () => {
    const b = new LevelQuery(tree, x('steel nut M8')).beam(2, 3);
    expect(b[0].hs6).toBe('731816');
    for (let i = 1; i < b.length; i++) expect(b[i].logp).toBeLessThanOrEqual(b[i - 1].logp);
    const one = new LevelQuery(tree, x('steel nut')).beam(1, 1);
    expect(new Set(one.map((r) => r.hs6.slice(0, 4)))).toEqual(new Set(['7318']));
    // Polyester tee: chapter 61, heading 6109, and the synthetic-fibre subheading.
    expect(new LevelQuery(tree, x('polyester t-shirt')).beam(1, 1)[0].hs6).toBe('610990');
  });
});

describe('what official texts are learnt from', () => {
  test("an exclusion's words are left out: they name goods the line does not cover", () => {
    const words = (t: string) => normalise(coveredText(t)).tokens;
    expect(words('Balls, other than golf balls and table-tennis balls: Inflatable')).not.toContain(normalise('golf').tokens[0]);
    expect(words('Balls, other than golf balls and table-tennis balls: Inflatable')).toContain(normalise('inflatable').tokens[0]);
    expect(words('Balls; (other than inflatable or for lawn-tennis, golf or table-tennis)')).toEqual(normalise('Balls').tokens);
    expect(coveredText('T-shirts; of textile materials (other than cotton), knitted')).not.toMatch(/cotton/);
    expect(coveredText('Golf balls')).toBe('Golf balls');
    expect(coveredText('Footwear, excluding sports footwear; with uppers of leather')).toMatch(/with uppers of leather$/);
  });
});
