// GRI 6 by attributes: what a raw description states, what an official text requires, how they meet,
// and the choice between the subheadings of a heading (a stated attribute decides and is cited; a missing
// one yields a question).
import { check, decideSiblings, extractAttributes, measuresOf, parseText, type Condition } from '../server/pipeline/attributes';
import { gri6, putFirst, withGri6 } from '../server/pipeline/gri6';
import type { HsNode, HsTree, Reasoning } from '../server/types';

const attrs = extractAttributes;
const cond = (text: string, dim: Condition['dim']) => {
  const c = parseText(text).conditions.find((x) => x.dim === dim);
  if (!c) throw new Error(`no ${dim} condition in "${text}"`);
  return c;
};
const verdict = (text: string, dim: Condition['dim'], description: string) => check(cond(text, dim), attrs(description)).verdict;

describe('extracting attributes from the raw description', () => {
  test('materials and percentages, man-made fibres told apart', () => {
    const a = attrs('55% linen 45% cotton shirt');
    expect(a.materials).toEqual(expect.arrayContaining([{ material: 'flax', percent: 55 }, { material: 'cotton', percent: 45 }]));
    expect(a.chief).toBe('flax');
    expect(a.percentTotal).toBe(100);
    expect(attrs('mens 100% polyester trousers').chief).toBe('synthetic fibres');
    const v = attrs('Ladies top 95% viscose 5% elastane');
    expect(v.chief).toBe('artificial fibres');
    expect(v.extraPercent.elastomeric).toBe(5);
    expect(attrs('50% cotton 50% polyester tee').chief).toBeNull(); // tied: no chief material
    expect(attrs('cotton tee').chief).toBe('cotton');
    expect(attrs('SKU 88231 MENS CREW NECK TEE 100% COTTON JERSEY KNIT').composition).toBe('100% cotton');
  });

  test('knitted or woven, knit to shape', () => {
    expect(attrs('jersey knit top').knitted).toBe(true);
    expect(attrs('woven denim jeans').knitted).toBe(false);
    expect(attrs('cotton shirt').knitted).toBeNull();
    expect(attrs('fully fashioned cashmere sweater').knitToShape).toBe(true);
    expect(attrs('cut and sewn sweatshirt').knitToShape).toBe(false);
    expect(attrs('MENS CREW NECK TEE JERSEY KNIT').knitToShape).toBeNull();
  });

  test('gender', () => {
    expect(attrs('MENS CREW NECK TEE').gender).toBe('men');
    expect(attrs("ladies' blouse").gender).toBe('women');
    expect(attrs('girls dress').gender).toBe('girls');
    expect(attrs('boys shorts').gender).toBe('boys');
    expect(attrs('unisex hoodie').gender).toBeNull();
    expect(attrs('cotton tee').gender).toBeNull();
  });

  test('put up for retail sale, or in bulk', () => {
    expect(attrs('paracetamol tablets retail pack of 24').retail).toBe(true);
    expect(attrs('vitamin c tablets in blister packs').retail).toBe(true);
    expect(attrs('bulk rice 25kg bags').retail).toBe(false);
    expect(attrs('rice').retail).toBeNull();
  });

  test('frozen, fresh or chilled, dried', () => {
    expect(attrs('frozen peas').states).toEqual(['frozen']);
    expect(attrs('fresh frozen tuna loins').states).toEqual(['frozen']);
    expect(attrs('fresh chilled salmon').states.sort()).toEqual(['chilled', 'fresh']);
    expect(attrs('dried mango slices').states).toEqual(['dried']);
    expect(attrs('mango slices').states).toEqual([]);
  });

  test('power source', () => {
    expect(attrs('cordless drill 18V li-ion').power).toEqual(expect.arrayContaining(['battery', 'electric']));
    expect(attrs('hand-operated can opener').power).toEqual(['non-electric']);
    expect(attrs('diesel generator 5 kW').power).toEqual(['diesel']);
    expect(attrs('hair dryer 220-240V').power).toContain('electric');
    expect(attrs('can opener').power).toEqual([]);
  });

  test('voltage, weight and dimension measures from the raw text (the normaliser drops them)', () => {
    expect(measuresOf('power cable 1,000 V')).toEqual([{ quantity: 'voltage', value: 1000, text: '1000 v' }].map((m) => ({ ...m, text: expect.any(String) })));
    expect(measuresOf('cable 11 kV')[0]).toMatchObject({ quantity: 'voltage', value: 11000 });
    expect(measuresOf('dried mango 250g')[0]).toMatchObject({ quantity: 'mass', value: 250 });
    expect(measuresOf('1,5 kg bag')[0]).toMatchObject({ quantity: 'mass', value: 1500 });
    expect(measuresOf('hair dryer 220-240V').map((m) => m.value)).toEqual([220, 240]);
    expect(measuresOf('table 120 x 60 x 75 cm').map((m) => m.value)).toEqual([120, 60, 75]);
    expect(measuresOf('fabric 180 gsm width 150cm')).toEqual([
      expect.objectContaining({ quantity: 'areal weight', value: 180 }),
      expect.objectContaining({ quantity: 'length', value: 150, qualifier: 'width' }),
    ]);
    expect(measuresOf('transformer 25 kVA')[0]).toMatchObject({ quantity: 'apparent power', value: 25000 });
    expect(measuresOf('SKU 88231 MENS TEE')).toEqual([]);
  });

  test('assembled or unassembled', () => {
    expect(attrs('table unassembled flat pack').assembled).toBe(false);
    expect(attrs('knocked down wardrobe').assembled).toBe(false);
    expect(attrs('fully assembled office chair').assembled).toBe(true);
    expect(attrs('office chair').assembled).toBeNull();
  });

  test('use', () => {
    expect(attrs('fully assembled office chair').uses).toEqual(['office']);
    expect(attrs('household scissors').uses).toEqual(['household']);
    expect(attrs('scissors').uses).toEqual([]);
  });
});

describe('reading the conditions of official texts', () => {
  test('materials, including "other than" and US spellings', () => {
    expect(cond('T-shirts, singlets and other vests; of cotton, knitted or crocheted', 'material').material).toEqual({ covers: ['cotton'], excludes: [] });
    expect(cond('T-shirts, singlets and other vests; of textile materials (other than cotton), knitted or crocheted', 'material').material).toEqual({ covers: [], excludes: ['cotton'] });
    expect(cond('Of synthetic fibers', 'material').material!.covers).toEqual(['synthetic fibres']);
    expect(cond('Of man-made fibers', 'material').material!.covers.sort()).toEqual(['artificial fibres', 'synthetic fibres']);
    expect(parseText('Of other textile materials').residual).toBe(true);
    // The outer surface of cases and containers is their material; paperboard is not paper.
    const sheeting = parseText('Cases and containers; n.e.c. in heading 4202, with outer surface of sheeting of plastics or of textile materials');
    expect(sheeting.conditions.filter((c) => c.dim !== 'kind').map((c) => c.dim)).toEqual(['material']);
    expect(cond('Cases and containers; n.e.c. in heading 4202, with outer surface of sheeting of plastics or of textile materials', 'material').material!.covers).toContain('plastics');
    expect(cond('Cases and containers; handbags, of vulcanised fibre or of paperboard, or wholly or mainly covered with such materials or with paper', 'material').phrase).toBe('of paperboard');
    // The outer soles of footwear stay a part, not the goods' material.
    expect(parseText('Footwear; with outer soles of rubber or plastics and uppers of textile materials').conditions.some((c) => c.dim === 'material' && c.phrase.includes('outer soles'))).toBe(false);
  });

  test('percentages, knit, knit to shape, gender, retail, state, power, assembled', () => {
    expect(cond('Containing 36 percent or more by weight of flax fibers', 'percent').percent).toEqual({ material: 'flax', min: 36 });
    expect(cond('Containing 5 percent or more by weight of elastomeric yarn or rubber thread (348)', 'percent').percent).toEqual({ material: 'elastomeric', min: 5 });
    expect(parseText('Containing 5 percent or more by weight of elastomeric yarn or rubber thread').conditions.some((c) => c.dim === 'material')).toBe(false);
    expect(cond('Trousers; not knitted or crocheted', 'knit').flag).toBe(false);
    expect(cond('Knit to shape articles described in statistical note 6 to this chapter (338)', 'knitToShape').flag).toBe(true);
    expect(cond("Men's or boys'", 'gender').values).toEqual(['men', 'boys']);
    expect(cond("Women's or girls'", 'gender').values).toEqual(['women', 'girls']);
    expect(cond('Medicaments; containing vitamins, packaged for retail sale', 'retail').flag).toBe(true);
    expect(cond('Fish; fresh or chilled, cod', 'state').values).toEqual(['fresh', 'chilled']);
    expect(cond('Hair-dressing apparatus; electro-thermic hair dryers', 'power').values).toEqual(['electric']);
    expect(cond('Other than electric', 'power').values).toEqual(['non-electric']);
    expect(cond('Furniture, unassembled', 'assembled').flag).toBe(false);
    expect(parseText('Furniture, whether or not assembled').conditions.some((c) => c.dim === 'assembled')).toBe(false);
  });

  test('thresholds: weights, voltages, kVA, cylinder capacity, widths', () => {
    expect(cond('Weighing not more than 250 g', 'measure').range).toEqual({ quantity: 'mass', max: 250, maxIncl: true });
    expect(cond('Insulated electric conductors; for a voltage exceeding 1,000 V', 'measure').range).toEqual({ quantity: 'voltage', min: 1000, minIncl: false });
    expect(cond('Transformers; having a power handling capacity exceeding 1kVA but not exceeding 16kVA', 'measure').range).toEqual({
      quantity: 'apparent power', min: 1000, minIncl: false, max: 16000, maxIncl: true,
    });
    expect(cond('Vehicles; cylinder capacity over 1000 but not over 1500cc', 'measure').range).toMatchObject({ quantity: 'displacement', min: 1000, max: 1500 });
    expect(cond('Of a width exceeding 30 cm', 'measure').range).toMatchObject({ quantity: 'length', min: 30, qualifier: 'width' });
  });

  test('"Other" lines are residual; kinds of goods and details are kept apart', () => {
    expect(parseText('Other').residual).toBe(true);
    expect(parseText('Other T-shirts').residual).toBe(true);
    expect(parseText('Transformers; n.e.c. in item no. 8504.2').residual).toBe(true);
    expect(parseText("Men's or boys'").residual).toBe(false);
    const white = parseText('T-shirts, all white, short hemmed sleeves, without pockets, trim or embroidery (352)');
    expect(white.conditions.find((c) => c.dim === 'kind')?.words).toEqual(['tshirt']);
    expect(white.conditions.filter((c) => c.dim === 'feature').map((c) => c.phrase)).toEqual(expect.arrayContaining(['all white', 'without pockets']));
  });
});

describe('matching stated attributes against conditions', () => {
  test('a stated attribute meets or contradicts; an unstated one is unknown', () => {
    const cotton = 'T-shirts; of cotton, knitted or crocheted';
    expect(verdict(cotton, 'material', '100% cotton tee')).toBe('yes');
    expect(verdict(cotton, 'material', '100% polyester tee')).toBe('no');
    expect(verdict(cotton, 'material', 'tee')).toBe('unknown');
    expect(check(cond(cotton, 'material'), attrs('tee 100% cotton')).stated).toBe('100% cotton');
    const other = 'T-shirts; of textile materials (other than cotton), knitted or crocheted';
    expect(verdict(other, 'material', '100% polyester tee')).toBe('yes');
    expect(verdict(other, 'material', '100% cotton tee')).toBe('no');
    expect(verdict('Of synthetic fibers', 'material', '100% viscose dress')).toBe('no');
    expect(verdict('Of artificial fibers', 'material', '100% viscose dress')).toBe('yes');
  });

  test('no false exclusions: metal trims, blends without percentages, kinds of a material, "fresh, chilled or frozen"', () => {
    expect(verdict('T-shirts; of cotton', 'material', 'gold button textured knit waistcoat')).toBe('unknown');
    expect(verdict('T-shirts; of cotton', 'material', 'easy iron school shirt')).toBe('unknown');
    expect(verdict('Jackets; of synthetic fibres', 'material', 'linen blend bomber jacket')).toBe('unknown');
    expect(verdict('Jackets; of synthetic fibres', 'material', '55% linen 45% cotton bomber jacket')).toBe('no');
    expect(parseText('Wood marquetry; of other than tropical wood').conditions.some((c) => c.dim === 'material')).toBe(false);
    expect(attrs('meat of swine, fresh, chilled, or frozen').states.sort()).toEqual(['chilled', 'fresh', 'frozen']);
  });

  test('percentages: a full composition that does not name the material means none of it', () => {
    const flax = 'Containing 36 percent or more by weight of flax fibers';
    expect(verdict(flax, 'percent', '100% cotton sweater')).toBe('no');
    expect(verdict(flax, 'percent', '60% cotton 40% linen sweater')).toBe('yes');
    expect(verdict(flax, 'percent', 'cotton sweater')).toBe('unknown');
    const elastomeric = 'Containing 5 percent or more by weight of elastomeric yarn or rubber thread';
    expect(verdict(elastomeric, 'percent', '95% cotton 5% spandex leggings')).toBe('yes');
  });

  test('gender, knit, knit to shape, retail, state, power, assembled', () => {
    expect(verdict("Men's or boys'", 'gender', 'MENS CREW NECK TEE')).toBe('yes');
    expect(verdict("Men's or boys'", 'gender', 'ladies tee')).toBe('no');
    expect(verdict("Men's or boys'", 'gender', 'tee')).toBe('unknown');
    expect(verdict('Jackets; knitted or crocheted', 'knit', 'woven jacket')).toBe('no');
    expect(verdict('Knit to shape articles', 'knitToShape', 'jersey knit sweater')).toBe('unknown');
    expect(verdict('Knit to shape articles', 'knitToShape', 'fully fashioned sweater')).toBe('yes');
    expect(verdict('Medicaments; packaged for retail sale', 'retail', 'paracetamol in bulk')).toBe('no');
    expect(verdict('Fish; frozen', 'state', 'fresh cod')).toBe('no');
    expect(verdict('Fish; fresh or chilled', 'state', 'chilled cod')).toBe('yes');
    expect(verdict('Other than electric', 'power', 'hand-operated can opener')).toBe('yes');
    expect(verdict('Other than electric', 'power', 'electric can opener')).toBe('no');
    expect(verdict('Furniture, unassembled', 'assembled', 'flat pack wardrobe')).toBe('yes');
  });

  test('thresholds against measures: weight, voltage, a range, qualified dimensions', () => {
    expect(verdict('Weighing not more than 250 g', 'measure', 'dried mango 250g')).toBe('yes');
    expect(verdict('Weighing not more than 250 g', 'measure', 'dried mango 1 kg')).toBe('no');
    expect(verdict('Weighing not more than 250 g', 'measure', 'dried mango')).toBe('unknown');
    expect(verdict('For a voltage exceeding 1,000 V', 'measure', 'power cable 11 kV')).toBe('yes');
    expect(verdict('For a voltage exceeding 1,000 V', 'measure', 'usb cable 5V')).toBe('no');
    expect(verdict('For a voltage not exceeding 80 V', 'measure', 'adapter 12-240V')).toBe('unknown'); // the range straddles it
    expect(verdict('Of a width exceeding 30 cm', 'measure', 'ribbon width 25mm, length 10 m')).toBe('no');
  });

  test('"Other" takes the goods only when the stated attributes exclude its named siblings', () => {
    const lines = ['Containing 36 percent or more by weight of flax fibers', 'Other'];
    expect(decideSiblings(lines, attrs('100% cotton sweater')).map((j) => j.verdict)).toEqual(['no', 'yes']);
    expect(decideSiblings(lines, attrs('cotton sweater')).map((j) => j.verdict)).toEqual(['unknown', 'unknown']);
    expect(decideSiblings(lines, attrs('60% linen 40% cotton sweater')).map((j) => j.verdict)).toEqual(['yes', 'no']);
    // Goods named by a sibling leave "Other" out; goods named by none leave every kind open.
    const kinds = ['Sweaters', 'Sweatshirts', 'Other'];
    expect(decideSiblings(kinds, attrs('cotton sweatshirt')).map((j) => j.verdict)).toEqual(['no', 'yes', 'no']);
    expect(decideSiblings(kinds, attrs('cotton tee')).map((j) => j.verdict)).toEqual(['unknown', 'unknown', 'unknown']);
  });
});

// A small tree: two headings with the real HS 2022 texts.
const node = (code: string, description: string): HsNode => ({ code, level: code.length as 2 | 4 | 6, description, parent: code.length === 2 ? null : code.slice(0, code.length - 2), section: 'XI' });
const hsNodes = [
  node('61', 'Apparel, knitted or crocheted'),
  node('6109', 'T-shirts, singlets and other vests; knitted or crocheted'),
  node('610910', 'T-shirts, singlets and other vests; of cotton, knitted or crocheted'),
  node('610990', 'T-shirts, singlets and other vests; of textile materials (other than cotton), knitted or crocheted'),
  node('85', 'Electrical machinery'),
  node('8544', 'Insulated wire, cable and other electric conductors'),
  node('854420', 'Insulated electric conductors; co-axial cable and other co-axial electric conductors'),
  node('854442', 'Insulated electric conductors; for a voltage not exceeding 1000 volts, fitted with connectors'),
  node('854449', 'Insulated electric conductors; for a voltage not exceeding 1000 volts, not fitted with connectors'),
  node('854460', 'Insulated electric conductors; for a voltage exceeding 1000 volts'),
  node('09', 'Coffee, tea, mate and spices'),
  node('0901', 'Coffee, whether or not roasted or decaffeinated; husks and skins; coffee substitutes containing coffee in any proportion'),
  node('090111', 'Coffee; not roasted or decaffeinated'),
  node('090112', 'Coffee; decaffeinated, not roasted'),
  node('090121', 'Coffee; roasted, not decaffeinated'),
  node('090122', 'Coffee; roasted, decaffeinated'),
];
const hs: HsTree = { sections: new Map(), nodes: new Map(hsNodes.map((n) => [n.code, n])), subheadings: hsNodes.filter((n) => n.level === 6).map((n) => n.code) };

describe('GRI 6 between the subheadings of the chosen heading', () => {
  test('a stated attribute decides and is cited', () => {
    const g = gri6(hs, ['610910', '610990'], attrs('SKU 88231 MENS CREW NECK TEE 100% COTTON JERSEY KNIT'));
    expect(g.first).toBe('610910');
    expect(g.step).toMatchObject({ gri: 'GRI 6', action: 'decide', codes: ['610910'] });
    expect(g.step!.detail).toMatch(/^6109\.10: of cotton \(the description states 100% cotton\), GRI 6/);
    expect(g.step!.detail).toContain('excludes 6109.90');
    expect(g.attributes).toEqual([{ level: 'subheading', attribute: 'material', text: 'of cotton', stated: '100% cotton' }]);
    expect(g.questions).toEqual([]);
  });

  test('a subheading the stated attribute contradicts gives way to the one it fits', () => {
    const g = gri6(hs, ['610910', '610990'], attrs('ladies tee 100% polyester'));
    expect(g.first).toBe('610990');
    expect(g.step!.detail).toContain('6109.10 (of cotton) is excluded: the description states 100% polyester');
    const high = gri6(hs, ['854442', '854449', '854420'], attrs('power cable 11 kV'));
    expect(high.first).toBe('854460'); // not short-listed, but the only one the stated voltage fits
  });

  test('a missing attribute is said, and yields a question', () => {
    const g = gri6(hs, ['610910', '610990'], attrs('mens crew neck tee'));
    expect(g.first).toBe('610910');
    expect(g.step).toMatchObject({ action: 'prefer' });
    expect(g.step!.detail).toMatch(/does not state the material, which separates 6109\.10 \(of cotton\) from 6109\.90/);
    expect(g.questions).toEqual(['What is the chief material by weight (of cotton; of textile materials (other than cotton))?']);
  });

  test('equal shares state the material: no "not stated" step and no question (GRI 3(c) decides between them)', () => {
    const g = gri6(hs, ['610990', '610910'], attrs('mens tee 50% cotton 50% polyester'));
    expect(g.step).toBeNull();
    expect(g.questions).toEqual([]);
  });

  test('no step when no attribute separates the group (co-axial cable is a kind, not an attribute)', () => {
    expect(gri6(hs, ['854420'], attrs('coaxial cable')).step).toBeNull();
  });

  test('the outcome reaches the first candidate and the reasoning, before the final decision', () => {
    const g = gri6(hs, ['610910', '610990'], attrs('mens crew neck tee'));
    const first = { hs6: '610910', code: '610910', confidence: 0.5, description: '', examples: [], rulings: [] };
    const reasoning: Reasoning = { gri: 'GRI 1', steps: [{ rule: 'gri-1-6-terms', gri: 'GRI 1', action: 'decide', codes: ['610910'], citation: 'GRI 1; GRI 6', detail: '' }], notes: [], rulings: [], summary: '6109.10: GRI 1 (terms of heading 6109), GRI 6 for the subheading; no precedent ruling' };
    withGri6(first, reasoning, g);
    expect(reasoning.steps.map((s) => s.rule)).toEqual(['gri-6-attributes', 'gri-1-6-terms']);
    expect(reasoning.summary).toBe('6109.10: GRI 1 (terms of heading 6109), GRI 6: the material not stated; no precedent ruling');
    expect((first as { questions?: string[] }).questions).toEqual(g.questions);
  });

  test('a negated word decides: "not decaffeinated" fits "roasted, not decaffeinated" and contradicts "decaffeinated"', () => {
    const a = attrs('Roasted coffee beans, not decaffeinated');
    expect(a.negated).toEqual(new Map([['decaffein', 'not decaffeinated']]));
    expect(check(parseText('Coffee; roasted, decaffeinated').conditions.find((c) => c.phrase === 'decaffeinated')!, a)).toEqual({ verdict: 'no', stated: 'not decaffeinated' });
    expect(check(parseText('Coffee; roasted, not decaffeinated').conditions.find((c) => c.phrase === 'not decaffeinated')!, a).verdict).toBe('yes');
    const g = gri6(hs, ['090122', '090121'], a);
    expect(g.first).toBe('090121');
    expect(g.step!.detail).toBe('0901.21: not decaffeinated (the description states not decaffeinated), GRI 6; 0901.22 (decaffeinated) is excluded: the description states not decaffeinated.');
    const tubing = parseText('Tubes, pipes and hoses; flexible, of plastics, not reinforced or otherwise combined with other materials, without fittings').conditions.find((c) => c.phrase.startsWith('not reinforced'))!;
    expect(check(tubing, attrs('Silicone flexible tubing. Seamless, not reinforced or otherwise combined with other materials')).verdict).toBe('yes');
    // "whether or not" states nothing; a stated "decaffeinated" still fits
    expect(attrs('coffee, whether or not roasted').negated.size).toBe(0);
    expect(gri6(hs, ['090122', '090121'], attrs('roasted coffee, decaffeinated')).first).toBe('090122');
  });

  test('putFirst swaps scores within the list, or adds a code that was not short-listed', () => {
    const list = [{ hs6: 'a', score: 3 }, { hs6: 'b', score: 2 }, { hs6: 'c', score: 1 }];
    expect(putFirst(list, 'c', () => null).map((x) => [x.hs6, x.score])).toEqual([['c', 3], ['b', 2], ['a', 1]]);
    const added = putFirst(list, 'd', (hs6, score) => ({ hs6, score }));
    expect(added.map((x) => x.hs6)).toEqual(['d', 'a', 'b', 'c']);
    expect(added[0].score).toBe(3);
    expect(putFirst(list, 'd', () => null)).toBe(list);
  });
});
