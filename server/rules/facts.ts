// The facts the rules reason over, extracted once per row from the description and the short list.
import { materialsOf, type MaterialFacts } from '../pipeline/materials';
import type { Normalised } from '../pipeline/normalise';

export type Gender = 'men' | 'women' | 'boys' | 'girls' | 'babies' | 'unisex' | 'unknown';

export interface Facts {
  /** The normalised description (its stems are what `mentionsAny` matches). */
  text: Normalised;
  /** Chapters and headings of the short-listed candidates. */
  chapters: string[];
  headings: string[];
  materials: string[];
  chiefMaterial: string | null;
  /** Whether the description gives material percentages. */
  hasPercentages: boolean;
  /** Materials sharing the largest percentage (two or more when they are tied, e.g. 50% cotton 50% polyester). */
  tiedMaterials: string[];
  /** Whether two or more materials are tied for the largest percentage. */
  materialsTied: boolean;
  knitted: boolean;
  woven: boolean;
  unassembled: boolean;
  incomplete: boolean;
  isSet: boolean;
  isCase: boolean;
  isPart: boolean;
  forAnimals: boolean;
  forChildren: boolean;
  gender: Gender;
}

/** Every fact name a rule may use, with the kind of value it has. */
export const FACT_KINDS: Record<keyof Facts, 'text' | 'codes' | 'strings' | 'string' | 'boolean'> = {
  text: 'text',
  chapters: 'codes',
  headings: 'codes',
  materials: 'strings',
  chiefMaterial: 'string',
  hasPercentages: 'boolean',
  tiedMaterials: 'strings',
  materialsTied: 'boolean',
  knitted: 'boolean',
  woven: 'boolean',
  unassembled: 'boolean',
  incomplete: 'boolean',
  isSet: 'boolean',
  isCase: 'boolean',
  isPart: 'boolean',
  forAnimals: 'boolean',
  forChildren: 'boolean',
  gender: 'string',
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

/** The same facts with the candidates' chapters and headings filled in (the rest is computed once). */
export function withCandidates(facts: Facts, candidates: string[]): Facts {
  return {
    ...facts,
    chapters: [...new Set(candidates.map((c) => c.slice(0, 2)))],
    headings: [...new Set(candidates.map((c) => c.slice(0, 4)))],
  };
}

export function extractFacts(text: Normalised, candidates: string[], m: MaterialFacts = materialsOf(text.text)): Facts {
  const t = ` ${text.text.toLowerCase()} `;
  const tiedMaterials = tied(m.named);
  return withCandidates({
    text,
    chapters: [],
    headings: [],
    materials: m.named.map((n) => n.material),
    chiefMaterial: m.chief ?? null,
    hasPercentages: m.named.some((n) => n.percent !== undefined),
    tiedMaterials,
    materialsTied: tiedMaterials.length > 1,
    knitted: has(/\b(knit|knitted|knitting|crochet|crocheted|jersey)\b/, t),
    woven: has(/\b(woven|denim|poplin|twill|chiffon|satin)\b/, t),
    unassembled: has(/\b(unassembled|disassembled|knocked[- ]down|flat[- ]?pack(ed)?|ckd|skd)\b/, t),
    incomplete: has(/\b(incomplete|unfinished|semi[- ]finished|blanks?)\b/, t),
    isSet: has(/\b(set|sets|kit|kits)\b/, t),
    isCase: has(/\b(case|cases|pouch|holster|sheath|box)\b/, t),
    isPart: has(/\b(parts?|component|components|spare|spares|replacement)\b/, t),
    forAnimals: has(/\b(pet|pets|dog|dogs|cat|cats|puppy|kitten|animal|animals|bird|parrot|hamster)\b/, t),
    forChildren: has(/\b(child|children|childrens|kid|kids|toddler|toddlers|junior|baby|babies|infant|infants)\b/, t),
    gender: genderOf(t),
  }, candidates);
}
