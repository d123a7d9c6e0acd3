// GRI 6 by attributes. Subheadings and national lines are mostly told apart by a few attributes of the
// goods: material and its share, knitted or woven, whose garment it is, whether put up for retail sale,
// fresh / frozen / dried, what powers it, a voltage, weight or size threshold, assembled or not, and use.
//
// Two halves that meet here:
//   - `extractAttributes(raw)` reads what the RAW description states (the normaliser drops every measure,
//     so voltages, weights and sizes are read here from the raw text; materials and the boolean facts are
//     those of materials.ts and rules/facts.ts, reused, not re-derived);
//   - `parseText(text)` reads the conditions an official text sets ("of cotton", "Men's or boys'",
//     "weighing not more than 250 g", "exceeding 1,000 V", "Other") by general patterns over the wording.
// `check(condition, attributes)` then says whether the description satisfies the condition ("yes"), contradicts
// it ("no") or does not say ("unknown"), with the words of the description that decide it, so the step
// can be cited: "of cotton (the description states 100% cotton)".
import { materialsOf, classMaterials } from './materials';
import { normalise, stem, type Normalised } from './normalise';
import { extractFacts } from '../rules/facts';

export type Dimension =
  | 'material'
  | 'percent'
  | 'knit'
  | 'knitToShape'
  | 'gender'
  | 'retail'
  | 'state'
  | 'power'
  | 'measure'
  | 'assembled'
  | 'use'
  | 'kind'
  | 'feature';

export type GenderValue = 'men' | 'boys' | 'women' | 'girls' | 'babies';
export type Quantity = 'mass' | 'voltage' | 'power' | 'apparent power' | 'length' | 'volume' | 'displacement' | 'areal weight';

export interface Measure {
  quantity: Quantity;
  /** In the quantity's base unit: g, V, W, VA, cm, ml, cm3, g/m2. */
  value: number;
  /** "width", "length", "diameter", "thickness", "height" when the description says which dimension. */
  qualifier?: string;
  /** The words of the description, e.g. "250g". */
  text: string;
}

/** What a description states. `null` / empty means the description does not say. */
export interface Attributes {
  /** Materials named, with their percentage when given (fibres refined: synthetic or artificial). */
  materials: { material: string; percent?: number }[];
  /** Chief material by percentage, or the only one named. */
  chief: string | null;
  /** Sum of the percentages given (100 for "100% cotton"); 0 when none. */
  percentTotal: number;
  /** Percentages of constituents materials.ts does not name (elastomeric yarn, down). */
  extraPercent: Record<string, number>;
  knitted: boolean | null;
  knitToShape: boolean | null;
  gender: GenderValue | null;
  retail: boolean | null;
  states: string[];
  power: string[];
  measures: Measure[];
  assembled: boolean | null;
  uses: string[];
  /** Stemmed tokens of the description, to compare kinds of goods with a line's text. */
  tokens: Set<string>;
  /** The words the description negates, stemmed, with the words as written ("decaffein" -> "not decaffeinated"). */
  negated: Map<string, string>;
  /** The composition in the description's words ("100% polyester"), for citing; '' when it gives none. */
  composition: string;
  /** "linen blend", "cotton mix": the material named may not be the chief one. */
  blend: boolean;
}

export type Verdict = 'yes' | 'no' | 'unknown';

/** One condition an official text sets. */
export interface Condition {
  dim: Dimension;
  /** Groups conditions one question can settle, e.g. "measure:mass", "percent:flax". */
  key: string;
  /** The official words, as written ("of cotton", "weighing not more than 250 g"). */
  phrase: string;
  material?: { covers: string[]; excludes: string[] };
  percent?: { material: string; min?: number; max?: number };
  flag?: boolean;
  values?: string[];
  range?: { quantity: Quantity; min?: number; minIncl?: boolean; max?: number; maxIncl?: boolean; qualifier?: string };
  /** kind / feature: stemmed content words, and for features whether they are negated ("without pockets"). */
  words?: string[];
  negated?: boolean;
  /** kind: the goods named, each as its words ("tank tops and other singlets" -> [tank top], [singlet]). */
  alternatives?: string[][];
  /** A negated feature right after the goods ("Vests other than sweater vests"): met unless the description names it. */
  soft?: boolean;
}

export interface ParsedText {
  conditions: Condition[];
  /** "Other", "n.e.c.", "of other textile materials": covers what the named siblings do not. */
  residual: boolean;
  /** The words left once the attribute phrases are taken out (the kind of goods). */
  residue: string;
}

export interface CheckResult {
  verdict: Verdict;
  /** What the description states that decided it, e.g. "100% cotton", "men's", "250 g". */
  stated?: string;
}

// ------------------------------------------------------------------------------------------ the description

const SYNTHETIC = /\b(polyester|nylon|polyamide|acrylic|spandex|elastane|lycra|aramid|kevlar|polypropylene fibre|olefin|synthetic)\b/;
const ARTIFICIAL = /\b(viscose|rayon|modal|lyocell|tencel|acetate|cupro|artificial)\b/;
/** Constituents some lines name by percentage that materials.ts does not know. */
const EXTRA_MATERIALS: Record<string, RegExp> = {
  elastomeric: /\b(elastomeric|elastane|spandex|lycra|rubber thread)\b/,
  down: /\b(down|waterfowl plumage)\b/,
};

/** Splits "man-made fibres" into synthetic / artificial by the word the text uses. */
function refineFibre(text: string): string[] {
  const s = SYNTHETIC.test(text);
  const a = ARTIFICIAL.test(text);
  if (s && !a) return ['synthetic fibres'];
  if (a && !s) return ['artificial fibres'];
  return ['synthetic fibres', 'artificial fibres'];
}

const refineAll = (materials: string[], text: string): string[] =>
  [...new Set(materials.flatMap((m) => (m === 'man-made fibres' ? refineFibre(text) : [m])))];

/** Unit -> quantity and factor to the base unit. Matched case-insensitively after a number. */
const UNITS: [string, Quantity, number][] = [
  ['mg', 'mass', 0.001], ['g', 'mass', 1], ['grams?', 'mass', 1], ['gr', 'mass', 1], ['kgs?', 'mass', 1000], ['kilograms?', 'mass', 1000],
  ['lbs?', 'mass', 453.592], ['pounds?', 'mass', 453.592], ['oz', 'mass', 28.3495], ['tonnes?', 'mass', 1e6], ['tons?', 'mass', 1e6], ['t', 'mass', 1e6],
  ['kv', 'voltage', 1000], ['v', 'voltage', 1], ['vac', 'voltage', 1], ['vdc', 'voltage', 1], ['volts?', 'voltage', 1],
  ['kw', 'power', 1000], ['w', 'power', 1], ['watts?', 'power', 1], ['hp', 'power', 745.7],
  ['kva', 'apparent power', 1000], ['va', 'apparent power', 1],
  ['mm', 'length', 0.1], ['cm', 'length', 1], ['m', 'length', 100], ['metres?', 'length', 100], ['meters?', 'length', 100],
  ['inch(?:es)?', 'length', 2.54], ['"', 'length', 2.54], ['ft', 'length', 30.48], ['feet', 'length', 30.48],
  ['ml', 'volume', 1], ['cl', 'volume', 10], ['l', 'volume', 1000], ['ltrs?', 'volume', 1000], ['litres?', 'volume', 1000], ['liters?', 'volume', 1000],
  ['cc', 'displacement', 1], ['cm3', 'displacement', 1],
  ['gsm', 'areal weight', 1], ['g/m2', 'areal weight', 1], ['g/m²', 'areal weight', 1],
];
// Longest first so "kva" wins over "kv" and "g/m2" over "g".
const UNIT_ALT = UNITS.map((u) => u[0]).sort((a, b) => b.length - a.length).join('|');
const UNIT_RES = UNITS.map(([re, q, f]) => ({ re: new RegExp(`^(?:${re})$`), q, f }));
const unitOf = (u: string): [Quantity, number] | null => {
  const l = u.toLowerCase();
  for (const { re, q, f } of UNIT_RES) if (re.test(l)) return [q, f];
  return null;
};
const NUM = '\\d+(?:\\.\\d+)?';
/** Thousands separators out ("1,000" -> "1000"), decimal commas to points ("1,5 kg" -> "1.5 kg"). */
const numbers = (s: string) => s.replace(/(\d),(\d{3})(?!\d)/g, '$1$2').replace(/(\d),(\d{1,2})(?!\d)/g, '$1.$2');

const QUALIFIERS: [RegExp, string][] = [
  [/\b(width|wide|w)\b/, 'width'],
  [/\b(length|long|l)\b/, 'length'],
  [/\b(diameter|dia|ø)\b/, 'diameter'],
  [/\b(thickness|thick)\b/, 'thickness'],
  [/\b(height|high|tall|h)\b/, 'height'],
];
const qualifierNear = (s: string): string | undefined => QUALIFIERS.find(([re]) => re.test(s))?.[1];

const DIMS_RE = new RegExp(`(${NUM})\\s*(?:x|\\*|×)\\s*(${NUM})(?:\\s*(?:x|\\*|×)\\s*(${NUM}))?\\s*(${UNIT_ALT})(?![a-z0-9])`, 'g');
const RANGE_RE = new RegExp(`(${NUM})\\s*(?:-|–|to|/)\\s*(${NUM})\\s*(${UNIT_ALT})(?![a-z0-9])`, 'g');
const SINGLE_RE = new RegExp(`(^|[^a-z0-9.])(${NUM})\\s*(${UNIT_ALT})(?![a-z0-9])`, 'g');
/** Any digit: most descriptions with none have no measure. */
const HAS_DIGIT = /\d/;

/** Measures in a raw description: "250g", "220-240V", "30 x 40 cm", "width 150cm". */
export function measuresOf(raw: string): Measure[] {
  if (!HAS_DIGIT.test(raw)) return [];
  const s = numbers(raw.toLowerCase());
  const out: Measure[] = [];
  // "30 x 40 x 50 cm": every number takes the unit at the end.
  const dims = DIMS_RE;
  dims.lastIndex = 0;
  let rest = s.replace(dims, (m, a: string, b: string, c: string | undefined, u: string) => {
    const unit = unitOf(u);
    if (unit) for (const n of [a, b, c]) if (n !== undefined) out.push({ quantity: unit[0], value: Number(n) * unit[1], text: m.trim() });
    return ' ';
  });
  // "220-240v", "100 to 240 v": both ends.
  const range = RANGE_RE;
  range.lastIndex = 0;
  rest = rest.replace(range, (m, a: string, b: string, u: string) => {
    const unit = unitOf(u);
    if (unit) for (const n of [a, b]) out.push({ quantity: unit[0], value: Number(n) * unit[1], text: m.trim() });
    return ' ';
  });
  const single = SINGLE_RE;
  single.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = single.exec(rest))) {
    const unit = unitOf(m[3]);
    if (!unit) continue;
    const before = rest.slice(Math.max(0, m.index - 12), m.index + m[1].length);
    const after = rest.slice(single.lastIndex, single.lastIndex + 8);
    const qualifier = unit[0] === 'length' ? qualifierNear(before) ?? qualifierNear(after.split(/[,;]/)[0]) : undefined;
    out.push({ quantity: unit[0], value: Number(m[2]) * unit[1], text: `${m[2]}${/^[a-z]/.test(m[3]) && m[3].length > 2 ? ' ' : ''}${m[3]}`, ...(qualifier ? { qualifier } : {}) });
  }
  return out;
}

const STATE_WORDS: [RegExp, string][] = [
  [/\b(frozen|freeze|iqf|deep[- ]frozen)\b/, 'frozen'],
  [/\b(chilled|refrigerated)\b/, 'chilled'],
  [/\bfresh\b/, 'fresh'],
  [/\b(dried|dry|dehydrated|freeze[- ]dried|sun[- ]dried)\b/, 'dried'],
  [/\bsmoked\b/, 'smoked'],
  [/\b(salted|in brine)\b/, 'salted'],
  [/\b(live|living)\b/, 'live'],
  [/\b(cooked|boiled|roasted|fried)\b/, 'cooked'],
];

function statesOf(t: string): string[] {
  const found = STATE_WORDS.filter(([re]) => re.test(t)).map(([, s]) => s);
  // "fresh frozen" fish is frozen; "dry" in "dry cleaning", "dry cell" is not a state of food, so "dry"
  // alone counts only next to a food word is too fine a distinction here: it counts when nothing else does.
  return /\bfresh[- ]frozen\b/.test(t) ? found.filter((s) => s !== 'fresh') : found;
}

function powerOf(t: string, measures: Measure[]): string[] {
  const p = new Set<string>();
  if (/\b(non[- ]?electric(al)?|manual(ly)?|hand[- ]operated|hand[- ]powered|mechanical|wind[- ]up|clockwork)\b/.test(t)) p.add('non-electric');
  if (/\b(battery|batteries|cordless|rechargeable|li[- ]?ion|lithium)\b/.test(t)) p.add('battery');
  if (/\b(mains|corded|plug[- ]in|ac[- ]powered|ac adapter)\b/.test(t)) p.add('mains');
  if (/\b(electric|electrical|electrically|electronic|usb)\b/.test(t) || measures.some((m) => m.quantity === 'voltage')) p.add('electric');
  if (/\b(petrol|gasoline|gas[- ]powered|spark[- ]ignition)\b/.test(t)) p.add('spark-ignition');
  if (/\b(diesel|compression[- ]ignition)\b/.test(t)) p.add('diesel');
  if (/\bhybrid\b/.test(t)) p.add('hybrid');
  if (p.has('battery') || p.has('mains')) p.add('electric');
  if (p.has('non-electric') && (p.has('battery') || p.has('mains'))) p.delete('non-electric');
  return [...p];
}

const USES: [RegExp, string][] = [
  [/\b(household|domestic|home|kitchen)\b/, 'household'],
  [/\boffice\b/, 'office'],
  [/\b(industrial|occupational|workwear|factory)\b/, 'industrial'],
  [/\b(medical|surgical|hospitals?|clinics?|dental|veterinary)\b/, 'medical'],
  [/\b(motor (cars?|vehicles?)|automotive|cars?|vehicles?|trucks?|lorries|buses)\b/, 'motor vehicles'],
  [/\b(aircraft|aviation|aeroplanes?|airplanes?)\b/, 'aircraft'],
  [/\b(bicycles?|bikes?|cycling)\b/, 'bicycles'],
  [/\b(motorcycles?|motorbikes?|scooters?)\b/, 'motorcycles'],
  [/\b(agricultur\w*|farm(ing)?|tractors?|forestry)\b/, 'agriculture'],
];
const usesOf = (t: string) => USES.filter(([re]) => re.test(t)).map(([, u]) => u);

/** What the description states, read from its raw text. */
export function extractAttributes(raw: string, query: Normalised = normalise(raw)): Attributes {
  const lowerRaw = numbers(` ${raw.toLowerCase()} `);
  const t = ` ${query.text} `;
  const m = materialsOf(query.text);
  const facts = extractFacts(query, [], m);
  // materials.ts counts every man-made fibre together; the subheadings part synthetic from artificial.
  const pairs = [...t.matchAll(/(\d+(?:\.\d+)?)%\s*([a-z][a-z-]*)/g)].map((x) => ({ pct: Number(x[1]), word: x[2] }));
  const materials: { material: string; percent?: number }[] = [];
  for (const n of m.named) {
    if (n.material !== 'man-made fibres') {
      materials.push(n);
      continue;
    }
    const synthetic = pairs.filter((x) => SYNTHETIC.test(x.word)).reduce((sum, x) => sum + x.pct, 0);
    const artificial = pairs.filter((x) => ARTIFICIAL.test(x.word)).reduce((sum, x) => sum + x.pct, 0);
    if (synthetic + artificial > 0) {
      if (synthetic) materials.push({ material: 'synthetic fibres', percent: synthetic });
      if (artificial) materials.push({ material: 'artificial fibres', percent: artificial });
    } else for (const r of refineFibre(t)) materials.push(n.percent === undefined ? { material: r } : { material: r, percent: n.percent });
  }
  const withPct = materials.filter((x) => x.percent !== undefined).sort((x, y) => y.percent! - x.percent!);
  const chiefs = withPct.length
    ? withPct.filter((x) => x.percent === withPct[0].percent).map((x) => x.material)
    : materials.length === 1 ? [materials[0].material] : [];
  const percentTotal = m.named.reduce((s, n) => s + (n.percent ?? 0), 0);
  const extraPercent: Record<string, number> = {};
  const pct = /(\d+(?:\.\d+)?)%\s*([a-z][a-z -]{2,24})/g;
  let p: RegExpExecArray | null;
  while ((p = pct.exec(t))) {
    for (const [name, re] of Object.entries(EXTRA_MATERIALS)) if (re.test(p[2])) extraPercent[name] = (extraPercent[name] ?? 0) + Number(p[1]);
  }
  const measures = measuresOf(raw);
  const notKnit = /\bnot knit(ted)?\b|\bnon[- ]knit(ted)?\b/.test(t);
  let knitted: boolean | null = facts.knitted && !facts.woven && !notKnit ? true : facts.woven && !facts.knitted ? false : null;
  if (notKnit) knitted = false;
  const knitToShape = /\bknit(ted)? to shape\b|\bfully[- ]fashioned\b|\bfull[- ]fashioned\b/.test(lowerRaw)
    ? true
    : /\bcut (and|&) sewn\b|\bcut[- ]and[- ]sewn\b/.test(lowerRaw)
      ? false
      : null;
  const gender = facts.gender === 'unknown' || facts.gender === 'unisex' ? null : facts.gender;
  const retail = /\bnot (put up )?for retail\b|\bbulk\b/.test(lowerRaw)
    ? false
    : /\b(for retail sale|retail (pack|packs|packed|packaging|packaged|box|boxes|ready|size)|put up for retail|blister[- ]?pack(s|ed)?|clamshell)\b/.test(lowerRaw)
      ? true
      : null;
  const assembled = facts.unassembled ? false : /(?<!un|not |dis|whether or not )\bassembled\b|\bready[- ]assembled\b|\bfully assembled\b/.test(t) ? true : null;
  return {
    materials,
    chief: chiefs.length === 1 ? chiefs[0] : null,
    percentTotal,
    extraPercent,
    knitted,
    knitToShape,
    gender,
    retail,
    states: statesOf(t),
    power: powerOf(lowerRaw, measures),
    measures,
    assembled,
    uses: usesOf(t),
    tokens: new Set(query.tokens),
    negated: negatedWords(query.text),
    blend: /\b(blend|blended|mix|mixed|rich)\b/.test(t),
    composition: [...t.matchAll(/\b\d+(?:\.\d+)?% [a-z][a-z-]*(?: (?:fibres?|animal hair|hair|wool|steel))?/g)].map((x) => x[0]).join(', '),
  };
}

const NEGATIONS = new Set(['not', 'non', 'without', 'no']);

/** The word after each negation ("not decaffeinated", "without handles"), but not after "whether or not", which states nothing. */
export function negatedWords(text: string): Map<string, string> {
  const words = text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  const out = new Map<string, string>();
  for (let i = 0; i + 1 < words.length; i++) {
    if (NEGATIONS.has(words[i]) && words[i - 1] !== 'or' && !NEGATIONS.has(words[i + 1])) out.set(stem(words[i + 1]), `${words[i]} ${words[i + 1]}`);
  }
  return out;
}

/** A description that states nothing. */
export function noAttributes(): Attributes {
  return {
    materials: [], chief: null, percentTotal: 0, extraPercent: {}, knitted: null, knitToShape: null, gender: null, retail: null,
    states: [], power: [], measures: [], assembled: null, uses: [], tokens: new Set(), negated: new Map(), composition: '', blend: false,
  };
}

// --------------------------------------------------------------------------------------- the official text

const MATERIAL_WORDS =
  'cotton|wool|fine animal hair|coarse animal hair|silk|flax|linen|man-made fib(?:re|er)s?|synthetic fib(?:re|er)s?|artificial fib(?:re|er)s?|' +
  'plastics?|rubber|leather|composition leather|iron|steel|stainless steel|aluminium|aluminum|copper|brass|wood|bamboo|paper|paperboard|glass|' +
  'ceramics?|porcelain|china|stoneware|earthenware|precious metal|gold|silver|platinum|base metal|textile materials?|other materials';
/** "of cotton", "of wool or fine animal hair", "of textile materials (other than cotton)", "wholly of cotton". */
const MATERIAL_CLAUSE = new RegExp(
  `\\b(?:with outer surface )?(?:(?:wholly|mainly|chiefly|principally) )?of (?:other )?(?:[a-z-]+ ){0,2}?(?:${MATERIAL_WORDS})(?![a-z])(?:(?:,? or |, | and )(?:of )?(?:[a-z-]+ ){0,2}?(?:${MATERIAL_WORDS})(?![a-z]))*(?: \\((?:other than|excluding|not)[^)]*\\))?` +
    `|^(?:${MATERIAL_WORDS})(?:(?:,? or |, )(?:${MATERIAL_WORDS}))*$`,
  'g',
);
/**
 * Parts of the goods whose material is not the goods' own ("outer soles of rubber", "uppers of leather"). The outer
 * surface of cases and containers (heading 4202) is the material the goods are described by, so it is not a part.
 */
const COMPONENT = /\b(?:outer )?(?:soles?|uppers?|frames?|handles?|blades?|linings?|backing|cores?|faces?|(?<!outer )surfaces?|tops?) (?:consisting )?of [^;,]*/g;

const STRIP_UNCONDITIONAL = /\b(?:whether or not|with or without|including|incl\.)\b[^;,)]*/g;
const CATEGORY = /\(\d{3}\)\s*$|\(\d{3}\)/g;

const THRESH_CMP = '(not exceeding|exceeding|not more than|more than|not over|over|not less than|less than|at least|under|above|below)';
const THRESHOLD = new RegExp(
  `(?:(weighing|of a weight|weight|width|length|diameter|thickness|height|cylinder capacity|capacity|voltage|power|output|content|containers holding)[a-z ,]{0,24}?)?` +
    `${THRESH_CMP} (${NUM})\\s*(${UNIT_ALT})?(?:\\s*(?:but|and) ${THRESH_CMP} (${NUM})\\s*(${UNIT_ALT}))?(?![a-z0-9])` +
    `|(${NUM})\\s*(${UNIT_ALT}) or (more|less)(?![a-z])`,
  'g',
);

interface Bound { min?: number; minIncl?: boolean; max?: number; maxIncl?: boolean }
function bound(cmp: string, v: number): Bound {
  switch (cmp) {
    case 'not exceeding': case 'not more than': case 'not over': return { max: v, maxIncl: true };
    case 'less than': case 'under': case 'below': return { max: v, maxIncl: false };
    case 'exceeding': case 'more than': case 'over': case 'above': return { min: v, minIncl: false };
    default: return { min: v, minIncl: true }; // not less than, at least
  }
}

const GENDER_RE = /\b(men|boys|women|girls|babies|infants)(?:'s|s'|')?(?=[\s,;)]|$)/g;
const GENDER_OF: Record<string, GenderValue> = { men: 'men', boys: 'boys', women: 'women', girls: 'girls', babies: 'babies', infants: 'babies' };

const PERCENT_RE = new RegExp(
  `\\b(?:containing|contg\\.?|with) (?:by weight )?(less than |more than |not more than |)(${NUM}) ?(?:percent|%) (or more )?(?:by weight )?(?:or more )?(?:by weight )?of ([a-z ,'-]+?)(?=[;,)(]|$| but | and of which| or more)`,
  'g',
);

const COMMON_WORDS = new Set(['garment', 'other', 'nec', 'item', 'no', 'heading', 'subheading', 'kind', 'similar', 'articl', 'good', 'thereof', 'describ', 'statist', 'note', 'chapter', 'thi', 'includ', 'type']);
const content = (s: string): string[] => normalise(s).tokens.filter((w) => !COMMON_WORDS.has(w) && !/^\d/.test(w) && w.length > 1);

/** Words that open a feature rather than name goods. */
const FEATURE_START = /^(all|with|having|short|long|hemmed|sizes?|containing|imported|designed|insulated|fitted|of|for|in|not|put up|whether|valued|having|\d)/;

const cache = new Map<string, ParsedText>();

/** The conditions an official text (a subheading or one part of a national line's path) sets. Cached. */
export function parseText(text: string): ParsedText {
  const hit = cache.get(text);
  if (hit) return hit;
  const parsed = parseUncached(text);
  if (cache.size < 200_000) cache.set(text, parsed);
  return parsed;
}

function parseUncached(original: string): ParsedText {
  const conditions: Condition[] = [];
  let t = numbers(
    original
      .toLowerCase()
      .replace(CATEGORY, ' ')
      .replace(/\b(?:described in )?(?:statistical|additional u\.s\.) note \d+(?:\([a-z]\))? to this chapter\b/g, ' ')
      .replace(/\bfibers?\b/g, (f) => f.replace('er', 're'))
      .replace(/\baluminum\b/g, 'aluminium')
      .replace(/\s+/g, ' ')
      .trim(),
  );
  const phraseOf = (m: string) => m.trim().replace(/^[,;\s]+|[,;\s]+$/g, '');
  /** Takes the phrases `re` matches out of the text; `inline` ones (adjectives: "electric", "frozen") leave no break. */
  const take = (re: RegExp, fn: (m: RegExpExecArray) => void, inline = false) => {
    t = t.replace(re, (...args) => {
      const groups = args.slice(0, -2) as string[];
      const m = Object.assign(groups, { index: args[args.length - 2] as number, input: t }) as unknown as RegExpExecArray;
      fn(m);
      return inline ? ' ' : ' , ';
    });
  };
  const residual = /^other\b/.test(t) || /\bn\.?e\.?c\.?\b|\bnot elsewhere (specified|included)\b|\bother textile materials\b|\bother materials\b/.test(t);

  t = t.replace(STRIP_UNCONDITIONAL, ' , ');
  take(PERCENT_RE, (m) => {
    const [whole, qual, n, orMore, what] = m;
    const name = Object.entries(EXTRA_MATERIALS).find(([, re]) => re.test(what))?.[0] ?? materialsOf(what).named[0]?.material;
    if (!name) return;
    const material = refineAll([name], what)[0];
    const v = Number(n);
    const range = qual.startsWith('less') ? { max: v } : qual.startsWith('not more') ? { max: v } : orMore || qual.startsWith('more') || !qual ? { min: v } : { min: v };
    conditions.push({ dim: 'percent', key: `percent:${material}`, phrase: phraseOf(whole), percent: { material, ...range } });
  });
  take(/\bknit(?:ted)? to shape\b[a-z ]*/g, (m) => conditions.push({ dim: 'knitToShape', key: 'knitToShape', phrase: phraseOf(m[0]), flag: true }));
  take(/\b(not|other than) knitted or crocheted\b|\bknitted or crocheted\b|\b(?:knitted|crocheted)\b/g, (m) =>
    conditions.push({ dim: 'knit', key: 'knit', phrase: phraseOf(m[0]), flag: !m[1] }),
  );
  take(/\b(not|other than) (?:put up |packaged |packed )?(?:in [a-z ]*?)?for retail sale\b|\b(?:put up|packaged|packed)? ?(?:in [a-z ]*?)?for retail sale\b/g, (m) =>
    conditions.push({ dim: 'retail', key: 'retail', phrase: phraseOf(m[0]), flag: !m[1] }),
  );
  take(/\b(unassembled|not assembled|disassembled|in ckd or skd|knocked down)\b|(?<!un|dis)\bassembled\b/g, (m) =>
    conditions.push({ dim: 'assembled', key: 'assembled', phrase: phraseOf(m[0]), flag: !m[1] }),
  );
  // Power: hybrid drives first, then the negative forms, then the positive ones.
  take(/\bboth [^;]*?(spark|compression)-ignition[^;]*? and electric motor\b/g, (m) =>
    conditions.push({ dim: 'power', key: 'power', phrase: phraseOf(m[0]), values: ['hybrid'] }),
  );
  take(/\b(?:non-?electric(?:al)?|not electric(?:ally operated)?|other than electric(?:al)?|hand-operated|manually operated)\b/g, (m) =>
    conditions.push({ dim: 'power', key: 'power', phrase: phraseOf(m[0]), values: ['non-electric'] }),
  );
  take(/\b(?:with only )?(spark|compression)-ignition[a-z -]*?(?:engine|piston)(?: \((?:diesel|semi-diesel)[^)]*\))?/g, (m) =>
    conditions.push({ dim: 'power', key: 'power', phrase: phraseOf(m[0]), values: [m[1] === 'spark' ? 'spark-ignition' : 'diesel'] }),
  );
  take(/\b(?:battery[- ](?:operated|powered)|operated by batter(?:y|ies)|powered by batter(?:y|ies))\b/g, (m) =>
    conditions.push({ dim: 'power', key: 'power', phrase: phraseOf(m[0]), values: ['battery'] }),
  );
  take(/\b(?:with (?:only )?(?:a )?self-contained electric motor|with only electric motor(?: for propulsion)?|electro-?thermic|electro-?mechanical|electrically operated|electric(?:al)?)\b/g, (m) =>
    conditions.push({ dim: 'power', key: 'power', phrase: phraseOf(m[0]), values: ['electric'] }), true,
  );
  take(THRESHOLD, (m) => {
    const [whole, qualWord, c1, n1, u1, c2, n2, u2, n3, u3, moreLess] = m;
    let range: Condition['range'];
    if (n3 !== undefined) {
      const unit = unitOf(u3);
      if (!unit) return;
      const v = Number(n3) * unit[1];
      range = moreLess === 'more' ? { quantity: unit[0], min: v, minIncl: true } : { quantity: unit[0], max: v, maxIncl: true };
    } else {
      const unit = unitOf(u1 ?? u2 ?? '');
      if (!unit) return; // a number with no unit: not a measure ("exceeding 3 ply")
      const u1f = u1 ? unitOf(u1)![1] : unit[1];
      range = { quantity: unit[0], ...bound(c1, Number(n1) * u1f), ...(c2 ? bound(c2, Number(n2) * unit[1]) : {}) };
    }
    const qualifier = qualWord && /width|length|diameter|thickness|height/.test(qualWord) ? qualWord : undefined;
    if (qualWord === 'cylinder capacity' && range.quantity === 'volume') range.quantity = 'displacement';
    if (qualifier) range.qualifier = qualifier;
    conditions.push({ dim: 'measure', key: `measure:${range.quantity}`, phrase: phraseOf(whole), range });
  });
  const genders = new Set<GenderValue>();
  const genderPhrase: string[] = [];
  take(/\b(?:men|boys|women|girls|babies|infants)(?:'s|s'|')(?:(?: or |, | and )(?:men|boys|women|girls|babies|infants)(?:'s|s'|'))*/g, (m) => {
    for (const g of m[0].matchAll(GENDER_RE)) genders.add(GENDER_OF[g[1]]);
    genderPhrase.push(phraseOf(m[0]));
  });
  if (genders.size) conditions.push({ dim: 'gender', key: 'gender', phrase: genderPhrase.join(', '), values: [...genders] });
  const leftover: string[] = [];
  const states = new Set<string>();
  const statePhrase: string[] = [];
  take(/(?<!not |other than |excluding )\b(fresh or chilled|fresh|chilled|frozen|dried|smoked|salted|in brine|live)\b/g, (m) => {
    for (const w of m[0].split(' or ')) {
      const s = STATE_WORDS.find(([re]) => re.test(w))?.[1];
      if (s) states.add(s);
    }
    statePhrase.push(m[0]);
  }, true);
  if (states.size) conditions.push({ dim: 'state', key: 'state', phrase: statePhrase.join(', '), values: [...states] });
  take(/\b(?:of a kind used|for use|used|designed|intended|suitable|solely or principally)(?: for| in| on| with| as| by)+ ([^;,(]*)|^(?:other )?(household|office|industrial(?: and occupational)?)$/g, (m) => {
    const uses = usesOf(m[1] ?? m[2] ?? '');
    if (uses.length) conditions.push({ dim: 'use', key: 'use', phrase: phraseOf(m[0]), values: uses });
    else leftover.push(m[0]); // not a use the description can state: kept as a feature
  });
  if (leftover.length) t += ` ; ${leftover.join(' ; ')}`;
  t = t.replace(COMPONENT, (m) => ` ${m.replace(/\bof\b/g, 'in')} `);
  take(MATERIAL_CLAUSE, (m) => {
    if (/\bother than (?:[a-z-]+ )+?(?:wood|steel|rubber|leather|glass|paper)\b/.test(m[0]) && !/other than (?:of )?(?:wood|steel|rubber|leather|glass|paper)\b/.test(m[0])) return;
    if (/\bof (?:tropical|coniferous|non-coniferous|hard|vulcanised|alloy|refined|unrefined)\b/.test(m[0])) return; // a kind of the material the description seldom states
    const cls = classMaterials(m[0].replace(/\bin\b/g, 'of'));
    const covers = refineAll([...cls.covers], m[0]);
    const excludes = refineAll([...cls.excludes], m[0]);
    if (covers.length || excludes.length) conditions.push({ dim: 'material', key: 'material', phrase: phraseOf(m[0]), material: { covers, excludes } });
    else if (/other (textile )?materials/.test(m[0])) conditions.push({ dim: 'material', key: 'material', phrase: phraseOf(m[0]), material: { covers: [], excludes: [] } });
  });

  // What is left: the kind of goods (the leading words, up to the first feature) and further features
  // ("all white", "without pockets", "imported as parts of playsuits").
  const clauses = t.replace(/^\s*other\b/, ' ').split(';');
  const parts: string[] = [];
  let kindWords: string[] = [];
  const kindPhrase: string[] = [];
  const alternatives: string[][] = [];
  let inKind = true;
  clauses.forEach((clause, ci) => {
    const pieces = clause
      .split(/,|\s\(|\)|\s(?=other than\b|without\b|excluding\b|except\b)/)
      .map((p) => p.replace(/\b(of|and|or|the|a|an|for|with|in|but)\s*$/g, '').trim())
      .filter((p) => p && content(p).length);
    for (const p of pieces) {
      parts.push(p);
      const negated = /^(without|not|other than|excluding|except)\b/.test(p);
      const words = content(p.replace(/^(without|not|other than|excluding|except)\b/, ''));
      if (inKind && ci === 0 && !negated && !FEATURE_START.test(p)) {
        kindWords.push(...words);
        kindPhrase.push(p);
        for (const alt of p.split(/\s(?:or|and)\s/)) {
          const w = content(alt);
          if (w.length) alternatives.push(w);
        }
        continue;
      }
      const soft = negated && inKind && kindPhrase.length > 0;
      inKind = false;
      conditions.push({ dim: 'feature', key: `feature:${words.join(' ')}`, phrase: p, words, negated, ...(soft ? { soft } : {}) });
    }
    if (kindPhrase.length) inKind = false;
  });
  kindWords = [...new Set(kindWords)];
  if (kindWords.length) conditions.push({ dim: 'kind', key: 'kind', phrase: kindPhrase.join(', '), words: kindWords, alternatives });
  return { conditions, residual, residue: parts.join(', ') };
}

// ------------------------------------------------------------------------------------------------ matching

const statedMaterials = (a: Attributes): string => {
  if (a.composition) return a.composition;
  const withPct = a.materials.filter((m) => m.percent !== undefined);
  return (withPct.length ? withPct.map((m) => `${m.percent}% ${m.material}`) : a.materials.map((m) => m.material)).join(', ');
};

function within(v: number, r: NonNullable<Condition['range']>): boolean {
  if (r.min !== undefined && (r.minIncl ? v < r.min : v <= r.min)) return false;
  if (r.max !== undefined && (r.maxIncl ? v > r.max : v >= r.max)) return false;
  return true;
}

const TEXTILES = new Set(['cotton', 'wool', 'silk', 'flax', 'synthetic fibres', 'artificial fibres']);
const subset = (a: string[], b: string[]) => a.every((x) => b.includes(x));
const meets = (a: string[], b: string[]) => a.some((x) => b.includes(x));

/** Whether the description satisfies one condition, contradicts it, or does not say. */
export function check(c: Condition, a: Attributes): CheckResult {
  const unknown: CheckResult = { verdict: 'unknown' };
  const yesNo = (ok: boolean, stated: string): CheckResult => ({ verdict: ok ? 'yes' : 'no', stated });
  switch (c.dim) {
    case 'material': {
      const { covers, excludes } = c.material!;
      const named = a.materials.map((m) => m.material);
      if (!named.length) return unknown;
      const stated = statedMaterials(a);
      // The chief material decides; without one (several named, no percentages) all named must agree.
      const wanted = a.chief ? [a.chief] : [...new Set(named)];
      // A textile condition says nothing about a metal trim ("gold button knit waistcoat"), nor a blend without percentages.
      const textile = (m: string) => TEXTILES.has(m);
      if ([...covers, ...excludes].every(textile) && !wanted.some(textile)) return unknown;
      if (a.blend && !a.composition) return unknown;
      if (covers.length) {
        if (subset(wanted, covers)) return yesNo(true, stated);
        if (!meets(wanted, covers)) return excludes.length || covers.length ? yesNo(false, stated) : unknown;
        return unknown;
      }
      if (excludes.length) {
        if (!meets(wanted, excludes)) return yesNo(true, stated);
        if (subset(wanted, excludes)) return yesNo(false, stated);
        return unknown;
      }
      return unknown; // "of other textile materials": decided as a residual
    }
    case 'percent': {
      const { material, min, max } = c.percent!;
      let v: number | undefined = a.extraPercent[material];
      if (v === undefined) {
        const given = a.materials.filter((m) => m.material === material && m.percent !== undefined);
        if (given.length) v = given.reduce((s, m) => s + m.percent!, 0);
        else if (a.percentTotal >= 99) v = 0; // a full composition that does not name it
      }
      if (v === undefined) return unknown;
      const ok = (min === undefined || v >= min) && (max === undefined || v < max);
      return yesNo(ok, v === 0 ? `${statedMaterials(a)} (no ${material})` : `${v}% ${material}`);
    }
    case 'knit':
      return a.knitted === null ? unknown : yesNo(a.knitted === c.flag, a.knitted ? 'knitted' : 'woven (not knitted)');
    case 'knitToShape':
      return a.knitToShape === null ? unknown : yesNo(a.knitToShape === c.flag, a.knitToShape ? 'knit to shape' : 'cut and sewn');
    case 'gender':
      return a.gender === null ? unknown : yesNo(c.values!.includes(a.gender), `${a.gender}'s`.replace("s's", "s'"));
    case 'retail':
      return a.retail === null ? unknown : yesNo(a.retail === c.flag, a.retail ? 'put up for retail sale' : 'in bulk');
    case 'state':
      return a.states.length === 0 ? unknown : yesNo(meets(a.states, c.values!), a.states.join(', '));
    case 'power': {
      const want = c.values![0];
      const p = a.power;
      if (!p.length) return unknown;
      const stated = p.filter((x) => x !== 'electric' || p.length === 1).join(', ') || 'electric';
      if (want === 'electric') return p.includes('electric') || p.includes('hybrid') ? yesNo(true, stated) : yesNo(false, stated);
      if (want === 'non-electric') return yesNo(!p.includes('electric') && p.includes('non-electric'), stated);
      if (want === 'battery') return p.includes('battery') ? yesNo(true, stated) : p.includes('mains') ? yesNo(false, stated) : unknown;
      if (want === 'hybrid') return p.includes('hybrid') ? yesNo(true, stated) : p.includes('spark-ignition') || p.includes('diesel') || p.includes('electric') ? yesNo(false, stated) : unknown;
      // spark-ignition / diesel
      if (p.includes(want)) return yesNo(!p.includes('hybrid') || /both/.test(c.phrase), stated);
      return p.some((x) => ['spark-ignition', 'diesel', 'electric', 'non-electric'].includes(x)) ? yesNo(false, stated) : unknown;
    }
    case 'measure': {
      const r = c.range!;
      let ms = a.measures.filter((m) => m.quantity === r.quantity);
      if (r.qualifier) {
        const q = ms.filter((m) => m.qualifier === r.qualifier);
        ms = q.length ? q : ms.filter((m) => !m.qualifier);
      }
      if (!ms.length) return unknown;
      const ok = ms.map((m) => within(m.value, r));
      const stated = [...new Set(ms.map((m) => m.text))].join(', ');
      return ok.every(Boolean) ? yesNo(true, stated) : ok.some(Boolean) ? unknown : yesNo(false, stated);
    }
    case 'assembled':
      return a.assembled === null ? unknown : yesNo(a.assembled === c.flag, a.assembled ? 'assembled' : 'unassembled');
    case 'use':
      return a.uses.length === 0 ? unknown : meets(a.uses, c.values!) ? yesNo(true, a.uses.join(', ')) : unknown;
    case 'kind':
      // Named goods are a match; goods not named are judged against the siblings (see `decideSiblings`).
      for (const alt of c.alternatives ?? [c.words!]) if (alt.every((w) => a.tokens.has(w))) return { verdict: 'yes', stated: alt.join(' ') };
      return unknown;
    case 'feature': {
      const present = c.words!.filter((w) => a.tokens.has(w));
      // the description negates the words too: "not decaffeinated" meets "not decaffeinated", fails "decaffeinated"
      const denied = present.filter((w) => a.negated.has(w));
      if (denied.length) {
        const stated = denied.map((w) => a.negated.get(w)).join(', ');
        if (!c.negated) return { verdict: 'no', stated };
        // "not reinforced or otherwise combined ..." is met by "not reinforced or otherwise combined ...": the negation's first word decides
        if (denied.length === present.length || denied.includes(c.words![0])) return { verdict: 'yes', stated };
      }
      if (c.negated) return present.length === c.words!.length || (present.length && !c.soft) ? { verdict: 'no', stated: present.join(' ') } : c.soft ? { verdict: 'yes', stated: `no ${c.words!.join(' ')} named` } : unknown;
      return present.length === c.words!.length ? { verdict: 'yes', stated: present.join(' ') } : unknown;
    }
  }
}

// ------------------------------------------------------------------------------------ siblings and questions

export interface Judged {
  verdict: Verdict;
  /** Conditions the description satisfies, with what it states. */
  met: { condition: Condition; stated: string }[];
  /** Conditions the description contradicts. */
  failed: { condition: Condition; stated: string }[];
  /** Conditions the description does not settle. */
  open: Condition[];
  residual: boolean;
}

/** Verdict of each of a set of sibling texts (subheadings of one heading, or one level of a line tree). */
export function decideSiblings(texts: string[], a: Attributes, parsed: ParsedText[] = texts.map(parseText), opts: { residualBySiblings?: boolean } = {}): Judged[] {
  // A condition every sibling sets separates none of them.
  const everywhere = (c: Condition) => parsed.length > 1 && parsed.every((p) => p.conditions.some((d) => d.phrase === c.phrase));
  const judged: Judged[] = parsed.map((p) => {
    const j: Judged = { verdict: 'unknown', met: [], failed: [], open: [], residual: p.residual };
    for (const c of p.conditions) {
      if (everywhere(c)) continue;
      const r = check(c, a);
      if (r.verdict === 'yes') j.met.push({ condition: c, stated: r.stated ?? '' });
      else if (r.verdict === 'no') j.failed.push({ condition: c, stated: r.stated ?? '' });
      else j.open.push(c);
    }
    return j;
  });
  // Kinds of goods: once one sibling's goods are named, siblings naming other goods are excluded.
  const kindNamed = judged.some((j) => j.met.some((m) => m.condition.dim === 'kind'));
  if (kindNamed) {
    for (const j of judged) {
      const open = j.open.filter((c) => c.dim === 'kind');
      for (const c of open) {
        j.open.splice(j.open.indexOf(c), 1);
        j.failed.push({ condition: c, stated: 'other goods' });
      }
    }
  }
  // "of other textile materials": an open material condition that names none.
  for (const j of judged) {
    j.verdict = j.failed.length ? 'no' : j.open.some((c) => !(c.dim === 'material' && !c.material!.covers.length && !c.material!.excludes.length)) ? 'unknown' : 'yes';
    if (!j.met.length && !j.failed.length && !j.open.length && !j.residual && parsed.length > 1) j.verdict = 'unknown';
  }
  // Residual siblings ("Other", "n.e.c."): in when every named sibling is out, out when one is in or its goods are named.
  const named = judged.filter((j) => !j.residual);
  for (const j of judged) {
    if (!j.residual || j.verdict === 'no' || opts.residualBySiblings === false) continue;
    const namedOthers = named.filter((n) => n !== j);
    if (namedOthers.length && namedOthers.every((n) => n.verdict === 'no')) continue; // stays as judged on its own words
    const taken = namedOthers.some((n) => n.verdict === 'yes' || (n.verdict === 'unknown' && n.met.some((m) => m.condition.dim === 'kind')));
    if (taken && !j.met.some((m) => m.condition.dim === 'kind')) j.verdict = 'no';
    else if (taken) j.verdict = 'unknown';
    else j.verdict = 'unknown';
    if (j.verdict === 'no') j.failed.push({ condition: { dim: 'kind', key: 'residual', phrase: 'other' }, stated: 'goods named by a sibling' });
  }
  return judged;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const QUANTITY_QUESTION: Record<Quantity, string> = {
  mass: 'What does it weigh',
  voltage: 'What is its voltage',
  power: 'What is its power',
  'apparent power': 'What is its power handling capacity (kVA)',
  length: 'What are its dimensions',
  volume: 'What is its capacity or content',
  displacement: 'What is the cylinder capacity of the engine',
  'areal weight': 'What is the fabric weight (g/m2)',
};

/**
 * Questions an analyst can answer, one per open condition key, with the sibling texts as the choices.
 * `open` pairs each open condition with the texts of its siblings that set the same key.
 */
export function questionFor(key: string, phrases: string[]): string {
  const uniq = [...new Set(phrases.map((p) => p.trim()).filter(Boolean))];
  const dim = key.split(':')[0] as Dimension | 'residual';
  const list = (sep: string) => uniq.map((p, i) => (i ? p : cap(p))).join(sep);
  switch (dim) {
    case 'gender': return `${list(', or ')}?`;
    case 'knitToShape': return 'Is the garment knit to shape?';
    case 'knit': return 'Is it knitted or crocheted, or woven?';
    case 'material': return `What is the chief material by weight (${uniq.join('; ')})?`;
    case 'percent': return `Does it contain ${uniq[0].replace(/^containing /, '')}?`;
    case 'retail': return 'Is it put up for retail sale?';
    case 'state': return `Is it ${uniq.join(', or ')}?`;
    case 'power': return `How is it powered (${uniq.join('; ')})?`;
    case 'measure': return `${QUANTITY_QUESTION[key.slice(8) as Quantity] ?? 'What are its measures'}? The lines turn on: ${uniq.join('; ')}.`;
    case 'assembled': return 'Is it imported assembled or unassembled?';
    case 'use': return `What is it used for (${uniq.join('; ')})?`;
    case 'kind': return `Which of these is it: ${uniq.join('; ')}?`;
    default: return `Is it ${uniq[0]}?`;
  }
}
