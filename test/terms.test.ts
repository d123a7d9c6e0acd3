// Vocabulary expansion (server/pipeline/terms.ts): learned from labelled examples, and from WordNet.
import { expandQuery, learnedExpansions, nomenclatureVocabulary, wordnetDir, wordnetExpansions, buildExpansions } from '../server/pipeline/terms';
import { normalise } from '../server/pipeline/normalise';
import type { Dataset, Example } from '../server/types';

const node = (code: string, description: string) => [code, { code, level: code.length, description, parent: null, section: 'XI' }] as const;
const ds = {
  hs: { nodes: new Map([node('61', 'Articles of apparel, knitted or crocheted'), node('6110', 'Jerseys, pullovers, cardigans, waistcoats, knitted or crocheted'), node('6109', 'T-shirts, singlets and other vests, knitted or crocheted'), node('6403', 'Footwear with outer soles of rubber and uppers of leather')]) },
  us: [],
  eu: [],
} as unknown as Dataset;
const ex = (text: string, hs6: string, source: Example['source'] = 'cross'): Example => ({ id: `${source}:${text}`, source, text, hs6, code: hs6 });
const stem = (w: string) => normalise(w).tokens[0];
const O = { learned: true, wordnet: true, minCount: 2, minShare: 0.6, maxWords: 6 };

describe('learned expansions', () => {
  const vocab = nomenclatureVocabulary(ds);
  test('a word the nomenclature lacks, mostly under one heading, maps to that heading\'s words', () => {
    const m = learnedExpansions(ds, [ex('mens hoodie', '611020'), ex('zip hoodie cotton', '611020'), ex('hoodie sweatshirt', '611030')], vocab, O);
    expect(m[stem('hoodie')]).toEqual(expect.arrayContaining([stem('pullovers'), stem('jerseys')]));
    expect(m[stem('hoodie')].every((t) => vocab.has(t))).toBe(true);
  });
  test('not when it is rare, spread over headings, or a nomenclature word already', () => {
    const m = learnedExpansions(ds, [ex('hoodie', '611020'), ex('gizmo', '611020'), ex('gizmo', '640399'), ex('knitted pullover', '611020'), ex('knitted pullover', '611020')], vocab, O);
    expect(m[stem('hoodie')]).toBeUndefined();
    expect(m[stem('gizmo')]).toBeUndefined();
    expect(m[stem('pullover')]).toBeUndefined();
  });
  test('reads the colloquial terms of the synthetic paraphrases from their detail', () => {
    const syn = (d: string) => ({ ...ex('Pullovers of wool', '611011', 'uk-synthetic'), id: `s:${d}`, detail: d });
    const m = learnedExpansions(ds, [syn('jumper; woolly jumper'), syn('jumper')], vocab, O);
    expect(m[stem('jumper')]).toContain(stem('pullovers'));
  });
});

describe('WordNet expansions', () => {
  test('a word\'s most frequent sense maps to nomenclature words of its synset and hypernyms', () => {
    const dir = wordnetDir();
    expect(dir).not.toBeNull();
    const m = wordnetExpansions(dir!, nomenclatureVocabulary(ds), O);
    expect(m[stem('sneaker')]).toContain(stem('footwear'));
    expect(m[stem('footwear')]).toBeUndefined(); // known to the nomenclature: never expanded
  });
});

describe('expandQuery', () => {
  test('appends each expansion once, keeps the text, and leaves a query without unknown words alone', () => {
    const q = normalise('hoodie and hoodie pullover');
    const out = expandQuery(q, { [stem('hoodie')]: [stem('pullover'), stem('jersey')] });
    expect(out.text).toBe(q.text);
    expect(out.tokens).toEqual([...q.tokens, stem('jersey')]);
    const plain = normalise('knitted pullover');
    expect(expandQuery(plain, { [stem('hoodie')]: [stem('jersey')] })).toBe(plain);
    expect(expandQuery(plain, null)).toBe(plain);
  });
  test('buildExpansions prefers the learned map to WordNet', () => {
    const m = buildExpansions(ds, [ex('running sneaker', '640399'), ex('sneaker leather', '640399')], O);
    expect(m[stem('sneaker')]).toEqual(expect.arrayContaining([stem('footwear'), stem('soles')]));
  });
});
