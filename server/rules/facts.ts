// The facts the rules reason over, extracted once per row from the description and the short list.
import { materialsOf, statedMaterials, type MaterialFacts } from '../pipeline/materials';
import { headOf } from '../pipeline/head';
import type { Normalised } from '../pipeline/normalise';

export type Gender = 'men' | 'women' | 'boys' | 'girls' | 'babies' | 'unisex' | 'unknown';

export interface Facts {
  /** The normalised description (its stems are what `mentionsAny` matches). */
  text: Normalised;
  /** Chapters and headings of the short-listed candidates. */
  chapters: string[];
  headings: string[];
  /** The first short-listed candidate (a subheading), '' before scoring. */
  first: string;
  materials: string[];
  chiefMaterial: string | null;
  /** Whether the description gives material percentages. */
  hasPercentages: boolean;
  /** Materials sharing the largest percentage (two or more when they are tied, e.g. 50% cotton 50% polyester). */
  tiedMaterials: string[];
  /** Whether two or more materials are tied for the largest percentage. */
  materialsTied: boolean;
  /** More than one material named, or the text says blend, mixture or composite: what GRI 3(b) is for. */
  mixture: boolean;
  /** The materials the goods are stated to be of (not colours, finishes or objects such as "glasses"). */
  statedMaterials: string[];
  /** Whether any material is stated. */
  materialStated: boolean;
  knitted: boolean;
  woven: boolean;
  unassembled: boolean;
  incomplete: boolean;
  /** Put up as a set or kit of different articles (not "set of 6 mugs", "TV set", "set top box"). */
  isSet: boolean;
  isCase: boolean;
  /** A case, box or pouch presented with the article it is for ("violin with fitted case"): GRI 5(a). */
  withCase: boolean;
  /** The goods are stated to be packed in packing that is not itself the goods ("chocolates in a gift tin"): GRI 5(b). */
  packed: boolean;
  isPart: boolean;
  forAnimals: boolean;
  forChildren: boolean;
  gender: Gender;
  /** The noun the description names the goods by (pipeline/head.ts: "crank **bolts**", not "bolt gauge"), as a key; '' when none. */
  head: string;
}

/** Every fact name a rule may use, with the kind of value it has. */
export const FACT_KINDS: Record<keyof Facts, 'text' | 'codes' | 'strings' | 'string' | 'boolean' | 'noun'> = {
  text: 'text',
  chapters: 'codes',
  headings: 'codes',
  first: 'string',
  materials: 'strings',
  chiefMaterial: 'string',
  hasPercentages: 'boolean',
  tiedMaterials: 'strings',
  materialsTied: 'boolean',
  mixture: 'boolean',
  statedMaterials: 'strings',
  materialStated: 'boolean',
  knitted: 'boolean',
  woven: 'boolean',
  unassembled: 'boolean',
  incomplete: 'boolean',
  isSet: 'boolean',
  isCase: 'boolean',
  withCase: 'boolean',
  packed: 'boolean',
  isPart: 'boolean',
  forAnimals: 'boolean',
  forChildren: 'boolean',
  gender: 'string',
  head: 'noun',
};

const has = (re: RegExp, s: string) => re.test(s);

function genderOf(t: string): Gender {
  const men = /\b(men|man|male|gents?|boys?)\b/.test(t);
  const women = /\b(women|woman|ladies|lady|female|girls?)\b/.test(t);
  if (/\bunisex\b/.test(t) || (men && women)) return 'unisex';
  if (/\b(baby|babies|infants?|newborn|toddlers?)\b/.test(t)) return 'babies';
  if (/\bboys?\b/.test(t)) return 'boys';
  if (/\bgirls?\b/.test(t)) return 'girls';
  if (men) return 'men';
  if (women) return 'women';
  return 'unknown';
}

function tied(named: { material: string; percent?: number }[]): string[] {
  const max = Math.max(...named.map((n) => n.percent ?? -1));
  const top = named.filter((n) => n.percent !== undefined && n.percent === max);
  return top.length > 1 ? top.map((n) => n.material) : [];
}

/** Containers, packs and holders: a description that names one of these first is about the container. */
const CONTAINER = 'case|cases|suitcase|box|boxes|bag|bags|backpack|pouch|pouches|holder|wallet|purse|tin|tins|jar|jars|bottle|bottles|carton|cartons|crate|container|containers|sack|sacks|can|cans|luggage|tray|basket|holster|sheath|cover';
const CONTAINER_RE = new RegExp(`\\b(${CONTAINER})\\b`);
/** "<article> with / in / presented with its (fitted, carrying, ...) case": the case goes with the article. */
const WITH_CASE_RE = new RegExp(
  [
    '\\b(?:presented|supplied|sold|packed|comes?|together|complete) (?:with|in)\\b.*?\\b(?:case|pouch|holster|sheath|scabbard)\\b',
    '\\b(?:with|in) (?:its |a |an |the |their )?(?:own )?(?:fitted|carrying|carry|storage|protective|travel|presentation|padded|hard|soft|gig|zip|zippered) (?:case|pouch|bag|box)\\b',
    '\\bwith (?:its |a |an |the )?(?:[a-z]+ )?(?:sheath|holster|scabbard)\\b',
  ].join('|'),
);
const PACKED_RE = /\b(?:packed|packaged|presented|put up|sold) in\b|\bgift[- ]boxed\b|\bboxed\b|\bblister[- ]packed\b|\bin retail packaging\b|\bin (?:a |an )?(?:gift |decorative |presentation )?(?:tin|box|jar|bottle|carton|pouch|sachet|packets?)\b/;
/** Sets that are not GRI 3(b) sets: one kind of article by number, apparatus called "set". */
const NOT_A_SET = /\bset of \d+\b|\bsets? of (?:two|three|four|five|six|eight|ten|twelve)\b|\bset[- ]top\b|\b(?:tv|television|radio|telephone|generating|generator|dining|bedroom|lounge|sofa|jet|screw|chess|drum|train|test) sets?\b|\bset screws?\b|\bhead ?sets?\b|\bsets? of (?:the same|identical)\b/;
function isMixture(m: MaterialFacts, t: string): boolean {
  return new Set(m.named.map((n) => n.material)).size > 1 || /\b(blend|blended|mixture|mixed|composite)\b/.test(t);
}

/** A set of different articles: "set"/"kit" named, not one kind by number, and components listed. */
function isRealSet(t: string): boolean {
  if (!/\b(set|sets|kit|kits)\b/.test(t) || NOT_A_SET.test(t)) return false;
  return /\b(with|and|plus|comprising|consisting|containing|including)\b|[,+&]/.test(t.replace(/\bset\b.*$/, '') + t.replace(/^.*?\b(set|kit)s?\b/, ''));
}

/** The same facts with the candidates' chapters and headings filled in (the rest is computed once). */
export function withCandidates(facts: Facts, candidates: string[]): Facts {
  return {
    ...facts,
    chapters: [...new Set(candidates.map((c) => c.slice(0, 2)))],
    headings: [...new Set(candidates.map((c) => c.slice(0, 4)))],
    first: candidates[0] ?? '',
  };
}

/**
 * `raw` is the description as given: its punctuation and counts ("set of 6") mark where the goods' name
 * ends and whether a set is one kind of article; the normalised text has lost them.
 */
export function extractFacts(text: Normalised, candidates: string[], m: MaterialFacts = materialsOf(text.text), raw: string = text.text): Facts {
  const t = ` ${text.text.toLowerCase()} `;
  const r = ` ${raw.toLowerCase().replace(/\s+/g, ' ')} `;
  const tiedMaterials = tied(m.named);
  const stated = statedMaterials(text.text);
  const caseAt = WITH_CASE_RE.exec(t);
  const packedAt = PACKED_RE.exec(t);
  return withCandidates({
    text,
    chapters: [],
    headings: [],
    first: '',
    materials: m.named.map((n) => n.material),
    chiefMaterial: m.chief ?? null,
    hasPercentages: m.named.some((n) => n.percent !== undefined),
    tiedMaterials,
    materialsTied: tiedMaterials.length > 1,
    mixture: isMixture(m, t),
    statedMaterials: stated,
    materialStated: stated.length > 0,
    knitted: has(/\b(knit|knitted|knitting|crochet|crocheted|jersey)\b/, t),
    woven: has(/\b(woven|denim|poplin|twill|chiffon|satin)\b/, t),
    unassembled: has(/\b(unassembled|disassembled|knocked[- ]down|flat[- ]?pack(ed)?|ckd|skd)\b/, t),
    incomplete: has(/\b(incomplete|unfinished|semi[- ]finished|blanks?)\b/, t),
    isSet: isRealSet(r) && isRealSet(t),
    isCase: has(/\b(case|cases|pouch|holster|sheath|box)\b/, t),
    // the article comes first and is not itself a container: "binoculars with carrying case", not "carrying case for binoculars"
    withCase: caseAt !== null && caseAt.index > 0 && !CONTAINER_RE.test(t.slice(0, caseAt.index)),
    packed: packedAt !== null && packedAt.index > 0 && !CONTAINER_RE.test(t.slice(0, packedAt.index)) && !/\b(empty|packaging material)\b/.test(t),
    isPart: has(/\b(parts?|component|components|spare|spares|replacement)\b/, t),
    forAnimals: has(/\b(pet|pets|dog|dogs|cat|cats|puppy|kitten|animal|animals|bird|parrot|hamster)\b/, t),
    forChildren: has(/\b(child|children|childrens|kid|kids|toddler|toddlers|junior|baby|babies|infant|infants)\b/, t),
    gender: genderOf(t),
    head: headOf(raw)?.head ?? '',
  }, candidates);
}
