// National lines (US 10-digit, EU 8-digit) decided by attributes, never by text similarity alone: the code
// is the national line only when the stated attributes leave one line; otherwise the HS 6 with `likely`
// (what labelled examples use, or the statistics, with why) and `questions` (what separates the lines).
import { chooseNational, distinguishing, type NationalEvidence } from '../server/pipeline/national';
import { extractAttributes } from '../server/pipeline/attributes';
import { openEngine } from '../server/engine';
import { classify, type Engine } from '../server/classifier';
import type { NationalLine } from '../server/types';

const line = (code: string, path: string[], country: 'US' | 'EU' = 'US'): NationalLine => ({
  country,
  code,
  hs6: code.slice(0, 6),
  description: path[path.length - 1],
  path,
  fullDescription: path.join(' > '),
  unit: 'doz., kg',
  generalRate: '16.5%',
});
const opts = { minScore: 0.05, margin: 0.03 };
const noEvidence = (n: number): NationalEvidence => ({ similarity: new Array(n).fill(0), examples: [] });
const choose = (lines: NationalLine[], description: string, ev: NationalEvidence = noEvidence(lines.length)) =>
  chooseNational(lines[0]?.hs6 ?? '999999', lines, extractAttributes(description), ev, opts);

// The real paths of some 6110.20 lines (sweaters... of cotton), heading text first.
const H = 'Sweaters, pullovers, sweatshirts, waistcoats (vests) and similar articles, knitted or crocheted';
const sweaters = [
  line('6110201010', [H, 'Of cotton', 'Containing 36 percent or more by weight of flax fibers', 'Sweaters', "Men's or boys' (345)"]),
  line('6110201020', [H, 'Of cotton', 'Containing 36 percent or more by weight of flax fibers', 'Sweaters', "Women's or girls' (345)"]),
  line('6110202010', [H, 'Of cotton', 'Other', 'Other', 'Sweaters', "Men's (345)"]),
  line('6110202020', [H, 'Of cotton', 'Other', 'Other', 'Sweaters', "Women's (345)"]),
  line('6110202041', [H, 'Of cotton', 'Other', 'Other', 'Sweatshirts', "Men's (338)"]),
  line('6110202067', [H, 'Of cotton', 'Other', 'Other', 'Other', "Men's or boys'", 'Knit to shape articles described in statistical note 6 to this chapter (338)']),
  line('6110202069', [H, 'Of cotton', 'Other', 'Other', 'Other', "Men's or boys'", 'Other (338)']),
  line('6110202077', [H, 'Of cotton', 'Other', 'Other', 'Other', "Women's or girls'", 'Knit to shape articles described in statistical note 6 to this chapter (339)']),
  line('6110202079', [H, 'Of cotton', 'Other', 'Other', 'Other', "Women's or girls'", 'Other (339)']),
];

describe('national lines decided by attributes', () => {
  test('a single line is chosen whatever the text says', () => {
    expect(choose([line('0101300000', ['Asses'])], 'donkey').code).toBe('0101300000');
  });

  test('no lines at all', () => {
    expect(chooseNational('999999', [], extractAttributes('x'), noEvidence(0), opts)).toMatchObject({ code: '999999', line: null });
  });

  test('the parts of the paths all lines share are not what separates them', () => {
    expect(distinguishing(sweaters.slice(0, 2))).toEqual([["Men's or boys' (345)"], ["Women's or girls' (345)"]]);
    expect(distinguishing(sweaters.slice(0, 3))[2]).toEqual(['Other', 'Other', 'Sweaters', "Men's (345)"]);
  });

  test('stated attributes that leave one line decide it, and are cited', () => {
    const c = choose(sweaters, 'mens 100% cotton sweatshirt');
    expect(c.code).toBe('6110202041');
    expect(c.line?.unit).toBe('doz., kg');
    expect(c.likely).toBeUndefined();
    expect(c.decidedBy).toEqual(expect.arrayContaining([
      { attribute: 'kind', text: 'Sweatshirts', stated: 'sweatshirt' },
      { attribute: 'gender', text: "not Women's or girls'", stated: "men's" },
      { attribute: 'percent', text: 'not Containing 36 percent or more by weight of flax fibers', stated: '100% cotton (no flax)' },
    ]));
  });

  test('"Other" only when the stated attributes exclude the named siblings', () => {
    // 100% cotton excludes the flax lines; "knit to shape" stated or denied picks the line or its "Other".
    const noKinds = sweaters.filter((l) => !/Sweat|Sweaters/.test(l.path.slice(3).join()));
    expect(choose(noKinds, "men's 100% cotton fully fashioned cardigan").code).toBe('6110202067');
    expect(choose(noKinds, "men's 100% cotton cut and sewn cardigan").code).toBe('6110202069');
    // Goods the kind-level texts do not name leave them all open ("cardigan": Sweaters? Other?).
    expect(choose(sweaters, "men's 100% cotton cut and sewn cardigan").code).toBe('611020');
    // Without the composition the flax lines stay possible: no national code.
    expect(choose(sweaters, "men's cotton sweatshirt").code).toBe('611020');
    expect(choose(sweaters, "men's cotton sweatshirt").questions).toContain('Does it contain 36 percent or more by weight of flax fibres?');
  });

  test('the tee of issue 9: never a "knit to shape" line the text does not state; the questions ask what is missing', () => {
    const c = choose(sweaters, 'SKU 88231 MENS CREW NECK TEE 100% COTTON JERSEY KNIT');
    expect(c.code).toBe('611020');
    expect(c.line).toBeNull();
    expect(c.questions).toContain('Is the garment knit to shape?');
    expect(c.questions!.some((q) => /Sweaters; Sweatshirts; Other/.test(q))).toBe(true);
    expect(c.questions!.join(' ')).not.toMatch(/Men's|Women's|flax/); // stated, so not asked
    expect(c.missingDetail).toMatch(/does not say which of \d+ national lines/);
  });

  test('gender missing: the question asks it, with the lines\' own words', () => {
    const c = choose(sweaters.filter((l) => l.code.startsWith('61102020')).slice(0, 2), '100% cotton sweater');
    expect(c.code).toBe('611020');
    expect(c.questions).toEqual(["Men's, or women's?"]);
  });

  test('text similarity alone never decides', () => {
    const two = sweaters.slice(5, 7);
    const c = choose(two, "men's cotton cardigan", { similarity: [0.9, 0.01], examples: [] });
    expect(c.code).toBe('611020');
    expect(c.likely).toEqual({ code: '6110202067', basis: expect.stringMatching(/^statistical choice: .*closest to the description \(similarity 0\.90\).*whether it is knit to shape/) });
    expect(c.questions).toEqual(['Is the garment knit to shape?']);
  });

  test('likely: the line most similar labelled examples use, with the rulings, before the statistics', () => {
    const two = sweaters.slice(5, 7);
    const ev: NationalEvidence = {
      similarity: [0.9, 0],
      examples: [
        { code: '6110202069', source: 'cross', similarity: 0.4, ruling: 'NY N111111' },
        { code: '6110202069', source: 'atlas', similarity: 0.3 },
        { code: '6110202067', source: 'cross', similarity: 0.2, ruling: 'NY N222222' },
        { code: '6110202067', source: 'cross', similarity: 0 },
      ],
    };
    const c = choose(two, "men's cotton cardigan", ev);
    expect(c.code).toBe('611020');
    expect(c.likely!.code).toBe('6110202069');
    expect(c.likely!.basis).toMatch(/^2 of the 3 labelled examples similar to the description under 6110\.20 \(CROSS rulings, CBP ruling descriptions\) use this line, e\.g\. NY N111111/);
    // With no similar example, all the examples under the HS 6 count.
    const far = choose(two, "men's cotton cardigan", { similarity: [0, 0], examples: [{ code: '6110202067', source: 'cross', similarity: 0 }] });
    expect(far.likely).toEqual({ code: '6110202067', basis: expect.stringContaining('though none is close to this description') });
  });

  test('weights: a threshold line is chosen by the stated weight, "Other" by a weight above it', () => {
    const lines = [line('0813400010', ['Dried fruit', 'Weighing not more than 250 g']), line('0813400090', ['Dried fruit', 'Other'])];
    expect(choose(lines, 'dried mango 200g').code).toBe('0813400010');
    expect(choose(lines, 'dried mango 2 kg').code).toBe('0813400090');
    const open = choose(lines, 'dried mango');
    expect(open.code).toBe('081340');
    expect(open.questions).toEqual(['What does it weigh? The lines turn on: weighing not more than 250 g.']);
  });

  test('EU lines whose texts are the same cannot be told apart: said so', () => {
    const P = ["Men's or boys' suits, ensembles, jackets, blazers, trousers", 'Of cotton'];
    const lines = [line('62034235', [...P, 'Other'], 'EU'), line('62034259', [...P, 'Other'], 'EU'), line('62034231', [...P, 'Of denim'], 'EU')];
    const c = choose(lines, 'mens cotton chinos');
    expect(c.code).toBe('620342');
    expect(c.questions!.some((q) => q.includes('6203.42.35, 6203.42.59') && q.includes('the same'))).toBe(true);
  });
});

describe('national lines on the real engine (country US)', () => {
  let engine: Engine;
  beforeAll(() => {
    engine = openEngine().engine;
  });

  test('the tee: no "knit to shape" line, questions about what is missing, a likely line with its basis', async () => {
    const r = await classify(engine, 'SKU 88231 MENS CREW NECK TEE 100% COTTON JERSEY KNIT', 'US');
    for (const c of r.candidates) {
      const line = engine.ds.us.find((l) => l.code === c.code);
      expect(line?.fullDescription ?? '').not.toMatch(/knit to shape/i);
      if (c.code.length === 6) {
        expect(c.likely?.code.startsWith(c.hs6)).toBe(true);
        expect(c.likely?.basis).toBeTruthy();
        expect(c.questions?.length).toBeGreaterThan(0);
        // What the tee states (men's, 100% cotton) is not asked again.
        expect(c.questions!.join(' ')).not.toMatch(/Men's or boys', or women's|chief material/i);
      }
    }
    const t = r.candidates.find((c) => c.hs6 === '610910' || c.hs6 === '611020')!;
    expect(t).toBeDefined();
    expect(t.code).toHaveLength(6);
    const g6 = r.reasoning?.steps.find((s) => s.rule === 'gri-6-attributes');
    expect(g6?.detail).toMatch(/of cotton \(the description states 100% cotton\), GRI 6/);
  });

  test('a line the stated attributes decide is given, with the attributes cited', async () => {
    const r = await classify(engine, 'mens 100% cotton knitted sweatshirt', 'US');
    const c = r.candidates.find((x) => x.hs6 === '611020')!;
    expect(c.code).toBe('6110202041');
    expect(c.nationalDescription).toMatch(/Sweatshirts > Men's/);
    expect(c.likely).toBeUndefined();
    expect(c.attributes).toEqual(expect.arrayContaining([
      expect.objectContaining({ level: 'national', attribute: 'gender', stated: "men's" }),
      expect.objectContaining({ level: 'national', attribute: 'percent', stated: '100% cotton (no flax)' }),
    ]));
    // Boys': the lines part on "imported as parts of playsuits", which the text does not say.
    const boys = (await classify(engine, 'boys 100% cotton knit sweatshirt', 'US')).candidates.find((x) => x.hs6 === '611020')!;
    expect(boys.code).toBe('611020');
    expect(boys.questions!.some((q) => /playsuits/.test(q))).toBe(true);
  });

  test('a voltage decides the subheading: 11 kV cable is 8544.60, not a low-voltage line', async () => {
    const r = await classify(engine, 'power cable 11 kV', 'US');
    expect(r.candidates[0].hs6).toBe('854460');
    expect(r.candidates[0].attributes).toEqual(expect.arrayContaining([expect.objectContaining({ level: 'subheading', attribute: 'measure', stated: expect.stringMatching(/11\s?kv/i) })]));
  });
});
