// Realistic cases where a Note or a GRI changes the answer: the whole pipeline on the real data, with
// the expected code and the citation of the deciding rule.
import { openEngine } from '../server/engine';
import { classify, createEngine, type Engine } from '../server/classifier';

let engine: Engine;
let statistics: Engine;
beforeAll(() => {
  engine = openEngine().engine;
  statistics = createEngine(engine.ds, engine.model, engine.config, null);
});

const CASES: { text: string; code: string; citation?: string; not?: string }[] = [
  { text: 'camera drone with 4k camera and gps', code: '8806', citation: 'Chapter 95 Note 1(p)' },
  { text: 'toy drone for kids', code: '9503', not: '8806' },
  { text: 'vitamin c tablets 1000mg', code: '2106', citation: 'Chapter 30 Note 1(a)', not: '30' },
  { text: 'paracetamol tablets 500mg', code: '3004' },
  { text: 'mounting screws for laptop', code: '7318', citation: 'Section XVI Note 1(g); Section XV Note 2(a)', not: '84' },
  { text: 'nitrile rubber o-ring seals for hydraulic pump', code: '401693', citation: 'Section XVI Note 1(a); Section XVII Note 2(a)' },
  { text: 'rubber chew toy for dogs', code: '4016', citation: 'Chapter 95 Note 5', not: '9503' },
  { text: 'leather golf gloves', code: '4203', not: '95' },
  { text: 'sports gym bag', code: '4202', citation: 'Chapter 95 Note 1(d)' },
  { text: 'kids bike 16 inch', code: '8712', citation: 'Chapter 95 Note 1(o)' },
  { text: 'swimming goggles anti fog', code: '9004', citation: 'Chapter 95 Note 1(r)' },
  // Chapter 61 Note 1 is cited only when a knitted heading competed; the hand-rule test covers its firing
  { text: 'mens woven cotton shirt', code: '6205', not: '61' },
  { text: 'womens knitted cardigan 80% wool 20% nylon', code: '611011', citation: 'GRI 3(b); Section XI Note 2(A)' },
];

describe('cases where the law decides', () => {
  test.each(CASES)('$text -> $code', async ({ text, code, citation, not }) => {
    const r = await classify(engine, text);
    const best = r.candidates[0];
    expect(best.hs6.startsWith(code)).toBe(true);
    if (not) expect(r.candidates.some((c) => c.hs6.startsWith(not))).toBe(false);
    expect(r.reasoning).toBeDefined();
    if (citation) {
      expect(r.reasoning!.steps.some((s) => s.citation === citation)).toBe(true);
      expect(r.reasoning!.summary).toContain(citation);
    }
    expect(r.reasoning!.steps.at(-1)).toMatchObject({ action: 'decide', codes: [best.hs6] });
    expect(r.reasoning!.summary.length).toBeLessThan(300);
  });

  test('the rules change the statistical answer for the drone, the vitamins and the pet toy', async () => {
    for (const text of ['camera drone with 4k camera and gps', 'vitamin c tablets 1000mg', 'rubber chew toy for dogs']) {
      const withRules = (await classify(engine, text)).candidates[0].hs6;
      const alone = (await classify(statistics, text)).candidates[0].hs6;
      expect(withRules).not.toBe(alone);
    }
  });

  test('rulings are precedents of the code, marked stale when the code left the HTS', async () => {
    const r = await classify(engine, 'mens knitted cotton t-shirt');
    for (const c of r.candidates) {
      for (const ruling of c.rulings) {
        expect(ruling.ruling).toMatch(/^(NY|HQ) /);
        expect(ruling.code.startsWith(c.hs6) || ruling.stale).toBe(true);
        expect(ruling.stale).toBe(!engine.lookup.usCodes.has(ruling.code));
      }
    }
    expect(r.reasoning!.rulings).toEqual(r.candidates[0].rulings);
  });
});
