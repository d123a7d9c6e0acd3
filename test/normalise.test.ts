import { ABBREVIATIONS, STOP_WORDS, normalise, stem } from '../server/pipeline/normalise';

const text = (s: string): string => normalise(s).text;
const tokens = (s: string): string[] => normalise(s).tokens;

describe('normalise: the headline example', () => {
  it('keeps men / 100% / cotton / t-shirt and drops the SKU, price and count', () => {
    expect(normalise('mens 100% cotton tee SKU 12345 £5.99 x12 pcs')).toEqual({
      text: 'men 100% cotton t-shirt',
      tokens: ['men', '100%', 'cotton', 'tshirt'],
    });
  });
});

describe('normalise: unicode', () => {
  it('applies NFKC (full-width letters, ligatures)', () => {
    expect(text('ＣＯＴＴＯＮ ｔｅｅ')).toBe('cotton t-shirt');
    expect(text('oil ﬁlter')).toBe('oil filter');
  });

  it('maps curly quotes and dashes to ASCII', () => {
    expect(text('Men’s “classic” polo – navy')).toBe('men classic polo navy');
    expect(text('women‘s jacket—wool')).toBe('women jacket-wool');
  });

  it('folds accents', () => {
    expect(text('café crème brûlée')).toBe('cafe creme brulee');
  });

  it('repairs mojibake and drops truncated trademark remnants', () => {
    expect(text('Ladies Knitted Cardigan â€™Rosieâ€™ â® size 12')).toBe('women knitted cardigan rosie');
    expect(text('Ã©clair au chocolat')).toBe('eclair au chocolat');
    expect(text('capybara capyfun â© print sweatshirt')).toBe('capybara capyfun print sweatshirt');
    expect(text('snoopy peanutsâ¢ raglan sleeve')).toBe('snoopy peanuts raglan sleeve');
    expect(text('thermoliteâ® base layer')).toBe('thermolite base layer');
  });

  it('decodes HTML entities', () => {
    expect(text('1x admiral plug &amp; drive')).toBe('admiral plug drive');
  });

  it('strips control and zero-width characters', () => {
    expect(normalise('frozen\u0000 chicken\u0007 wings\u200b\ufeff')).toEqual({
      text: 'frozen chicken wings',
      tokens: ['frozen', 'chicken', 'wing'],
    });
    expect(text('cotton\tshirt\r\n')).toBe('cotton shirt');
  });
});

describe('normalise: noise is dropped', () => {
  it('drops SKUs, part, style and item numbers and HS codes', () => {
    expect(text('Polo shirt style no. PEA23F0249A-2E item no. 4567 sku # 123 hscode:610510')).toBe('polo shirt');
    expect(text('151 radiator enamel white gloss varnish tin 300ml - dy049 - d130')).toBe(
      'radiator enamel white gloss varnish tin');
    expect(text('black mesh bin 1pk, hscode:392')).toBe('black mesh bin');
    expect(text('steel hex head bolt, part no: 90017-RJA-0030')).toBe('steel hex head bolt');
    expect(text('table lamp #A19-LEDGLOBE')).toBe('table lamp');
    expect(text('perfume blanc no.03 sample')).toBe('perfume blanc sample');
  });

  it('drops prices and currencies', () => {
    expect(text('Cotton tote bag $12.99 12.50 EUR 30 usd £5')).toBe('cotton tote bag');
    expect(normalise('£5')).toEqual({ text: '', tokens: [] });
    expect(text('pol 50p coin bags')).toBe('pol coin bags');
    // without the price rule "12 pack" would be read as a pack count and "pack" lost
    expect(text('£12 pack of playing cards')).toBe('pack of playing cards');
    expect(text('€5,99 pack of cards ¥300')).toBe('pack of cards');
    expect(text('gift card 25 dollars, 30 cents')).toBe('gift card');
  });

  it('drops quantities and pack counts but keeps the classifying noun', () => {
    expect(normalise('100 pcs x12 pack of 6 12 rolls 2pk set of 3 toilet tissue')).toEqual({
      text: 'rolls set toilet tissue',
      tokens: ['roll', 'set', 'toilet', 'tissu'],
    });
    expect(text('5-pack of bird print bodysuits')).toBe('bird print bodysuits');
    expect(text('3pk girls knee high socks')).toBe('girls knee high socks');
    expect(text('boots balsam tissues 3ply 80s')).toBe('boots balsam tissues ply');
    expect(text('case of 12 - kombucha (organic)')).toBe('case kombucha organic');
    expect(text('three packs of witch doctor skulls')).toBe('witch doctor skulls');
  });

  it('drops sizes, measures and dimensions (voltage and capacity included)', () => {
    expect(text('olive oil 300ml jar 980g 4.7 kilograms 14” x 14” x 6” carton')).toBe('olive oil jar carton');
    expect(text('cordless drill 20V 4Ah XL size 10 uk 12')).toBe('cordless drill');
    expect(text('500mm x 100m small bubble wrap')).toBe('small bubble wrap');
    expect(text('dw zero smudge mascara 6ml/.22oz')).toBe('dw smudge mascara');
    expect(text('calpol 6 years+ suspension 80ml')).toBe('calpol suspension');
    expect(text('cotton 10 by 20 cm blanket')).toBe('cotton blanket');
  });

  it('drops dates', () => {
    expect(text('calendar 2024-01-15 12/2024 Dec 2024 December 28, 2015')).toBe('calendar');
  });

  it('drops numbers that are not percentages', () => {
    expect(normalise('4 tier airer 2024')).toEqual({ text: 'tier airer', tokens: ['tier', 'airer'] });
  });

  it('drops CBP ruling boilerplate and the country of origin', () => {
    expect(text('The tariff classification of men’s upper body garments from Taiwan')).toBe('men upper body garments');
    expect(text('The tariff classification and country of origin marking of frozen cookie doughs from the United Kingdom'))
      .toBe('frozen cookie doughs');
    expect(text('The tariff classification, country of origin determination, and status under the United States-Mexico-Canada Agreement (USMCA) of a retractable fiberglass mesh woven screen from Canada'))
      .toBe('retractable fiberglass mesh woven screen');
    expect(text('The tariff classification, country of origin for marking and applying trade remedies under Section 301 or additional duties, and eligibility of the United States-Mexico-Canada Agreement (USMCA) of radiators from Canada.'))
      .toBe('radiators');
    expect(text('The tariff classification and eligibility under the Nairobi Protocol of metal furniture from the United Kingdom.'))
      .toBe('metal furniture');
    expect(text('The tariff classification of a set of two decorative artificial corn pieces from China'))
      .toBe('set decorative artificial corn pieces');
    expect(text('The tariff classification of note cards with envelopes from China & Vietnam')).toBe('note cards with envelopes');
    expect(text('The tariff classification of hoses from Taiwan or Thailand')).toBe('hoses');
    expect(text('The tariff classification of footwear form China')).toBe('footwear');
    expect(text('Request for reconsideration of NY N077237; classification of ductile iron bolt rings'))
      .toBe('ductile iron bolt rings');
    expect(text('The tariff classification of Barium Sulfate (CAS # 7727-43-7) from Japan')).toBe('barium sulfate cas');
    expect(text('a women\'s poncho made of acrylic, wool, and nylon, made in China')).toBe('women poncho made of acrylic wool and nylon');
    expect(text('made in China cotton shirt')).toBe('cotton shirt');
    expect(text('The country of origin of stainless steel pipe fittings')).toBe('stainless steel pipe fittings');
  });

  it('does not take "from" + a non-country for an origin', () => {
    expect(text('bottles made from recycled plastic')).toBe('bottles made from recycled plastic');
  });
});

describe('normalise: what classifies is kept', () => {
  it('keeps percentages as "<n>%" in text and tokens', () => {
    expect(normalise('50% polyester 50 percent cotton 53,7 % nylon')).toEqual({
      text: '50% polyester 50% cotton 53.7% nylon',
      tokens: ['50%', 'polyest', '50%', 'cotton', '53.7%', 'nylon'],
    });
    expect(tokens('rainwear of 100 per cent cotton knit fabric')).toEqual(['rainwear', '100%', 'cotton', 'knit', 'fabric']);
  });

  it('keeps construction, gender / age and state words', () => {
    expect(tokens('knitted woven knit crocheted')).toEqual(['knit', 'woven', 'knit', 'crochet']);
    expect(tokens('men women boys girls baby infant unisex')).toEqual(['men', 'women', 'boi', 'girl', 'babi', 'infant', 'unisex']);
    expect(tokens('frozen fresh chilled roasted dried smoked cooked raw unassembled assembled parts')).toEqual(
      ['frozen', 'fresh', 'chill', 'roast', 'dri', 'smoke', 'cook', 'raw', 'unassembl', 'assembl', 'part']);
  });

  it('keeps intended use in text and its content words in tokens', () => {
    expect(normalise('parts for use in motor vehicles')).toEqual({
      text: 'parts for use in motor vehicles',
      tokens: ['part', 'us', 'motor', 'vehicl'],
    });
  });

  it('keeps set, kit and case', () => {
    expect(tokens('set kit case')).toEqual(['set', 'kit', 'case']);
    expect(text('its knitted winter clothing accessory set')).toBe('knitted winter clothing accessory set');
  });

  it('keeps negations and "other"', () => {
    expect(tokens('not other without non-alcoholic nor except')).toEqual(
      ['not', 'other', 'without', 'nonalcohol', 'nor', 'except']);
    expect(tokens('boots jaw clip non slip black')).toEqual(['boot', 'jaw', 'clip', 'nonslip', 'black']);
  });

  it('drops nothing classifying: each such word alone gives exactly its own stem', () => {
    const words = [
      'set', 'kit', 'case', 'parts', 'part', 'other', 'not', 'no', 'non', 'without', 'knitted', 'knit', 'woven',
      'crocheted', 'men', 'women', 'boys', 'girls', 'baby', 'babies', 'infant', 'unisex', 'children', 'frozen', 'fresh',
      'chilled', 'roasted', 'dried', 'smoked', 'cooked', 'raw', 'unassembled', 'assembled', 'used', 'new', 'use',
      'vehicles', 'cotton', 'wool', 'silk', 'leather', 'plastic', 'steel', 'stainless', 'aluminium', 'rubber', 'glass',
      'wood', 'paper', 'electric', 'battery', 'led', 'usb', 'only', 'mixed', 'organic', 'retail', 'bulk',
    ];
    for (const w of words) expect({ w, t: tokens(w) }).toEqual({ w, t: [stem(w)] });
  });
});

describe('normalise: abbreviations', () => {
  it('has a readable table of at least 40 entries whose expansions are not abbreviations themselves', () => {
    const entries = Object.entries(ABBREVIATIONS);
    expect(entries.length).toBeGreaterThanOrEqual(40);
    for (const [key, expansion] of entries) {
      expect(key).toBe(key.toLowerCase());
      for (const w of expansion.split(' ').filter(Boolean)) expect({ key, w, isKey: w in ABBREVIATIONS }).toEqual({ key, w, isKey: false });
    }
  });

  it.each([
    ['mens jacket', 'men jacket'],
    ["men's jacket", 'men jacket'],
    ['ladies dress', 'women dress'],
    ['lds top', 'women top'],
    ['wmns top', 'women top'],
    ["women's top", 'women top'],
    ['s/s shirt', 'short sleeve shirt'],
    ['l/s shirt', 'long sleeve shirt'],
    ['pp woven sacks', 'polypropylene woven sacks'],
    ['pe film', 'polyethylene film'],
    ['hdpe bottle', 'high density polyethylene bottle'],
    ['pvc film', 'polyvinyl chloride film'],
    ['polyvinyl chloride (pvc) film', 'polyvinyl chloride film'],
    ['pu leather bag', 'polyurethane leather bag'],
    ['li-ion battery pack', 'lithium ion battery pack'],
    ['lithium ion cells', 'lithium ion battery cells'],
    ['tv stand', 'television stand'],
    ['blk wht asst', 'black white assorted'],
    ['orgnc choc', 'organic chocolate'],
    ['vit c tablets', 'vitamin c tablets'],
    ['elec heater', 'electric heater'],
    ['phone acc', 'phone accessories'],
    ['w/o lid', 'without lid'],
    ['w/p plasters', 'waterproof plasters'],
    ['s/steel sink', 'stainless steel sink'],
    ['outfit w/heart-shaped purse', 'outfit with heart-shaped purse'],
    ['mmf knitwear', 'man-made fibres knitwear'],
    ['shmpo cndtnr duo', 'shampoo conditioner duo'],
    ['xmas jumper', 'christmas jumper'],
    ['aluminum color fiber jewelry', 'aluminium colour fibre jewellery'],
  ])('%s -> %s', (input, expected) => {
    expect(text(input)).toBe(expected);
  });

  it('expands the real abbreviated UK parcel lines', () => {
    expect(text("ela's orgnc jlly jckt potato c")).toBe('ela organic jelly jacket potato');
    expect(text('lrp antls 400 fld oil cntrl sp')).toBe('lrp antls fluid oil control sp');
    expect(text('dove men bw clean comfort 250m')).toBe('dove men body wash clean comfort');
    expect(text('h coolwater woman edt 50')).toBe('coolwater women eau de toilette');
    expect(text('jf fe straight spoo250')).toBe('jf fe straight shampoo');
  });

  it('reads "ss" and "pc" from context', () => {
    expect(text('ss cutlery set')).toBe('stainless steel cutlery set');
    expect(text('ss bolts')).toBe('stainless steel bolts');
    expect(text('amelia ss revere & short set')).toBe('amelia short sleeve revere short set');
    expect(text('ss')).toBe('stainless steel');
    expect(text('dell gaming pc')).toBe('dell gaming computer');
    expect(text('compeed corns 10pc')).toBe('compeed corns');
    expect(text('melty sticks pc')).toBe('melty sticks');
  });

  it('reads "jersey" as the knitted fabric beside another garment, else as the garment', () => {
    expect(text('mens crew neck tee 100% cotton jersey knit')).toBe('men crew neck t-shirt 100% cotton knitted knit');
    expect(text('cotton jersey fabric')).toBe('cotton knitted fabric');
    expect(text('football jersey')).toBe('football jersey');
  });

  it('gives every spelling of t-shirt the same token', () => {
    for (const s of ['tee', 't shirt', 'T-Shirt', 'tshirt', 'tee shirt', 't-shirts', 'TEES']) {
      expect({ s, n: normalise(s) }).toEqual({ s, n: { text: 't-shirt', tokens: ['tshirt'] } });
    }
    expect(tokens('golf tee')).toEqual(['golf', 'tee']);
  });
});

describe('normalise: tokenising and stemming', () => {
  it('removes stop words from tokens, keeps them inside text, trims them off its ends', () => {
    expect(normalise('a bag for the beach')).toEqual({ text: 'bag for the beach', tokens: ['bag', 'beach'] });
    for (const w of ['not', 'no', 'non', 'other', 'without', 'except', 'only', 'set', 'kit', 'case', 'parts']) {
      expect({ w, stop: STOP_WORDS.has(w) }).toEqual({ w, stop: false });
    }
  });

  it('handles hyphenated compounds', () => {
    expect(normalise('balloon waffle-knit trousers')).toEqual({
      text: 'balloon waffle-knit trousers',
      tokens: ['balloon', 'waffl', 'knit', 'trouser'],
    });
    expect(normalise('non-woven bags')).toEqual({ text: 'non-woven bags', tokens: ['nonwoven', 'bag'] });
    expect(tokens('nonwoven bags')).toEqual(['nonwoven', 'bag']);
    expect(tokens('x-ray film')).toEqual(['xrai', 'film']);
    expect(normalise('man-made fibres')).toEqual({ text: 'man-made fibres', tokens: ['manmad', 'fibr'] });
    expect(tokens('man made fibres')).toEqual(['manmad', 'fibr']);
  });

  it('joins acronyms written with dots and strips possessives', () => {
    expect(text('e.l.f. lip oil')).toBe('elf lip oil');
    expect(text("boys' casual suit")).toBe('boys casual suit');
    expect(text("cat's best litter")).toBe('cat best litter');
  });

  it('drops letter-digit codes but keeps the classifying ones and words glued to numbers', () => {
    expect(tokens('3d printer co2 laser')).toEqual(['3d', 'printer', 'co2', 'laser']);
    expect(tokens('sun cream spf50')).toEqual(['sun', 'cream', 'spf']);
    expect(text('elnetthairspray200ml unperfumed')).toBe('elnetthairspray unperfumed');
    expect(text('c30028uk ninja air fryer')).toBe('ninja air fryer');
  });

  it('exposes the same stemming', () => {
    expect(stem('garments')).toBe('garment');
    expect(stem('Garments')).toBe('garment');
    expect(stem('T-Shirts')).toBe('tshirt');
    expect(stem('vulcanised')).toBe(stem('vulcanized'));
    expect(stem('moisturiser')).toBe(stem('moisturizer'));
    expect(stem('sulfates')).toBe(stem('sulphates'));
    expect(stem('earrings')).toBe('earring');
    expect(stem('earrings')).not.toBe(stem('ear'));
    expect(stem('bearings')).not.toBe(stem('bear'));
    expect(stem('leggings')).not.toBe(stem('leg'));
    expect(stem('clothing')).not.toBe(stem('cloth'));
    expect(tokens('organic cotton')).toEqual(['organic', 'cotton']);
    // tokens are exactly stem() of the kept words
    expect(tokens('heated steel radiators')).toEqual([stem('heated'), stem('steel'), stem('radiators')]);
  });

  it('completes a last word cut by the 30-character truncation only', () => {
    expect(text('zw collection linen blend trou')).toBe('zw collection linen blend trousers');
    expect(text('zw collection cotton gauze shi')).toBe('zw collection cotton gauze shirt');
    expect(text('cotton gauze shi')).toBe('cotton gauze shi');
    expect(text('asymmetric interlock top waist')).toBe('asymmetric interlock top waist');
  });
});

describe('normalise: robustness', () => {
  it('returns empty text and tokens for empty, blank, control-only and noise-only input', () => {
    for (const s of ['', '   ', '\t\n', '\u0000\u0001\u001f\u007f', '\u200b\ufeff', '!!! ---', '12345', '£5.99', 'x12 pcs']) {
      expect({ s, n: normalise(s) }).toEqual({ s, n: { text: '', tokens: [] } });
    }
    expect(normalise(null as unknown as string)).toEqual({ text: '', tokens: [] });
    expect(normalise(undefined as unknown as string)).toEqual({ text: '', tokens: [] });
  });

  it('does not trip over Object.prototype names', () => {
    expect(tokens('constructor tostring valueof hasownproperty')).toEqual(
      ['constructor', 'tostr', 'valueof', 'hasownproperti']);
  });

  it('is idempotent on text (and tokens) for real descriptions', () => {
    const inputs = [
      'mens 100% cotton tee SKU 12345 £5.99 x12 pcs',
      'The tariff classification of men’s upper body garments from Taiwan',
      "ela's orgnc jlly jckt potato c",
      'zw collection linen blend trou',
      'amelia ss revere & short set',
      'Ladies Knitted Cardigan â€™Rosieâ€™ â® size 12',
      '50% polyester 50 percent cotton 53,7 % nylon',
      'balloon waffle-knit trousers',
      'non woven polypropylene bags, not for retail sale',
      'li-ion battery pack 20V',
      'polyvinyl chloride (pvc) film',
      'a set of 3 stainless steel cutlery',
      'vit c 1000mg tablets x 60',
    ];
    for (const s of inputs) {
      const once = normalise(s);
      expect({ s, twice: normalise(once.text) }).toEqual({ s, twice: once });
    }
  });

  // Speed is measured by `npm run bench`, not asserted here; these inputs once took ~20 s (jest's timeout catches a regression).
  it('handles 100 KB and pathological inputs', () => {
    const realistic = 'ladies 100% cotton knitted jumper SKU 12345 £5.99 x12 pcs '.repeat(1800);
    expect(realistic.length).toBeGreaterThan(100_000);
    const r = normalise(realistic);
    expect(r.tokens.length).toBe(1800 * 5);
    expect(r.tokens.slice(0, 5)).toEqual(['women', '100%', 'cotton', 'knit', 'jumper']);

    const pathological = [
      '1'.repeat(100_000),
      'x'.repeat(100_000),
      `The tariff classification ${'x'.repeat(100_000)}`,
      `The tariff classification ${'and country '.repeat(9000)}`,
      'from china, '.repeat(9000),
      'â€™'.repeat(30_000),
      '1x'.repeat(50_000),
      'a-'.repeat(50_000),
    ];
    for (const s of pathological) {
      expect(() => normalise(s)).not.toThrow();
    }
  });

});
