/**
 * Step 1 of the pipeline: turn a raw invoice / product / ruling description into
 *   - `text`:   cleaned, lower-case, readable text (for fuzzy matching and display), and
 *   - `tokens`: stemmed content tokens in order (for the index and the model).
 *
 * Decisions (see also the tables below):
 *   - Unicode: mojibake repaired (cp1252-decoded UTF-8 such as "â€™", "Ã©"; truncated trademark remnants
 *     such as "â®", "â©", "â¢" are dropped), HTML entities decoded, NFKC, accents folded to ASCII, curly
 *     quotes / dashes mapped to ASCII, control and zero-width characters removed. Letters outside Latin
 *     script are treated as separators (the data and the nomenclature are English).
 *   - Noise dropped from both `text` and `tokens`: SKUs / part / style / model numbers (tokens that mix
 *     letters and digits, and ids after "sku", "item no.", "hscode:", "#", ...), prices and currencies,
 *     quantities and pack counts ("100 pcs", "x12", "pack of 6", "2pk", "20s"), every measured quantity
 *     (number + unit: ml, g, kg, oz, cm, ", W, V, mAh, GB, years, ...), dimensions ("14" x 14" x 6""), letter and
 *     numeric sizes ("XL", "size 10", "uk 12"), dates, and CBP ruling boilerplate ("The tariff classification
 *     [, country of origin ..., status under the ... Agreement] of", trailing "from <country>", "made in <country>").
 *   - Voltage / wattage / capacity are dropped like any other measure: they matter only for a few numeric
 *     thresholds (e.g. "exceeding 1,000 V"), which a later step must read from the raw description.
 *   - Counts attached to classifying nouns keep the noun: "set of 3" -> "set", "12 rolls" -> "rolls",
 *     "case of 12" -> "case". Bare numbers are dropped from `text` and `tokens`.
 *   - Percentages are kept, in both `text` and `tokens`, as "<number>%" ("100 percent cotton" ->
 *     "100% cotton", "53,7 %" -> "53.7%"), so a later step can read composition; they are never stemmed.
 *   - Trade abbreviations are expanded from a readable table (ABBREVIATIONS, 313 entries chosen from the
 *     UK parcel lines and CBP rulings), plus a few context-dependent ones (ss, pc, pe, frm) and US -> UK
 *     spellings (color -> colour, aluminum -> aluminium, jewelry -> jewellery, fiber -> fibre, ...). Tokens
 *     additionally unify -ize/-ise, -yze/-yse and sulf-/sulph- before stemming, so WCO and HTSUS wording meet.
 *   - Hyphenated compounds stay hyphenated in `text`. In `tokens` they are joined when one part is a single
 *     letter ("t-shirt" -> "tshirt", "x-ray") or the first part is a prefix (non-, anti-, pre-, multi-, ...:
 *     "non-woven" -> "nonwoven"), else split ("waffle-knit" -> "waffl", "knit"). "non <word>" is read as "non-<word>".
 *   - "tee", "t shirt", "tshirt", "tee shirt" all become "t-shirt" (token "tshirt").
 *   - The last word of a description 29-30 characters long is completed when it is an unambiguous
 *     prefix of a common product word (the UK parcel lines are cut at 30 characters: "...linen blend trou").
 *   - Stop words (STOP_WORDS, a small explicit list) stay in `text` (except at its ends) but not in `tokens`.
 *     Negations and classifying words are never stop words: not, no, non, nor, other, without, except,
 *     only, used, new, set, kit, case, parts.
 *   - Stemming: natural's Porter stemmer, memoised (bounded cache), except for a few nouns Porter would merge
 *     with unrelated words (PROTECTED_WORDS: earrings/ear, bearings/bear, leggings/leg, clothing/cloth, ...).
 *     Words over 40 characters (glued garbage) are not stemmed: Porter is quadratic in word length.
 *   - `text` is idempotent (normalise(normalise(x).text).text === normalise(x).text, same tokens), except when
 *     the first pass leaves a 29-30 character text ending in a cut word, which the second pass completes.
 */

// natural is imported by sub-path only: its root pulls in database drivers.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const porter: { stem(token: string): string } = require('natural/lib/natural/stemmers/porter_stemmer');

export interface Normalised {
  /** Cleaned, lower-case, readable text (noise removed, abbreviations expanded), for fuzzy matching and display. */
  text: string;
  /** Stemmed content tokens in order (stop words removed), for the index and the model. */
  tokens: string[];
}

// ---------------------------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------------------------

/**
 * Trade abbreviations -> expansion (lower case, whole words only). An empty expansion drops the word.
 * Expansions must be plain words that are not keys themselves (checked by the tests).
 */
export const ABBREVIATIONS: Readonly<Record<string, string>> = {
  // gender and age
  mens: 'men', mns: 'men', man: 'men', mans: 'men', gents: 'men', gent: 'men', gentlemens: 'men',
  womens: 'women', womans: 'women', woman: 'women', wmns: 'women', wmn: 'women', wms: 'women', wom: 'women',
  ladies: 'women', ladys: 'women', lady: 'women', ladie: 'women', lds: 'women', ldy: 'women',
  kds: 'kids', chldrn: 'children', childrens: 'children', inf: 'infant', bby: 'baby',
  // garments and textiles
  tshirt: 't-shirt', tshirts: 't-shirt', tshrt: 't-shirt',
  jkt: 'jacket', jkts: 'jackets', jckt: 'jacket', trs: 'trousers', trsrs: 'trousers', trous: 'trousers',
  trouse: 'trousers', trou: 'trousers', tro: 'trousers', swtr: 'sweater', jmpr: 'jumper', shrt: 'shirt',
  blse: 'blouse', pj: 'pyjamas', pjs: 'pyjamas', pyj: 'pyjamas', pyjs: 'pyjamas', btms: 'bottoms',
  slv: 'sleeve', slvs: 'sleeves', slvless: 'sleeveless', wvn: 'woven', knt: 'knit',
  ctn: 'cotton', cttn: 'cotton', polyest: 'polyester', polyestr: 'polyester', polycotton: 'polyester cotton',
  acryl: 'acrylic', lthr: 'leather', mmf: 'man-made fibres', manmade: 'man-made',
  // plastics and metals
  pp: 'polypropylene', hdpe: 'high density polyethylene', ldpe: 'low density polyethylene',
  pvc: 'polyvinyl chloride', upvc: 'unplasticised polyvinyl chloride', pu: 'polyurethane',
  tpu: 'thermoplastic polyurethane', tpr: 'thermoplastic rubber', eva: 'ethylene vinyl acetate',
  peva: 'polyethylene vinyl acetate', ptfe: 'polytetrafluoroethylene', stl: 'steel', alu: 'aluminium',
  alum: 'aluminium', galv: 'galvanised', plstc: 'plastic', wdn: 'wooden',
  // electrical
  elec: 'electric', elect: 'electric', elctrc: 'electric', tv: 'television', tvs: 'televisions',
  btry: 'battery', batt: 'battery', batts: 'batteries', 'li-ion': 'lithium ion battery', liion: 'lithium ion battery',
  'li-po': 'lithium polymer battery', lipo: 'lithium polymer battery', nimh: 'nickel metal hydride battery',
  chrgr: 'charger', cbl: 'cable', adptr: 'adapter', wrls: 'wireless',
  // cosmetics and toiletries (the UK parcel lines)
  crm: 'cream', srm: 'serum', shmpoo: 'shampoo', shmpo: 'shampoo', shmp: 'shampoo', spoo: 'shampoo', shamp: 'shampoo',
  cndtnr: 'conditioner', cond: 'conditioner', condtnr: 'conditioner', cndit: 'conditioner', conditi: 'conditioner',
  conditio: 'conditioner', lp: 'lip', lpstk: 'lipstick', lpstck: 'lipstick', lipstk: 'lipstick', mscr: 'mascara',
  mscra: 'mascara', masc: 'mascara', mascar: 'mascara', mascra: 'mascara', blsh: 'blusher', blshr: 'blusher',
  brnzr: 'bronzer', brnzer: 'bronzer', fndtn: 'foundation', fdn: 'foundation', fnd: 'foundation',
  foundati: 'foundation', foundat: 'foundation', pwdr: 'powder', pwd: 'powder', pdr: 'powder', pwder: 'powder',
  shdw: 'shadow', eyeshdw: 'eyeshadow', cclr: 'concealer', cnclr: 'concealer', ltn: 'lotion', bdy: 'body',
  bw: 'body wash', bwash: 'body wash', bdwsh: 'body wash', bodwsh: 'body wash', hw: 'hand wash',
  hndwsh: 'hand wash', shwr: 'shower', shwrgel: 'shower gel', deo: 'deodorant', deodrnt: 'deodorant',
  apd: 'antiperspirant deodorant', antip: 'antiperspirant', antipers: 'antiperspirant', atiprs: 'antiperspirant',
  antiprs: 'antiperspirant', fce: 'face', fc: 'face', fcl: 'facial', ol: 'oil', clnsr: 'cleanser',
  clnsn: 'cleansing', clnsng: 'cleansing', mstrsr: 'moisturiser', mstrs: 'moisturiser', mstr: 'moisturiser',
  mstrsing: 'moisturising', tbrush: 'toothbrush', tpaste: 'toothpaste', para: 'paracetamol', hr: 'hair', rmv: 'remover', rmvr: 'remover', msk: 'mask', spr: 'spray', spry: 'spray',
  mst: 'mist', wtr: 'water', wps: 'wipes', pnts: 'pants', pnty: 'panty', lners: 'liners', sntry: 'sanitary',
  twls: 'towels', nght: 'night', lng: 'long', wth: 'with', xtra: 'extra', ult: 'ultra', ultr: 'ultra',
  skn: 'skin', sknactve: 'skin active', snstv: 'sensitive', snstve: 'sensitive', snsv: 'sensitive',
  snsitive: 'sensitive', snstive: 'sensitive', sensi: 'sensitive', prtct: 'protect', prtctn: 'protection',
  mkup: 'makeup', mkeup: 'makeup', mup: 'makeup', brsh: 'brush', brw: 'brow', brws: 'brows', pncl: 'pencil',
  glss: 'gloss', hyd: 'hydrating', hydrt: 'hydrating', hydrtng: 'hydrating', trt: 'treatment',
  csmtc: 'cosmetic', spgs: 'sponges', spnge: 'sponge', lqd: 'liquid', liq: 'liquid', liqud: 'liquid',
  lquid: 'liquid', plt: 'palette', smll: 'small', dble: 'double', dbl: 'double', edt: 'eau de toilette',
  edp: 'eau de parfum', parf: 'parfum', frgr: 'fragrance', frag: 'fragrance', frgnc: 'fragrance',
  cndle: 'candle', tampns: 'tampons', wp: 'waterproof', fld: 'fluid', cntrl: 'control',
  // food and drink
  choc: 'chocolate', choco: 'chocolate', ckn: 'chicken', chkn: 'chicken', lmb: 'lamb', turk: 'turkey',
  veg: 'vegetable', bana: 'banana', strawb: 'strawberry', strawbs: 'strawberries', strawbrry: 'strawberry',
  strawber: 'strawberry', rspbrry: 'raspberry', cnut: 'coconut', ccnt: 'coconut', conut: 'coconut',
  cocon: 'coconut', vnla: 'vanilla', vnll: 'vanilla', vanil: 'vanilla', jlly: 'jelly', jly: 'jelly', mlk: 'milk',
  org: 'organic', orgc: 'organic', orgnc: 'organic', orgnic: 'organic', vit: 'vitamin', vits: 'vitamins',
  vitm: 'vitamin', vtmn: 'vitamin', vitmn: 'vitamin', supp: 'supplement', supps: 'supplements',
  bbq: 'barbecue',
  // colours (readability of `text`)
  blk: 'black', wht: 'white', brwn: 'brown', brn: 'brown', grn: 'green', gry: 'grey', pnk: 'pink',
  nvy: 'navy', slvr: 'silver', gld: 'gold', gldn: 'golden', prpl: 'purple',
  // general trade shorthand
  asst: 'assorted', assrtd: 'assorted', astd: 'assorted', asstd: 'assorted', acc: 'accessories',
  accs: 'accessories', accy: 'accessories', accss: 'accessories', equip: 'equipment', mach: 'machine',
  repl: 'replacement', xmas: 'christmas', bday: 'birthday', pers: 'personalised', orig: 'original',
  natrl: 'natural', ntrl: 'natural',
  // units and counting words that carry no class (dropped)
  pcs: '', pce: '', pces: '', pk: '', pks: '', pkt: '', pkts: '', ct: '', ea: '', qty: '', nos: '',
  sz: '', approx: '', approximately: '', sku: '', usd: '', gbp: '', eur: '', rmb: '', cny: '', jpy: '',
};

/** US -> UK spellings (WCO texts use UK spelling, HTSUS and CBP use US spelling). Plurals are generated. */
const SPELLING: ReadonlyArray<readonly [string, string]> = [
  ['color', 'colour'], ['flavor', 'flavour'], ['odor', 'odour'], ['vapor', 'vapour'], ['harbor', 'harbour'],
  ['labor', 'labour'], ['favor', 'favour'], ['armor', 'armour'], ['fiber', 'fibre'], ['center', 'centre'],
  ['liter', 'litre'], ['theater', 'theatre'], ['caliber', 'calibre'], ['luster', 'lustre'], ['mold', 'mould'],
  ['jewelry', 'jewellery'], ['aluminum', 'aluminium'], ['gray', 'grey'], ['pajama', 'pyjama'],
  ['pajamas', 'pyjamas'], ['tire', 'tyre'], ['catalog', 'catalogue'], ['analog', 'analogue'],
  ['woolen', 'woollen'], ['whiskey', 'whisky'], ['yogurt', 'yoghurt'], ['plow', 'plough'], ['defense', 'defence'],
  ['donut', 'doughnut'], ['mustache', 'moustache'], ['cozy', 'cosy'], ['traveler', 'traveller'],
];

/** Context-dependent abbreviations: the first rule whose pattern matches the whole description wins. */
const CONTEXT_ABBREVIATIONS: Readonly<Record<string, ReadonlyArray<readonly [RegExp | null, string]>>> = {
  ss: [
    [/\b(?:steel|metal|bolts?|screws?|nuts?|washers?|pipes?|tubes?|sinks?|cutlery|knife|knives|spoons?|forks?|pans?|pots?|bottles?|flasks?|tumblers?|mugs?|wire|sheets?|plates?|chains?|tanks?|valves?|fittings?)\b/, 'stainless steel'],
    [/\b(?:shirts?|t-shirts?|tops?|dress(?:es)?|blouses?|revere|sleeves?|sets?|cardigans?|jumpers?|sweaters?|jackets?|polo|tunics?|bodysuits?|rompers?|playsuits?|jumpsuits?|pyjamas?|nightdress|kimono|knit|woven|cotton|linen)\b/, 'short sleeve'],
    // toiletries ("boots ss shower cap", "everyday ss ey mkeup rmv"): meaning unknown, dropped
    [/\b(?:shower|makeup|mkeup|eye|ey|face|skin|hair|cream|crm|wash|shampoo|cap)\b/, ''],
    [null, 'stainless steel'],
  ],
  // jersey the knitted fabric when another garment is named ("crew neck tee 100% cotton jersey knit"), else the garment
  jersey: [[/\b(?:t-shirts?|tees?|tops?|dress(?:es)?|leggings|shirts?|polos?|skirts?|shorts|pyjamas?|bodysuits?|vests?|hoodies?|fabrics?|cloth)\b/, 'knitted'], [null, 'jersey']],
  tee: [[/\bgolf\b/, 'tee'], [null, 't-shirt']],
  tees: [[/\bgolf\b/, 'tees'], [null, 't-shirt']],
  pc: [
    [/\b(?:gaming|desktop|laptop|computers?|monitors?|keyboards?|mouse|tower|cpu|processor|windows|intel|amd|games?|software|motherboard|ram|ssd|hdd)\b/, 'computer'],
    [null, ''],
  ],
  pe: [
    [/\b(?:school|plimsolls?|shorts|skorts?|trainers|t-shirts?|tops?|kit)\b/, ''],
    [null, 'polyethylene'],
  ],
  frm: [
    [/\b(?:milk|mlk|infant|inf|baby|formula|birth|brth|kendamil|aptamil)\b/, 'formula'],
    [null, ''],
  ],
};

/** Small explicit English stop-word list. Negations and classifying words are deliberately absent. */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'the', 'and', 'or', 'of', 'to', 'in', 'on', 'at', 'by', 'for', 'with', 'from', 'as', 'into', 'onto',
  'per', 'via', 'is', 'are', 'was', 'were', 'be', 'been', 'being', 'am', 'it', 'its', 'this', 'that', 'these',
  'those', 'there', 'their', 'they', 'them', 'he', 'she', 'his', 'her', 'hers', 'we', 'our', 'us', 'you', 'your',
  'i', 'me', 'my', 'has', 'have', 'had', 'do', 'does', 'did', 'will', 'would', 'can', 'could', 'may', 'might',
  'shall', 'should', 'must', 'than', 'then', 'so', 'such', 'also', 'very', 'just', 'about', 'which', 'who',
  'whom', 'whose', 'what', 'when', 'where', 'while', 'if', 'but', 'both', 'each', 'any', 'some', 'all', 'more',
  'most', 'etc', 'eg', 'ie', 'up', 'out',
]);

/** Words dropped everywhere: ruling / customs boilerplate that says nothing about the goods. */
const BOILERPLATE = new Set([
  'hscode', 'hts', 'htsus', 'cfr', 'usc', 'usmca', 'nafta', 'cafta', 'gsp', 'subheading', 'eligibility',
]);

const NUMBER_WORDS = new Set([
  'zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve',
  'twenty', 'fifty', 'hundred', 'thousand', 'dozen',
]);
const NUMBER_WORD_ALT = 'one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a\\s+dozen|dozen';

/** Tokens mixing letters and digits that classify (kept as-is, never stemmed). */
const KEEP_ALNUM = new Set(['2d', '3d', '4k', '8k', 'co2', 'h2o', 'mp3', 'mp4', 'a3', 'a4', 'a5', 'a6', '4x4', '4wd', 'q10', 'b12', 'b6', 'd3', 'k2']);

/** Prefixes joined to the next part of a hyphenated compound in tokens ("non-woven" -> "nonwoven"). */
const JOIN_PREFIXES = new Set(['non', 'anti', 'semi', 'multi', 'pre', 'post', 'self', 'un', 're', 'sub', 'co', 'micro', 'nano', 'bi', 'tri', 'de']);
const JOIN_WHOLE = new Set(['make-up', 'man-made']);

/** Product words used to complete a last word cut by the 30-character truncation of the UK parcel lines. */
const COMPLETIONS = [
  'trousers', 'shirt', 'blouse', 'bodysuit', 'jacket', 'waistcoat', 'sweatshirt', 'sweater', 'cardigan', 'dress',
  'skirt', 'short', 'shorts', 'leggings', 'jumper', 'pyjamas', 'culottes', 'camisole', 'playsuit', 'jumpsuit',
  'blazer', 'bermuda', 'halter', 'denim', 'corduroy', 'embroidered', 'balloon', 'ruffle', 'contrast', 'pleated',
  'trainers', 'sandals', 'slippers', 'underwear', 'waterproof', 'windproof', 'shoulder', 'sleeve', 'sleeveless',
  'swimsuit', 'bikini', 'gilet', 'hoodie', 'joggers', 'tracksuit', 'pocket', 'button', 'collection', 'thermal',
  'conditioner', 'shampoo', 'moisturiser', 'moisturising', 'foundation', 'mascara', 'lipstick', 'concealer',
  'cleanser', 'cleansing', 'lotion', 'sunscreen', 'hairspray', 'deodorant', 'antiperspirant', 'fragrance',
  'perfume', 'toothbrush', 'toothpaste', 'primer', 'bronzer', 'blusher', 'eyeshadow', 'palette', 'powder',
  'polish', 'treatment', 'sensitive', 'hydrating', 'vitamin', 'tablets', 'capsules', 'injection', 'pregnancy',
  'protection', 'chocolate', 'strawberry', 'raspberry', 'vanilla', 'coconut', 'cucumber', 'cranberry', 'caramel',
  'banana', 'pomegranate', 'cocktail', 'biscuits', 'adventure', 'automatic', 'cigarette', 'cartridge', 'charger',
  'battery', 'accessories', 'portfolio', 'sandalwood', 'waist', 'collagen', 'water', 'perfect', 'spray',
].sort();
/** Three-letter fragments that are safe to complete. */
const COMPLETE_SHORT = new Map([['tro', 'trousers'], ['shi', 'shirt'], ['dre', 'dress'], ['jac', 'jacket']]);
/** Real words that are prefixes of completion words and must never be completed. */
const NOT_FRAGMENTS = new Set(['auto', 'ball', 'pant', 'pants', 'shoe', 'polo', 'coco', 'dres', 'sand', 'slip', 'pock', 'butt', 'bike', 'char', 'chocolat']);

const COUNTRIES = [
  "the people's republic of china", "people's republic of china", 'china', 'prc', 'taiwan', 'hong kong', 'macau',
  'macao', 'japan', 'south korea', 'the republic of korea', 'republic of korea', 'korea', 'vietnam', 'viet nam',
  'thailand', 'cambodia', 'laos', 'myanmar', 'burma', 'malaysia', 'singapore', 'indonesia', 'the philippines',
  'philippines', 'india', 'pakistan', 'bangladesh', 'sri lanka', 'nepal', 'turkey', 'turkiye', 'israel', 'jordan',
  'egypt', 'morocco', 'tunisia', 'south africa', 'kenya', 'ethiopia', 'madagascar', 'mauritius', 'nigeria', 'ghana',
  'the united states of america', 'the united states', 'united states', 'usa', 'canada', 'mexico', 'guatemala',
  'honduras', 'el salvador', 'nicaragua', 'costa rica', 'panama', 'the dominican republic', 'dominican republic',
  'haiti', 'colombia', 'peru', 'ecuador', 'chile', 'argentina', 'brazil', 'uruguay', 'paraguay', 'bolivia',
  'venezuela', 'the united kingdom', 'united kingdom', 'uk', 'great britain', 'england', 'scotland', 'wales',
  'northern ireland', 'ireland', 'germany', 'france', 'italy', 'spain', 'portugal', 'the netherlands', 'netherlands',
  'holland', 'belgium', 'luxembourg', 'switzerland', 'austria', 'denmark', 'sweden', 'norway', 'finland', 'iceland',
  'poland', 'the czech republic', 'czech republic', 'czechia', 'slovakia', 'hungary', 'romania', 'bulgaria',
  'greece', 'croatia', 'slovenia', 'serbia', 'bosnia', 'albania', 'north macedonia', 'ukraine', 'belarus',
  'russia', 'lithuania', 'latvia', 'estonia', 'moldova', 'armenia', 'azerbaijan', 'kazakhstan', 'uzbekistan',
  'australia', 'new zealand', 'fiji', 'saudi arabia', 'the united arab emirates', 'united arab emirates', 'uae',
  'qatar', 'kuwait', 'oman', 'bahrain', 'iran', 'iraq', 'lebanon', 'cyprus', 'malta', 'the european union',
  'european union', 'the eu', 'eu', 'somalia', 'columbia', 'sierra leone', 'senegal', 'ivory coast', "cote d'ivoire",
  'tanzania', 'uganda', 'zimbabwe', 'zambia', 'mongolia', 'brunei', 'multiple countries', 'various countries',
];

// ---------------------------------------------------------------------------------------------
// Precompiled patterns (all applied to lower-case ASCII text)
// ---------------------------------------------------------------------------------------------

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const COUNTRY_ALT = [...COUNTRIES].sort((a, b) => b.length - a.length).map(escapeRe).join('|');

// Unicode
const NON_ASCII_RE = /[^\x00-\x7f]/;
const MOJIBAKE_HINT_RE = /[\u00c2-\u00f4][\u0080-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178]/;
const MOJIBAKE_RUN_RE = /[\u00c2-\u00f4][\u0080-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178]+/g;
/** cp1252 characters in 0x80-0x9f -> byte. */
const CP1252_BYTE = new Map<string, number>([
  ['\u20ac', 0x80], ['\u201a', 0x82], ['\u0192', 0x83], ['\u201e', 0x84], ['\u2026', 0x85], ['\u2020', 0x86],
  ['\u2021', 0x87], ['\u02c6', 0x88], ['\u2030', 0x89], ['\u0160', 0x8a], ['\u2039', 0x8b], ['\u0152', 0x8c],
  ['\u017d', 0x8e], ['\u2018', 0x91], ['\u2019', 0x92], ['\u201c', 0x93], ['\u201d', 0x94], ['\u2022', 0x95],
  ['\u2013', 0x96], ['\u2014', 0x97], ['\u02dc', 0x98], ['\u2122', 0x99], ['\u0161', 0x9a], ['\u203a', 0x9b],
  ['\u0153', 0x9c], ['\u017e', 0x9e], ['\u0178', 0x9f],
]);
const UTF8 = new TextDecoder('utf-8', { fatal: true });
const COMBINING_RE = /[\u0300-\u036f]/g;
const CHAR_MAP: Readonly<Record<string, string>> = {
  '\u2018': "'", '\u2019': "'", '\u201a': "'", '\u201b': "'", '\u2032': "'", '\u00b4': "'", '`': "'",
  '\u201c': '"', '\u201d': '"', '\u201e': '"', '\u201f': '"', '\u2033': '"', '\u00ab': '"', '\u00bb': '"',
  '\u2010': '-', '\u2011': '-', '\u2012': '-', '\u2013': '-', '\u2014': '-', '\u2015': '-', '\u2212': '-',
  '\u2026': '...', '\u00d7': 'x', '\u2044': '/', '\u00df': 'ss', '\u00e6': 'ae', '\u00c6': 'ae', '\u0153': 'oe',
  '\u0152': 'oe', '\u00f8': 'o', '\u00d8': 'o', '\u0142': 'l', '\u0141': 'l', '\u0111': 'd', '\u00f0': 'd',
  '\u00fe': 'th', '\u0131': 'i', '\u00a0': ' ', '\u00b5': 'u', '\u03bc': 'u',
  // currency signs become ISO codes so the price rules still see them after non-ASCII is stripped
  '\u00a3': ' gbp ', '\u20ac': ' eur ', '\u00a5': ' jpy ',
};
const CHAR_MAP_RE = new RegExp(`[${Object.keys(CHAR_MAP).join('')}]`, 'g');
// control characters, C1 controls, zero-width and BOM, replacement character, then anything non-ASCII left
const CONTROL_RE = /[\x00-\x1f\x7f-\x9f]+/g;
const INVISIBLE_RE = /[\u200b-\u200d\u2060\ufeff\ufffd\u00ad]/g;
const LEFTOVER_NON_ASCII_RE = /[^\x00-\x7f]+/g;
const ENTITY_RE = /&(?:amp|quot|apos|lt|gt|nbsp|#\d{1,6}|#x[0-9a-f]{1,6});/gi;

// Ruling boilerplate
const PREAMBLE_RE = /^\s*(?:re:\s*)?(?:the\s+)?(?:tariff\s+)?classification(?:[^;|]*?(?:\b(?:agreement|act|protocol|program(?:me)?|marking|determination|origin|duties|eligibility(?=\s+of\s+(?!the\b)))\b|\)))?\s*,?\s+(?:of|for(?!\s+marking\b))\s+(?:(?:an?|the)\s+)?/;
/** "The tariff classification a flexible tube" (the "of" forgotten). */
const PREAMBLE_NO_OF_RE = /^\s*(?:re:\s*)?(?:the\s+)?tariff\s+classification\s+(?!of\b|and\b|or\b|for\b|under\b|,)(?:(?:an?|the)\s+)?/;
const RECONSIDERATION_RE = /^\s*(?:request\s+for\s+reconsideration|reconsideration|(?:decision\s+on\s+)?application\s+for\s+further\s+review|protest(?:\s+and\s+afr)?|revocation|modification)\b[^;|]*[;|]/;
const LEGAL_REF_RE = /\b(?:sub)?headings?\s+\d{4}(?:\.\d+)*|\bchapter\s+\d{1,2}\b|\bsection\s+(?:\d+|[xvi]+\b)|\bnote\s+\d+\b/g;
const ORIGIN_RE = new RegExp(
  `\\b(?:from|form|made\\s+in|product\\s+of|produced\\s+in|manufactured\\s+in|origin\\s*:?)[\\s,]+(?:${COUNTRY_ALT})(?![a-z])` +
  `(?:\\s*(?:,|&|/|\\band\\b|\\bor\\b)\\s*(?:${COUNTRY_ALT})(?![a-z]))*(?=\\s*(?:$|[.;|,)\\]]|in\\s+(?:bulk|dosage)\\b))`, 'g');
const MADE_IN_RE = new RegExp(`\\bmade\\s+in\\s+(?:${COUNTRY_ALT})(?![a-z])`, 'g');
const COUNTRY_OF_ORIGIN_RE = /\bcountry\s+of\s+origin(?:\s+marking)?\b/g;
const RULING_REF_RE = /\b(?:ny|hq|nyrl|ruling)\s+[a-z]?\d{5,6}\b/g;

// Identifiers, prices, percentages, dates, sizes, quantities
const KEYWORD_ID_RE = /\b(?:sku|item|art|article|part|model|style|ref|reference|prod|product|order|po|invoice|inv|lot|batch|upc|ean|gtin|isbn|barcode|serial|code|hs\s*code|hscode|hts|tariff\s*code|commodity\s*code|mpn|p\/n)(?![a-z])\s*(?:(?:no|nos|num)\b\.?|number|#)?\s*[:#.]?\s*(?=[a-z0-9\-/.]*\d)[a-z0-9][a-z0-9\-/.]*/g;
const HASH_ID_RE = /#\s*[a-z0-9]*\d[a-z0-9\-/.]*/g;
const NO_NUMBER_RE = /\bno\.?\s*\d+\b/g;
const PERCENT_RE = /(?<![\d.,])(\d+(?:[.,]\d+)?)\s*(?:%|\bpercent\b|\bper\s+cent\b|\bpct\b)/g;
const PRICE_SYMBOL_RE = /(?:us\$|\$|\b(?:gbp|usd|eur|rmb|cny|jpy|aud|cad|inr|chf)\s*)\s*\d[\d,]*(?:\.\d+)?/g;
const PRICE_SUFFIX_RE = /(?<![a-z0-9.])\d[\d,]*(?:\.\d+)?\s*(?:gbp|usd|eur|euros?|dollars?|cents?|rmb|cny|yuan|jpy|yen|aud|cad|inr|chf|p)(?![a-z0-9])/g;
const MONTH = 'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?';
const DATE_RE = new RegExp(
  `(?<![\\d.])\\d{1,4}[/.-]\\d{1,2}[/.-]\\d{1,4}(?![\\d.])|\\b\\d{1,2}/\\d{4}\\b` +
  `|\\b(?:${MONTH})\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+\\d{4}\\b` +
  `|\\b\\d{1,2}(?:st|nd|rd|th)?\\s+(?:${MONTH})\\.?,?\\s+\\d{2,4}\\b|\\b(?:${MONTH})\\.?\\s+\\d{4}\\b`, 'g');
const UNIT =
  'fl\\.?\\s*oz|floz|g/m2|sq\\.?\\s*m|sq\\.?\\s*ft|cu\\.?\\s*ft|ml|millilit(?:re|er)s?|cl|dl|l|lt|ltr|ltrs|lit(?:re|er)s?' +
  '|g|gm|gms|gr|grams?|grammes?|kg|kgs|kilo(?:gram(?:me)?)?s?|mg|mcg|ug|oz|ozs|ounces?|lb|lbs|pounds?' +
  '|mm|cm|m|mtrs?|met(?:er|re)s?|km|in|inch(?:es)?|ft|feet|yds?|yards?|"|\'' +
  '|w|watts?|kw|kwh|wh|v|vac|vdc|volts?|mah|ah|a|amps?|hz|khz|mhz|ghz|gb|tb|mb|kb|db|lm|lumens?|gsm|psi|rpm|m2|m3|cc' +
  '|deg(?:rees?)?\\s*[cf]?|years?|yrs?|months?|mths?|weeks?|wks?|days?|hrs?|hours?|mins?|minutes?|secs?|seconds?';
const NUM = '(?:\\d+(?:[.,]\\d+)*|\\.\\d+)';
const DIMENSION_RE = new RegExp(
  `(?<![a-z0-9.])${NUM}\\s*(?:(?:${UNIT})(?![a-z0-9])\\s*)?(?:x|\\*|by)\\s*${NUM}(?:\\s*(?:${UNIT})(?![a-z0-9]))?` +
  `(?:\\s*(?:x|\\*|by)\\s*${NUM}(?:\\s*(?:${UNIT})(?![a-z0-9]))?)*`, 'g');
const MEASURE_RE = new RegExp(`(?<![a-z0-9.])${NUM}(?:\\s*(?:-|to)\\s*${NUM})?\\s*(?:${UNIT})(?![a-z0-9])\\+?`, 'g');
const SIZE_RE = /\b(?:size|sizes|talla)\b\s*[:.]?\s*(?:\d+(?:[.\/-]\d+)?\b|x{0,3}[sml]\b|x{1,3}l\b|[2-6]x[ls]?\b|small\b|medium\b|large\b)?|\b(?:xxs|xs|xxl|xxxl|xl|[2-6]xl|s\/m|m\/l|l\/xl|s-m|m-l|md\/lg|sm\/md)\b|\b(?:uk|eu)\s*\d{1,2}(?:\.5)?\b/g;
const COUNT_RE = new RegExp(
  `(?<![a-z0-9.])\\d+\\s*-?\\s*(?:pcs?|pces?|pieces?|pk|pks|pkts?|packs?|ct|cts|count|units?|nos|s|'s|x)(?![a-z0-9])` +
  `|(?<![a-z0-9.])\\d+x(?=[a-z]{3,})|(?<![a-z0-9])x\\s*\\d+(?![a-z0-9.])` +
  `|\\b(?:${NUMBER_WORD_ALT})\\s+(?:packs?|pieces|pcs)\\b`, 'g');
const OF_COUNT_RE = new RegExp(
  `\\b(multi-?pack|pack|pk|pkt|bundle|lot|set|case|box|bag|tin|carton|pair|bottle|jar|tub|kit)(s?)\\s+of\\s+(?:\\d+|${NUMBER_WORD_ALT})\\b`, 'g');
const DROP_NOUN_OF_COUNT = new Set(['multipack', 'multi-pack', 'pack', 'pk', 'pkt', 'bundle', 'lot']);

// Phrase rewrites (before tokenising)
const SLASH_ABBR_RE = /(?<![a-z0-9])(?:s\/steel|st\/st|s\/poo|s\/s|l\/s|w\/o|w\/p)(?![a-z0-9])|(?<![a-z0-9])w\/(?=[a-z\s]|$)/g;
const SLASH_ABBR: Readonly<Record<string, string>> = {
  's/s': ' short sleeve ', 'l/s': ' long sleeve ', 'w/o': ' without ', 'w/p': ' waterproof ',
  's/steel': ' stainless steel ', 'st/st': ' stainless steel ', 's/poo': ' shampoo ', 'w/': ' with ',
};
const TSHIRT_RE = /\b(?:t|tee)[\s-]?shirts?\b/g;
const LITHIUM_RE = /\b(?:li|lithium)[\s-]?(ion|po|polymer)\b(?:\s+batter(?:y|ies)\b)?/g;
const NON_RE = /\bnon\s+(?=[a-z]{3,})/g;
const MAN_MADE_RE = /\bman[\s-]+made\b/g;
const MAKE_UP_RE = /\bmake[\s-]+up\b/g;

/** A word: letters/digits with inner hyphens, apostrophes or dots, optionally ending with %. */
const WORD_RE = /[a-z0-9]+(?:['.\-][a-z0-9]+)*%?/g;
const IS_NUMBER_RE = /^\d+(?:\.\d+)*$/;
const IS_PERCENT_RE = /^\d+(?:\.\d+)?%$/;
const HAS_DIGIT_RE = /\d/;
const LETTER_RUN_RE = /[a-z]+/g;
const ACRONYM_RE = /^[a-z](?:\.[a-z])+$/;
const ISE_RE = /(?<=[a-z]{2}[^aeiou ])(?:is|ys)(e|es|ed|ing|er|ers|ation|ations|able)$/;

// ---------------------------------------------------------------------------------------------
// Stemming
// ---------------------------------------------------------------------------------------------

const STEM_CACHE_MAX = 200_000;
const MAX_STEM_LENGTH = 40;
const stemCache = new Map<string, string>();

/** Token-level spelling unification applied before stemming (invisible in `text`). */
function unifySpelling(w: string): string {
  if (w.includes('sulf')) w = w.replace(/sulf/g, 'sulph');
  const m = ISE_RE.exec(w);
  if (m) w = w.slice(0, m.index) + (w[m.index] === 'y' ? 'yz' : 'iz') + m[1];
  return w;
}

/**
 * Nouns the Porter stemmer would merge with an unrelated word ("earrings" -> "ear", "bearings" -> "bear",
 * "leggings" -> "leg", "clothing" -> "cloth", "dressing" -> "dress", "organic" -> "organ"). Singular and
 * plural both stem to the word itself.
 */
const PROTECTED_WORDS = [
  'bearing', 'earring', 'legging', 'stocking', 'clothing', 'bedding', 'coating', 'dressing', 'fitting', 'casing',
  'wadding', 'lining', 'filling', 'piping', 'pudding', 'stuffing', 'seasoning', 'housing', 'ceiling', 'building',
  'painting', 'drawing', 'topping', 'boxing', 'fishing', 'shorts', 'glasses', 'organic',
];
const PROTECTED_STEMS = new Map<string, string>();
for (const w of PROTECTED_WORDS) {
  PROTECTED_STEMS.set(w, w);
  if (!w.endsWith('s') && !w.endsWith('ic')) PROTECTED_STEMS.set(`${w}s`, w);
}

/** The stemming used for tokens: lower case, US/UK spelling unified, Porter stemmer. Memoised. */
export function stem(word: string): string {
  const cached = stemCache.get(word);
  if (cached !== undefined) return cached;
  const lower = word.toLowerCase().replace(/['-]/g, '');
  // Porter's regexes are quadratic in the word length: very long "words" (glued garbage) are kept unstemmed.
  const out = PROTECTED_STEMS.get(lower) ?? (lower.length > MAX_STEM_LENGTH ? lower : porter.stem(unifySpelling(lower)));
  if (stemCache.size >= STEM_CACHE_MAX) stemCache.clear();
  stemCache.set(word, out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Cleaning
// ---------------------------------------------------------------------------------------------

function fixMojibakeRun(run: string): string {
  const lead = run.charCodeAt(0);
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
  const looksLikeMojibake = lead === 0xe2 || lead === 0xc2 || lead === 0xc3;
  // A truncated sequence such as "â®" (the middle byte of a trademark sign was lost) is dropped when it
  // starts like mojibake; otherwise it is genuine Latin-1 text and stays.
  if (run.length < need) return looksLikeMojibake ? ' ' : run;
  const bytes = new Uint8Array(need);
  for (let i = 0; i < need; i++) {
    const c = run.charCodeAt(i);
    bytes[i] = c < 0x100 ? c : (CP1252_BYTE.get(run[i]!) ?? 0x3f);
  }
  try {
    return UTF8.decode(bytes) + run.slice(need);
  } catch {
    return looksLikeMojibake ? ' ' : run;
  }
}

function fixUnicode(s: string): string {
  for (let pass = 0; pass < 2 && MOJIBAKE_HINT_RE.test(s); pass++) s = s.replace(MOJIBAKE_RUN_RE, fixMojibakeRun);
  s = s.normalize('NFKC');
  s = s.replace(CHAR_MAP_RE, (c) => CHAR_MAP[c] ?? ' ');
  s = s.replace(INVISIBLE_RE, '');
  if (NON_ASCII_RE.test(s)) {
    s = s.normalize('NFD').replace(COMBINING_RE, '').replace(LEFTOVER_NON_ASCII_RE, ' ');
  }
  return s;
}

function decodeEntity(entity: string): string {
  const e = entity.toLowerCase();
  switch (e) {
    case '&amp;': return '&';
    case '&quot;': return '"';
    case '&apos;': return "'";
    case '&lt;': return '<';
    case '&gt;': return '>';
    case '&nbsp;': return ' ';
    default: {
      const code = e[2] === 'x' ? parseInt(e.slice(3, -1), 16) : parseInt(e.slice(2, -1), 10);
      return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : ' ';
    }
  }
}

/** Lower-case ASCII string with boilerplate and noise replaced by spaces. */
function cleanString(raw: string): string {
  let s = raw;
  if (s.includes('&')) s = s.replace(ENTITY_RE, decodeEntity);
  // mojibake must be repaired before lower-casing (which would change "Ã" into "ã")
  if (NON_ASCII_RE.test(s)) s = fixUnicode(s);
  s = s.toLowerCase().replace(CONTROL_RE, ' ');

  // ruling boilerplate
  if (s.includes('reconsideration') || s.includes('protest') || s.includes('revocation') || s.includes('modification')) {
    s = s.replace(RECONSIDERATION_RE, ' ');
  }
  if (s.includes('classification')) {
    const before = s;
    s = s.replace(PREAMBLE_RE, ' ');
    if (s === before) s = s.replace(PREAMBLE_NO_OF_RE, ' ');
    else s = s.replace(PREAMBLE_RE, ' '); // "The tariff classification of The tariff classification of ..."

  }
  if (s.includes('origin')) s = s.replace(COUNTRY_OF_ORIGIN_RE, ' ');
  if (s.includes('fro') || s.includes('form') || s.includes('origin') || s.includes(' of ') || s.includes(' in ')) {
    s = s.replace(ORIGIN_RE, ' ');
    if (s.includes('made')) s = s.replace(MADE_IN_RE, ' ');
  }

  // identifiers, prices, percentages, dates, sizes, quantities
  if (HAS_DIGIT_RE.test(s)) {
    s = s.replace(RULING_REF_RE, ' ').replace(LEGAL_REF_RE, ' ').replace(KEYWORD_ID_RE, ' ');
    if (s.includes('#')) s = s.replace(HASH_ID_RE, ' ');
    s = s.replace(NO_NUMBER_RE, ' ')
      .replace(PERCENT_RE, (_m, n: string) => ` ${n.replace(',', '.')}% `)
      .replace(PRICE_SYMBOL_RE, ' ')
      .replace(PRICE_SUFFIX_RE, ' ')
      .replace(DATE_RE, ' ')
      .replace(OF_COUNT_RE, (_m, noun: string, plural: string) => (DROP_NOUN_OF_COUNT.has(noun) ? ' ' : ` ${noun}${plural} `))
      .replace(SIZE_RE, ' ')
      .replace(DIMENSION_RE, ' ')
      .replace(MEASURE_RE, ' ')
      .replace(COUNT_RE, ' ');
  } else {
    s = s.replace(OF_COUNT_RE, (_m, noun: string, plural: string) => (DROP_NOUN_OF_COUNT.has(noun) ? ' ' : ` ${noun}${plural} `))
      .replace(SIZE_RE, ' ')
      .replace(COUNT_RE, ' ');
  }

  // phrase rewrites
  if (s.includes('/')) s = s.replace(SLASH_ABBR_RE, (m) => SLASH_ABBR[m] ?? ' ');
  if (s.includes('shirt')) s = s.replace(TSHIRT_RE, 't-shirt');
  if (s.includes('li')) s = s.replace(LITHIUM_RE, (_m, kind: string) => (kind === 'ion' ? 'lithium ion battery' : 'lithium polymer battery'));
  if (s.includes('non')) s = s.replace(NON_RE, 'non-');
  if (s.includes('made')) s = s.replace(MAN_MADE_RE, 'man-made');
  if (s.includes('make')) s = s.replace(MAKE_UP_RE, 'makeup');
  return s;
}

// ---------------------------------------------------------------------------------------------
// Word processing
// ---------------------------------------------------------------------------------------------

class Collector {
  readonly text: string[] = [];
  readonly tokens: string[] = [];
  constructor(private readonly context: string) {}

  /** A plain word (letters, or a kept alphanumeric, possibly hyphenated): add to text and tokens. */
  plain(w: string): void {
    if (BOILERPLATE.has(w) || NUMBER_WORDS.has(w)) return;
    const prev = this.text.length > 0 ? this.text[this.text.length - 1] : '';
    if (w.length === 1 && !(prev === 'vitamin' && /[a-ek]/.test(w))) return;
    if (prev !== w) this.text.push(w);
    if (STOP_WORDS.has(w)) return;
    const tok = HAS_DIGIT_RE.test(w) || w.length === 1 ? w : stem(w.includes('-') ? w.replace(/-/g, '') : w);
    if (this.tokens.length === 0 || this.tokens[this.tokens.length - 1] !== tok) this.tokens.push(tok);
  }

  /** Expand an abbreviation if `w` is one; returns true when handled. */
  abbreviation(w: string): boolean {
    let exp: string | undefined = ABBR_MAP.get(w);
    if (exp === undefined) exp = SPELLING_MAP.get(w);
    if (exp === undefined) {
      const rules = CONTEXT_MAP.get(w);
      if (rules === undefined) return false;
      for (const [re, e] of rules) {
        if (re === null || re.test(this.context)) { exp = e; break; }
      }
      if (exp === undefined) return false;
    }
    if (exp.length > 0) {
      // skip an expansion the description already spells out ("polyvinyl chloride (pvc)")
      if (exp.includes(' ') && this.context.includes(exp)) return true;
      for (const part of exp.split(' ')) this.plain(part);
    }
    return true;
  }

  word(raw: string): void {
    let w = raw;
    if (w.includes("'")) {
      w = w.replace(/'s$/, '').replace(/'/g, '');
      if (w.length === 0) return;
    }
    if (IS_PERCENT_RE.test(w)) {
      if (this.text[this.text.length - 1] !== w) this.text.push(w);
      this.tokens.push(w);
      return;
    }
    if (w.includes('.')) {
      if (ACRONYM_RE.test(w)) w = w.replace(/\./g, '');
      else {
        for (const part of w.split('.')) if (part) this.word(part);
        return;
      }
    }
    if (this.abbreviation(w)) return;
    if (w.includes('-')) {
      this.compound(w);
      return;
    }
    if (HAS_DIGIT_RE.test(w)) {
      this.alnum(w);
      return;
    }
    this.plain(w);
  }

  private compound(w: string): void {
    const parts = w.split('-').filter((p) => p.length > 0 && !IS_NUMBER_RE.test(p));
    if (parts.length === 0) return;
    if (parts.length === 1) {
      this.word(parts[0]!);
      return;
    }
    const joined = parts.join('-');
    if (JOIN_WHOLE.has(joined)) {
      this.plain(joined);
      return;
    }
    const needsSplit = parts.some((p) => HAS_DIGIT_RE.test(p) || ABBR_MAP.has(p) || SPELLING_MAP.has(p) || CONTEXT_MAP.has(p));
    if (needsSplit) {
      for (const p of parts) this.word(p);
      return;
    }
    const join = parts.length === 2 &&
      (parts[0]!.length === 1 || parts[1]!.length === 1 || JOIN_PREFIXES.has(parts[0]!));
    if (join) {
      this.plain(joined);
      return;
    }
    // split compound: readable as one hyphenated word in text, separate tokens
    if (this.text[this.text.length - 1] !== joined) this.text.push(joined);
    for (const p of parts) {
      if (p.length < 2 || STOP_WORDS.has(p) || NUMBER_WORDS.has(p) || BOILERPLATE.has(p)) continue;
      const tok = stem(p);
      if (this.tokens[this.tokens.length - 1] !== tok) this.tokens.push(tok);
    }
  }

  /** Letters mixed with digits: a kept code ("3d", "co2"), a glued word ("cond250"), or a SKU (dropped). */
  private alnum(w: string): void {
    if (IS_NUMBER_RE.test(w)) return;
    if (KEEP_ALNUM.has(w)) {
      this.plain(w);
      return;
    }
    if (w.startsWith('spf')) {
      this.plain('spf');
      return;
    }
    LETTER_RUN_RE.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = LETTER_RUN_RE.exec(w)) !== null) {
      const run = m[0];
      if (run.length >= 5 || ABBR_MAP.get(run) || SPELLING_MAP.has(run) || KNOWN_SHORT.has(run)) this.word(run);
    }
  }
}

/** Short words kept when glued to digits ("crm50" -> cream, "spf50" -> spf). */
const KNOWN_SHORT = new Set(['ply', 'spf', 'uv', 'led', 'usb', 'lcd', 'gel', 'oil', 'tea', 'mask', 'kit', 'set', 'pack']);

// Maps, not objects, for lookups keyed by input words ("constructor" must not hit Object.prototype).
const ABBR_MAP = new Map<string, string>(Object.entries(ABBREVIATIONS));
const CONTEXT_MAP = new Map(Object.entries(CONTEXT_ABBREVIATIONS));
const SPELLING_MAP = new Map<string, string>();
for (const [us, uk] of SPELLING) {
  SPELLING_MAP.set(us, uk);
  if (!us.endsWith('s')) SPELLING_MAP.set(`${us}s`, `${uk}s`);
  if (/(?:or|ol|og)$/.test(us)) {
    SPELLING_MAP.set(`${us}ed`, `${uk}ed`);
    SPELLING_MAP.set(`${us}ing`, `${uk}ing`);
  }
}
SPELLING_MAP.set('jewelries', 'jewellery');
SPELLING_MAP.set('fibers', 'fibres');

function completeFragment(fragment: string): string | undefined {
  if (!/^[a-z]+$/.test(fragment)) return undefined;
  const short = COMPLETE_SHORT.get(fragment);
  if (short !== undefined) return short;
  if (fragment.length < 4 || NOT_FRAGMENTS.has(fragment) || STOP_WORDS.has(fragment)) return undefined;
  if (ABBR_MAP.has(fragment) || SPELLING_MAP.has(fragment)) return undefined;
  const candidates: string[] = [];
  for (const c of COMPLETIONS) {
    if (c === fragment) return undefined;
    if (c.startsWith(fragment)) candidates.push(c);
  }
  if (candidates.length === 0) return undefined;
  const shortest = candidates.reduce((a, b) => (b.length < a.length ? b : a));
  return candidates.every((c) => c.startsWith(shortest)) ? shortest : undefined;
}

const TRUNCATED_LENGTHS = new Set([29, 30]);
const LAST_RAW_WORD_RE = /([a-z][a-z'\-]*)\s*$/;

/** Normalise one description. Never throws; empty or noise-only input gives empty text and tokens. */
export function normalise(raw: string): Normalised {
  if (typeof raw !== 'string' || raw.length === 0) return { text: '', tokens: [] };
  const s = cleanString(raw);
  const words = s.match(WORD_RE);
  if (words === null) return { text: '', tokens: [] };

  // complete a last word cut by 30-character truncation
  const trimmedLength = raw.trim().length;
  if (TRUNCATED_LENGTHS.has(trimmedLength)) {
    const last = words[words.length - 1]!;
    const rawLast = LAST_RAW_WORD_RE.exec(raw.toLowerCase());
    if (rawLast !== null && rawLast[1] === last) {
      const dash = last.lastIndexOf('-');
      const fragment = dash >= 0 ? last.slice(dash + 1) : last;
      const completed = completeFragment(fragment);
      if (completed !== undefined) words[words.length - 1] = dash >= 0 ? last.slice(0, dash + 1) + completed : completed;
    }
  }

  const c = new Collector(s);
  for (const w of words) c.word(w);

  // trim stop words off both ends of the readable text ("set of" -> "set")
  const t = c.text;
  let start = 0;
  let end = t.length;
  while (start < end && STOP_WORDS.has(t[start]!)) start++;
  while (end > start && STOP_WORDS.has(t[end - 1]!)) end--;
  return { text: t.slice(start, end).join(' '), tokens: c.tokens };
}
