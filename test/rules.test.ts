// The rule files: the loader's validation, and every hand-written rule firing where it should and
// not where it should not.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadRules, RuleError, type RuleSet } from '../server/rules/load';
import { extractFacts } from '../server/rules/facts';
import { normalise } from '../server/pipeline/normalise';
import { triggeredRules, fireRules, applyRules, type RankedCode } from '../server/pipeline/rules';

const rules = loadRules();

async function fired(set: RuleSet, text: string, candidates: string[]): Promise<string[]> {
  const facts = extractFacts(normalise(text), candidates, undefined, text);
  return (await fireRules(set, triggeredRules(set, facts), facts)).map((r) => r.json.name);
}

/** For each hand-written rule: a description and short list where it fires, and one where it must not. */
const HAND_CASES: Record<string, { fires: [string, string[]]; not: [string, string[]] }> = {
  'secxvi-note1-g-fasteners': {
    fires: ['steel hex bolts for pump housing', ['841391', '731815']],
    not: ['pump housing of cast iron', ['841391', '732690']],
  },
  'secxvii-note2-b-fasteners': {
    fires: ['wheel bolts for passenger cars', ['870870', '731815']],
    not: ['alloy wheels for passenger cars', ['870870', '761699']],
  },
  'secxvi-note1-a-rubber-seals': {
    fires: ['nitrile rubber o-rings for hydraulic pumps', ['841391', '401693']],
    not: ['steel o-rings for hydraulic pumps', ['841391', '731829']],
  },
  'secxvi-note2-b-parts': {
    fires: ['replacement hinge parts for laptop computers', ['847130', '847330']],
    not: ['laptop computer 15 inch', ['847130', '847330']],
  },
  'ch61-note1-not-woven': {
    fires: ['mens woven cotton shirt', ['610510', '620520']],
    not: ['mens knitted cotton polo shirt', ['610510', '620520']],
  },
  'secxvi-note2-a-goods-of-their-heading': {
    fires: ['aviation headset cables', ['851890', '854442']],
    not: ['aviation headset cables', ['854442', '851890']],
  },
  'ch61-note6-a-babies': {
    fires: ['cotton socks', ['611120', '611595']],
    not: ['baby socks cotton', ['611120', '611595']],
  },
  'ch62-note5-a-babies': {
    fires: ['woven cotton dress', ['620920', '620442']],
    not: ['woven cotton dress for babies', ['620920', '620442']],
  },
  'ch62-note1-not-knitted': {
    fires: ['womens knitted viscose dress', ['620444', '610444']],
    not: ['womens woven viscose dress', ['620444', '610444']],
  },
  'gri-2a-unassembled': {
    fires: ['wooden wardrobe flat pack unassembled', ['940360']],
    not: ['wooden wardrobe', ['940360']],
  },
  'gri-3b-chief-material': {
    fires: ['sweater of 70% wool 30% nylon', ['611011', '611030']],
    not: ['wool sweater', ['611011', '611030']],
  },
  'gri-3c-last-heading': {
    fires: ['boys t-shirt 50% cotton 50% polyester knit', ['610910', '610990']],
    not: ['boys t-shirt 60% cotton 40% polyester knit', ['610910', '610990']],
  },
  'gri-5b-packing': {
    fires: ['chocolate truffles packed in gift box', ['180690', '481910']],
    not: ['empty gift box of cardboard', ['481910', '481920']],
  },
  'gri-3b-sets': {
    fires: ['manicure set with nail clippers and file', ['821420', '330430']],
    not: ['nail clippers', ['821420']],
  },
  'gri-5a-cases': {
    fires: ['binoculars presented with carrying case', ['900510', '420292']],
    not: ['carrying case for binoculars', ['900510', '420292']],
  },
  'gri-3b-chief-material-other': {
    fires: ['table of 70% wood 30% steel', ['940360', '940320']],
    not: ['table of 100% wood', ['940360', '940320']],
  },
  'gri-1-material-of-heading': {
    fires: ['polypropylene rope, 3-strand', ['731210', '560749']],
    not: ['rope, 3-strand', ['731210', '560749']],
  },
  'gri-6-material-of-subheading': {
    fires: ['polyester socks, knitted', ['611595', '611596']],
    not: ['socks, knitted', ['611595', '611596']],
  },
  'gri-6-stated-material': {
    fires: ['t-shirt 100% cotton', ['610910', '610990']],
    not: ['t-shirt 95% cotton 5% elastane', ['610910', '610990']],
  },
  'ch64-note4-a-textile-uppers': {
    fires: ['running shoes with textile uppers and rubber soles', ['640299', '640411']],
    not: ['running shoes with rubber soles', ['640299', '640411']],
  },
  'ch64-note4-a-leather-uppers': {
    fires: ['boots with leather uppers and rubber soles', ['640299', '640391']],
    not: ['boots with faux leather uppers', ['640299', '640391']],
  },
  'secxi-note3-a-ropes': {
    fires: ['nylon rope 12 mm', ['540219', '560750']],
    not: ['steel wire rope', ['540219', '731210']],
  },
  'ch42-note3-a-plastic-bags': {
    fires: ['polyethylene shopping bags', ['420292', '392321']],
    not: ['reusable woven polypropylene shopping bags', ['420292', '392321']],
  },
  // fresh, chilled or frozen: the heading the state names (GRI 1), and out of chapter 16 (Chapter 16 Note 1)
  'gri-1-beef-fresh-not-frozen': {
    fires: ['beef striploin, fresh, boneless', ['020230', '020130']],
    not: ['fresh frozen beef striploin', ['020230', '020130']],
  },
  'gri-1-beef-frozen-not-fresh': {
    fires: ['frozen boneless beef', ['020130', '020230']],
    not: ['dried beef, frozen', ['020130', '020230']],
  },
  'gri-1-fish-fresh-not-frozen': {
    fires: ['fresh whole mackerel, chilled on ice', ['030354', '030244']],
    not: ['fresh salmon fillets', ['030313', '030441']],
  },
  'gri-1-fish-frozen-not-fresh': {
    fires: ['frozen whole mackerel', ['030244', '030354']],
    not: ['smoked mackerel, frozen', ['030244', '030354']],
  },
  ...Object.fromEntries(
    (
      [
        ['fish', 'frozen whole mackerel', 'canned mackerel in oil, frozen'],
        ['beef', 'beef brisket, chilled', 'frozen beef burgers'],
        ['pork', 'fresh pork belly', 'frozen pork sausages'],
        ['lamb', 'frozen lamb shoulder', 'cooked lamb, frozen'],
        ['poultry', 'frozen chicken breast', 'frozen breaded chicken nuggets'],
      ] as const
    ).map(([m, yes, no]) => [`ch16-note1-${m}`, { fires: [yes, ['160419', '160250']], not: [no, ['160419', '160250']] }]),
  ),
  ...Object.fromEntries(
    (
      [
        ['porcelain', 'porcelain coffee mug', 'coffee mug'],
        ['ceramic', 'stoneware dinner plates', 'porcelain dinner plates'],
        ['glass', 'glass tumblers', 'tumblers'],
        ['plastics', 'plastic chopping board', 'wooden chopping board'],
        ['steel', 'stainless steel cooking pot', 'stainless steel toilet bowl'],
        ['aluminium', 'aluminium frying pan', 'aluminium electric frying pan'],
        ['copper', 'copper saucepan', 'copper wire'],
        ['wood', 'wooden salad bowl', 'plastic salad bowl'],
      ] as const
    ).map(([m, yes, no]) => [`gri-1-tableware-${m}`, { fires: [yes, ['392690']], not: [no, ['392690']] }]),
  ),
};

describe('rule files', () => {
  test('every hand-written rule has a case that fires it and one that must not', () => {
    const hand = rules.rules.filter((r) => r.file.startsWith('hand')).map((r) => r.json.name).sort();
    expect(Object.keys(HAND_CASES).sort()).toEqual(hand);
  });

  test.each(Object.entries(HAND_CASES))('%s fires where it should and not where it should not', async (name, c) => {
    expect(await fired(rules, ...c.fires)).toContain(name);
    expect(await fired(rules, ...c.not)).not.toContain(name);
  });

  test('GRI 3(b) only for mixtures: one material named, even as 100%, is not GRI 3(b)', async () => {
    const gri3b = (names: string[]) => names.filter((n) => rules.rules.find((r) => r.json.name === n)!.json.event.params.gri === 'GRI 3(b)');
    expect(gri3b(await fired(rules, 'MENS CREW NECK TEE 100% COTTON JERSEY KNIT', ['611020', '610910']))).toEqual([]);
    expect(gri3b(await fired(rules, 'set of 6 porcelain mugs', ['691110']))).toEqual([]);
    expect(gri3b(await fired(rules, 'ladies tee 95% cotton 5% elastane knitted', ['610910', '610990']))).toEqual(['gri-3b-chief-material']);
    expect(gri3b(await fired(rules, 'retail set of spaghetti with grated cheese and tomato sauce', ['190219', '210320']))).toEqual(['gri-3b-sets']);
  });

  test('GRI 5 only for cases and packing presented with goods', async () => {
    const gri5 = async (text: string, codes: string[]) =>
      (await fired(rules, text, codes)).filter((n) => /^GRI 5/.test(rules.rules.find((r) => r.json.name === n)!.json.event.params.gri));
    expect(await gri5('quartz wrist watch with stainless steel case', ['910211', '420292'])).toEqual([]);
    expect(await gri5('phone case with card holder', ['420232', '392690'])).toEqual([]);
    expect(await gri5('plastic bottles packed in cartons', ['392330', '481910'])).toEqual([]);
    expect(await gri5('violin presented with its fitted case', ['920210', '420292'])).toEqual(['gri-5a-cases']);
    expect(await gri5('chocolates packed in a gift tin', ['180690', '731010'])).toEqual(['gri-5b-packing']);
  });

  test('parts of general use go to their own headings only when the goods are the fasteners, not when a fastener is mentioned', async () => {
    const general = async (text: string, candidates: string[]) =>
      (await fired(rules, text, candidates)).filter((n) => ['secxvi-note1-g-fasteners', 'ch90-note1-f'].includes(n));
    expect(await general('stainless steel hex bolts M8', ['847989', '731815'])).toEqual(['secxvi-note1-g-fasteners']);
    expect(await general('mechanical screw press for oil extraction', ['847920', '731815'])).toEqual([]);
    expect(await general('leveler nut assembly for a freezer', ['841899', '731816'])).toEqual([]);
    expect(await general('bone screws of titanium', ['902110', '731815'])).toEqual(['ch90-note1-f']);
    expect(await general('audio switcher utilising captive screw connectors', ['853710', '903289'])).toEqual([]);
  });

  test('tableware by material when the goods are tableware, not screws with a cup point', async () => {
    const steel = async (text: string) => (await fired(rules, text, ['731815', '732393'])).filter((n) => n === 'gri-1-tableware-steel');
    expect(await steel('stainless steel cooking pot')).toEqual(['gri-1-tableware-steel']);
    expect(await steel('cup point socket head set screws made of stainless steel')).toEqual([]);
  });

  test('Chapter 49 has no clause sending leaflets out of it', async () => {
    expect(rules.rules.some((r) => r.json.name === 'ch49-note1-c-2')).toBe(false);
  });

  test('Chapter 94 Note 3 concerns slabs of stone or glass presented on their own, not furniture with slab legs', async () => {
    const note3 = async (text: string) => (await fired(rules, text, ['940360', '680291'])).filter((n) => n === 'ch94-note3');
    expect(await note3('polished marble slab for a table top')).toEqual(['ch94-note3']);
    expect(await note3('console table with solid walnut slab legs')).toEqual([]);
    expect(await note3('coffee table, oak frame, with a glass top')).toEqual([]);
  });

  test('a row that no rule concerns hands nothing to the rules engine', () => {
    const facts = extractFacts(normalise('terry towel'), ['630260']);
    expect(triggeredRules(rules, facts)).toEqual([]);
  });

  test('every rule has a stable id and a citation, and ids are unique', () => {
    const names = rules.rules.map((r) => r.json.name);
    expect(new Set(names).size).toBe(names.length);
    for (const r of rules.rules) expect(r.json.event.params.citation.length).toBeGreaterThan(3);
  });
});

describe('applying rules', () => {
  const ranked = (...codes: [string, number][]): RankedCode[] => codes.map(([hs6, score], row) => ({ hs6, score, row }));
  const ctx = { coversChiefMaterial: () => false, coversTiedMaterial: () => false, head: 6 };

  test('Section XVI Note 2(a): goods a heading names go there, not to the parts of the machine they are for', () => {
    const byName = (n: string) => rules.rules.find((r) => r.json.name === n)!;
    const named = { ...ctx, namesHead: (hs6: string) => hs6.startsWith('8544') };
    const out = applyRules([byName('secxvi-note2-a-goods-of-their-heading')], ranked(['851890', 5], ['854442', 3], ['851830', 2]), 1, named);
    expect(out.candidates[0].hs6).toBe('854442');
    expect(out.decidedBy).toMatchObject({ rule: 'secxvi-note2-a-goods-of-their-heading', citation: 'Section XVI Note 2(a)', codes: ['854442'] });
    // nothing named by the head noun among the candidates: the parts code stays
    const none = applyRules([byName('secxvi-note2-a-goods-of-their-heading')], ranked(['851890', 5], ['851830', 2]), 1, named);
    expect(none.candidates[0].hs6).toBe('851890');
    expect(none.decidedBy).toBeNull();
  });

  test('GRI 3(c) for equal shares chooses among the subheadings that equally merit consideration, not any heading that is last', () => {
    const byName = (n: string) => rules.rules.find((r) => r.json.name === n)!;
    const textiles = { ...ctx, coversTiedMaterial: (hs6: string) => ['610910', '610990', '630790', '650500', '520852', '551219'].includes(hs6) };
    // a cotton-polyester T-shirt: 6109.90 (other textile materials) occurs last within 6109; 6307 and 6505 are other goods
    const tee = applyRules([byName('gri-3c-last-heading')], ranked(['610910', 5], ['630790', 4], ['610990', 3], ['650500', 2]), 1, textiles);
    expect(tee.candidates[0].hs6).toBe('610990');
    // yarns and fabrics (chapters 50-55): the headings differ by material, so the last of them
    const fabric = applyRules([byName('gri-3c-last-heading')], ranked(['520852', 5], ['551219', 4], ['610990', 3]), 1, textiles);
    expect(fabric.candidates[0].hs6).toBe('551219');
  });

  test('a prefer that leaves the first candidate first decides nothing; one that changes it decides', () => {
    const byName = (n: string) => rules.rules.find((r) => r.json.name === n)!;
    const cotton = { ...ctx, coversChiefMaterial: (hs6: string) => hs6 === '610910' };
    const kept = applyRules([byName('gri-6-stated-material')], ranked(['610910', 5], ['610990', 4]), 1, cotton);
    expect(kept.decidedBy).toBeNull();
    const moved = applyRules([byName('gri-6-stated-material')], ranked(['610990', 5], ['610910', 4]), 1, cotton);
    expect(moved.candidates[0].hs6).toBe('610910');
    expect(moved.decidedBy?.rule).toBe('gri-6-stated-material');
    expect(moved.headingBy).toBeNull();
  });

  test('codes a rule puts first keep the gaps between their scores, above every other candidate', () => {
    const byName = (n: string) => rules.rules.find((r) => r.json.name === n)!;
    const covers = { ...ctx, coversChiefMaterial: (hs6: string) => hs6 === '611020' || hs6 === '611011' };
    const out = applyRules([byName('gri-6-stated-material')], ranked(['611030', 5], ['611020', 4], ['611011', 1]), 1, covers);
    const [a, b, c] = out.candidates;
    expect([a.hs6, b.hs6, c.hs6]).toEqual(['611020', '611011', '611030']);
    // the gap (3) is squeezed into half the promotion (1): the picks differ, and both stay above the rest
    expect(a.score - b.score).toBeCloseTo(0.5);
    expect(b.score).toBeGreaterThan(c.score);
  });

  test('a material contradiction removes the heading, with why, and never empties the list', () => {
    const byName = (n: string) => rules.rules.find((r) => r.json.name === n)!;
    const steel = { ...ctx, materialConflict: (code: string) => (code === '7312' ? 'its terms name goods of iron or steel' : null) };
    const out = applyRules([byName('gri-1-material-of-heading')], ranked(['731210', 5], ['560749', 4]), 1, steel);
    expect(out.candidates.map((c) => c.hs6)).toEqual(['560749']);
    expect(out.steps[0].detail).toContain('7312: its terms name goods of iron or steel');
    expect(out.decidedBy?.rule).toBe('gri-1-material-of-heading');
    const all = { ...ctx, materialConflict: () => 'conflict' };
    expect(applyRules([byName('gri-1-material-of-heading')], ranked(['731210', 5]), 1, all).candidates).toHaveLength(1);
  });

  test('an excluded code leaves the list, the pointed heading comes first, and nothing brings the code back', async () => {
    const facts = extractFacts(normalise('vitamin c tablets'), ['300450', '210690']);
    const fire = await fireRules(rules, triggeredRules(rules, facts), facts);
    const out = applyRules(fire, ranked(['300450', 5], ['330499', 4], ['210690', 1]), 1, ctx);
    expect(out.candidates.map((c) => c.hs6)).toEqual(['210690', '330499']);
    expect(out.excluded).toEqual(['30']);
    expect(out.decidedBy?.citation).toBe('Chapter 30 Note 1(a)');
    expect(out.steps[0]).toMatchObject({ rule: 'ch30-note1-a', action: 'exclude', codes: ['30', '2106', '2202', '2201', '1901'] });
  });

  test('prefer on a code a Note excluded does nothing', () => {
    const byName = (n: string) => rules.rules.find((r) => r.json.name === n)!;
    const out = applyRules(
      [byName('ch61-note1-not-woven'), byName('gri-2a-unassembled')],
      ranked(['610510', 9], ['620520', 2]),
      1,
      ctx,
    );
    expect(out.candidates.map((c) => c.hs6)).toEqual(['620520']);
  });
});

describe('loader validation', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-rules-'));
  const good = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'rules', 'hand', 'notes.json'), 'utf8')).rules[0];
  const write = (files: Record<string, unknown>) => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(path.join(dir, 'hand'), { recursive: true });
    for (const [f, v] of Object.entries(files)) fs.writeFileSync(path.join(dir, 'hand', f), typeof v === 'string' ? v : JSON.stringify(v));
  };
  const expectError = (pattern: RegExp) => {
    let err: unknown;
    try {
      loadRules(dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RuleError);
    expect((err as Error).message).toMatch(pattern);
  };
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a valid file loads', () => {
    write({ 'a.json': { rules: [good] } });
    expect(loadRules(dir).rules).toHaveLength(1);
  });

  test('unknown fact', () => {
    write({ 'a.json': { rules: [{ ...good, conditions: { all: [{ fact: 'colour', operator: 'equal', value: 'red' }] } }] } });
    expectError(/hand\/a\.json: .*unknown fact "colour"/);
  });

  test('a head noun condition needs a list of single nouns', () => {
    write({ 'a.json': { rules: [{ ...good, conditions: { all: [{ fact: 'head', operator: 'namedAny', value: 'bolts' }] } }] } });
    expectError(/"namedAny" needs a non-empty list of single nouns/);
    write({ 'a.json': { rules: [{ ...good, conditions: { all: [{ fact: 'head', operator: 'namedAny', value: ['hex bolts'] }] } }] } });
    expectError(/"namedAny" needs a non-empty list of single nouns/);
  });

  test('bad operator', () => {
    write({ 'a.json': { rules: [{ ...good, conditions: { all: [{ fact: 'chapters', operator: 'greaterThan', value: '95' }] } }] } });
    expectError(/hand\/a\.json: .*bad operator "greaterThan"/);
  });

  test('duplicate id across files', () => {
    write({ 'a.json': { rules: [good] }, 'b.json': { rules: [good] } });
    expectError(new RegExp(`hand/b\\.json: duplicate rule id "${good.name}" \\(also in hand/a\\.json\\)`));
  });

  test('priority outside its GRI band, bad event, bad code, invalid JSON', () => {
    write({ 'a.json': { rules: [{ ...good, priority: 50 }] } });
    expectError(/priority must be in the GRI 1 band 90-100/);
    write({ 'a.json': { rules: [{ ...good, event: { type: 'delete', params: good.event.params } }] } });
    expectError(/event type must be one of/);
    write({ 'a.json': { rules: [{ ...good, event: { ...good.event, params: { ...good.event.params, exclude: [8806] } } }] } });
    expectError(/params\.exclude must be a list of 2-, 4- or 6-digit codes as strings/);
    write({ 'a.json': '{"rules": [' });
    expectError(/hand\/a\.json: invalid JSON/);
  });
});
