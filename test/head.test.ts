import { headOf, headKey, listHeads, classHeads, headAgreement, headTerms } from '../server/pipeline/head';
import type { Dataset } from '../server/types';

describe('the head noun of a description', () => {
  test.each([
    ['a brake pad press used in the manufacture of vehicle brake pads', 'press'],
    ['SKU 88231 MENS CREW NECK TEE 100% COTTON JERSEY KNIT', 't-shirt'],
    ['Polypropylene rope, 3-strand', 'rope'],
    ["a women's coat made of 100% wool, featuring a notched-lapel collar", 'coat'],
    ['a fondue pot fueled by a denatured alcohol burner', 'pot'],
    ['maleic anhydride modified propylene copolymer (CAS 25722-45-6)', 'copolymer'],
    ['Green tea (sencha) in bags of 2 g', 'tea'],
    ['Cigarettes', 'cigarettes'],
    ['swimming goggles anti fog', 'goggles'],
  ])('%s -> %s', (text, word) => {
    expect(headOf(text)).toEqual({ head: headKey(word), word });
  });

  test('a measure of quantity looks through to what it holds', () => {
    expect(headOf('a pair of eyeglasses suitable for gaming')).toEqual({ head: headKey('eyeglasses'), word: 'eyeglasses' });
    expect(headOf('a pair of')!.word).toBe('pair');
    // but a material after "of" is what the bag is made of
    expect(headOf('Sports gym bag of nylon')!.word).toBe('bag');
    expect(headOf('a bag of rice')!.word).toBe('rice');
  });

  test('singular and plural share a key, -f and -ves too', () => {
    for (const [a, b] of [['knife', 'knives'], ['scarf', 'scarves'], ['shelf', 'shelves'], ['glove', 'gloves'], ['box', 'boxes']]) expect(headKey(a)).toBe(headKey(b));
    expect(headKey('knife')).not.toBe(headKey('knit'));
  });

  test('no words, no head', () => {
    expect(headOf('')).toBeNull();
    expect(headOf('100 pcs, 12 x 5 cm')).toBeNull();
    expect(headOf('Other')).toBeNull();
  });
});

describe('the nouns a nomenclature text names its goods by', () => {
  test('the opening list, up to the clause that qualifies it', () => {
    expect(listHeads('Cartons, boxes, cases, bags and other packing containers, of paper, paperboard; box files')).toEqual(
      ['cartons', 'boxes', 'cases', 'bags', 'containers'].map(headKey),
    );
    expect(listHeads('Tea, whether or not flavoured')).toEqual(['tea']);
    expect(listHeads('Baby carriages and parts thereof')).toEqual([headKey('carriages'), headKey('parts')]);
  });
});

describe('head agreement of a class', () => {
  const hs = (code: string, description: string) => [code, { code, description, section: 'I', parent: '', level: code.length }] as const;
  const ds = {
    hs: {
      nodes: new Map([hs('0902', 'Tea, whether or not flavoured'), hs('090220', 'Tea; green'), hs('6307', 'Other made up articles'), hs('630790', 'Textiles; made up articles n.e.c.; bags')]),
      subheadings: ['090220', '630790'],
    },
    us: [{ code: '0902200000', hs6: '090220', path: ['Tea, whether or not flavored', 'Green tea'] }],
  } as unknown as Dataset;
  const heads = classHeads(ds, ds.hs.subheadings);

  test('1 when the heading names the head, 0.5 when only the subheading does, else 0', () => {
    const tea = headTerms(headOf('Green tea (sencha) in bags of 2 g'), null);
    expect(headAgreement(tea, heads, 0)).toBe(1);
    expect(headAgreement(tea, heads, 1)).toBe(0);
    expect(headAgreement(headTerms(headOf('paper bags'), null), heads, 1)).toBe(0.5);
  });

  test('a word the head expands to counts as the head', () => {
    const terms = headTerms(headOf('sencha'), { sencha: ['tea'] });
    expect(terms).toEqual(['sencha', 'tea']);
    expect(headAgreement(terms, heads, 0)).toBe(1);
  });
});
