// Materials: which material a description names (with its percentage when given) and which
// materials a subheading's text covers or excludes ("of cotton", "of textile materials (other than
// cotton)"). The fusion uses their agreement as one signal, because the subheading often turns on the
// material (GRI 6) and word statistics alone let a frequent neighbour win.

/** Material -> words that name it (lower case, matched as whole words or word starts). */
export const MATERIALS: Record<string, string[]> = {
  cotton: ['cotton'],
  wool: ['wool', 'woollen', 'merino', 'cashmere', 'fine animal hair', 'alpaca', 'angora', 'mohair'],
  silk: ['silk'],
  flax: ['flax', 'linen'],
  'man-made fibres': [
    'man-made fibre', 'manmade fibre', 'synthetic fibre', 'artificial fibre', 'polyester', 'nylon', 'polyamide',
    'acrylic fibre', 'viscose', 'rayon', 'spandex', 'elastane', 'modal', 'lyocell', 'microfibre',
  ],
  plastics: [
    // imitation leather and thermoplastic rubber are plastics, whatever the second word says
    'faux leather', 'imitation leather', 'synthetic leather', 'artificial leather', 'vegan leather',
    'polyurethane leather', 'leatherette', 'thermoplastic rubber',
    'plastic', 'polyethylene', 'polypropylene', 'polyvinyl chloride', 'pvc', 'polystyrene', 'polyurethane',
    'polycarbonate', 'abs', 'acrylic', 'silicone', 'vinyl', 'polymer',
  ],
  rubber: ['rubber', 'latex', 'neoprene'],
  leather: ['leather'],
  'iron or steel': ['steel', 'iron', 'stainless'],
  aluminium: ['aluminium', 'aluminum'],
  copper: ['copper', 'brass', 'bronze'],
  wood: ['wood', 'wooden', 'bamboo', 'timber', 'plywood'],
  paper: ['paper', 'paperboard', 'cardboard'],
  glass: ['glass'],
  // porcelain and china are a kind of ceramic the nomenclature names apart (6911 against 6912)
  porcelain: ['porcelain', 'bone china', 'fine china'],
  ceramic: ['ceramic', 'stoneware', 'earthenware', 'terracotta'],
  'precious metal': ['gold', 'silver', 'platinum'],
};

const lookup: { word: string; material: string; re: RegExp }[] = Object.entries(MATERIALS)
  .flatMap(([material, words]) => words.map((word) => ({ word, material })))
  .sort((a, b) => b.word.length - a.word.length)
  .map((w) => ({ ...w, re: new RegExp(`\\b${w.word.replace(/[-\s]/g, '[-\\s]?')}s?\\b`, 'g') }));

/** Any material word at all: most descriptions name none, and this one test rules them out. */
const anyMaterial = new RegExp(`\\b(${lookup.map((w) => w.re.source.replace(/^\\b|s\?\\b$/g, '')).join('|')})`);

export interface MaterialFacts {
  /** Materials named, each with its percentage when the text gives one. */
  named: { material: string; percent?: number }[];
  /** The chief material: the one with the largest percentage, or the only one named. */
  chief?: string;
}

/** Words that make "acrylic" a textile fibre rather than a plastic. */
const TEXTILE_CONTEXT = /\b(cotton|wool|woollen|silk|linen|polyester|nylon|viscose|elastane|spandex|knit|knitted|woven|yarn|fabric|sweater|pullover|jumper|cardigan|scarf|socks?|blanket|garment|jersey)\b/;

/** Materials named in a description (already normalised: lower case, "100% cotton"). */
export function materialsOf(text: string): MaterialFacts {
  if (!anyMaterial.test(text.toLowerCase())) return { named: [] };
  const found = new Map<string, number | undefined>();
  let rest = ` ${text.toLowerCase()} `;
  if (TEXTILE_CONTEXT.test(rest)) rest = rest.replace(/\bacrylic(?! fibre)\b/g, 'acrylic fibre');
  for (const { material, re } of lookup) {
    re.lastIndex = 0;
    rest = rest.replace(re, (m, offset: number) => {
      const before = rest.slice(Math.max(0, offset - 8), offset);
      const pct = /(\d+(?:\.\d+)?)%\s*$/.exec(before);
      const percent = pct ? Number(pct[1]) : undefined;
      const prev = found.get(material);
      found.set(material, percent === undefined ? prev : (prev ?? 0) + percent);
      return ' '.repeat(m.length);
    });
  }
  const named = [...found.entries()].map(([material, percent]) => (percent === undefined ? { material } : { material, percent }));
  const withPct = named.filter((n) => n.percent !== undefined).sort((a, b) => b.percent! - a.percent!);
  const chief = withPct.length ? withPct[0].material : named.length === 1 ? named[0].material : undefined;
  return { named, chief };
}

export interface ClassMaterials {
  covers: Set<string>;
  excludes: Set<string>;
}

/** Materials a subheading's official text covers, and those it excludes ("other than ..."). */
export function classMaterials(description: string): ClassMaterials {
  const text = description.toLowerCase();
  const excludes = new Set<string>();
  const covers = new Set<string>();
  const otherThan = /other than ([^;)]*)/g;
  let m: RegExpExecArray | null;
  for (const n of materialsOf(text.replace(/other than [^;)]*/g, ' ')).named) covers.add(n.material);
  // "Rubber; vulcanised (other than hard rubber)" still covers rubber: only what is named solely after
  // "other than" is excluded.
  while ((m = otherThan.exec(text))) for (const n of materialsOf(m[1]).named) if (!covers.has(n.material)) excludes.add(n.material);
  return { covers, excludes };
}

/**
 * Agreement of the description's materials with a subheading: +1 when the subheading is of the chief
 * material (or of one named, without a chief), -1 when it excludes it or covers only other materials,
 * 0 when its text says nothing about material.
 */
export function materialAgreement(facts: MaterialFacts, cls: ClassMaterials): number {
  if (!facts.named.length) return 0;
  const wanted = facts.chief ? [facts.chief] : facts.named.map((n) => n.material);
  if (wanted.some((w) => cls.excludes.has(w))) return -1;
  if (wanted.some((w) => cls.covers.has(w))) return 1;
  if (cls.covers.size > 0 || cls.excludes.size > 0) return cls.excludes.size > 0 ? 1 : -1;
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Material contradiction: a heading or subheading whose terms name only materials other than the one
// the goods are stated to be of ("of iron or steel" for a polypropylene rope) cannot be the answer.
// ---------------------------------------------------------------------------------------------

const TEXTILES = ['cotton', 'wool', 'silk', 'flax', 'man-made fibres'];
const METALS = ['iron or steel', 'aluminium', 'copper', 'precious metal'];
/** Generic words of the nomenclature and the materials they cover. */
const GENERIC_COVERS: [RegExp, string[]][] = [
  [/\btextiles?\b/, TEXTILES],
  [/\bbase metals?\b/, ['iron or steel', 'aluminium', 'copper']],
  [/\bmetals?\b/, METALS],
  [/\bglassware\b|\bglasses\b/, ['glass']],
  [/\bplaiting materials?\b|\bvegetable materials?\b/, ['wood', 'flax', 'cotton']],
];
/** Materials that are one another for this purpose: synthetic fibres are plastics; "ceramic" may be porcelain. */
const COMPATIBLE: Record<string, string[]> = {
  plastics: ['man-made fibres'],
  'man-made fibres': ['plastics'],
  ceramic: ['porcelain'],
  porcelain: ['ceramic'],
};
/** Uses of material words that do not say what the goods are made of: colours, finishes, objects. */
const NOT_A_MATERIAL =
  /\b(?:rose )?(?:gold|silver|bronze|copper|steel|ivory)[- ](?:tone|toned|colou?r(?:ed)?|finish(?:ed)?|look|effect|grey|gray|blue|plated|coated)\b|\b(?:glasses|irons)\b|\b(?:steam|curling|flat|hair|travel|smoothing|clothes|golf|soldering|waffle) iron\b|\bfibre optic\b|\bglass fibre\b|\bcarbon fibre\b/g;

/** "Bed linen", "table linen": household linen of any textile, not flax. */
const LINEN_GOODS = /\b(?:bed|table|toilet|kitchen|household|house) linen\b/gi;
/** Goods named after what they hold, cut or go with, not after their material: "paper knives" are not of paper. */
const NAMED_AFTER_USE = /\b(?:paper[- ]knives|paper trays|paper clips|timber wedges|leather goods|irons)\b/gi;

/**
 * Whether the material named by a heading's terms can exclude goods of another material: for articles (chapter
 * 39 on), not chemicals or foods whose texts name polymers or latex; and not machines, appliances and instruments
 * (chapters 84, 85, 90), whose terms name the material they work ("machinery for working rubber or plastics"),
 * not the one they are made of.
 */
export function materialDecides(code: string): boolean {
  const chapter = Number(code.slice(0, 2));
  return chapter >= 39 && chapter !== 84 && chapter !== 85 && chapter !== 90;
}

/** The materials the goods are stated to be of: named as material, not as colour, finish or object. */
export function statedMaterials(text: string): string[] {
  const t = ` ${text.toLowerCase()} `.replace(NOT_A_MATERIAL, ' ').replace(LINEN_GOODS, ' ');
  const named = materialsOf(t).named.map((n) => n.material);
  // stoneware and earthenware are ceramics that are not porcelain
  if (named.includes('ceramic') && !/\bceramics?\b/.test(t)) return named.map((m) => (m === 'ceramic' ? 'ceramic (not porcelain)' : m));
  return named;
}

export interface TextMaterials {
  covers: Set<string>;
  excludes: Set<string>;
}

const textMaterialsCache = new Map<string, TextMaterials>();
/** Materials a nomenclature text covers (reading generic words too) and those it excludes. */
export function textMaterials(description: string): TextMaterials {
  let m = textMaterialsCache.get(description);
  if (m) return m;
  // glass-ceramics are a material of their own, not glass and not ceramic; household linen is any textile
  const text = description.replace(/\bglass[- ]ceramics?\b/gi, 'glassceramic').replace(LINEN_GOODS, 'textile').replace(NAMED_AFTER_USE, ' ');
  const base = classMaterials(text);
  const covers = new Set(base.covers);
  const plain = text.toLowerCase().replace(/other than [^;)]*/g, ' ');
  for (const [re, mats] of GENERIC_COVERS) if (re.test(plain)) mats.forEach((x) => covers.add(x));
  m = { covers: new Set([...covers].filter((x) => !base.excludes.has(x))), excludes: base.excludes };
  if (textMaterialsCache.size > 50000) textMaterialsCache.clear();
  textMaterialsCache.set(description, m);
  return m;
}

function acceptable(stated: string, cls: TextMaterials): boolean {
  const own = stated === 'ceramic (not porcelain)' ? 'ceramic' : stated;
  const kinds = stated === 'ceramic (not porcelain)' ? ['ceramic'] : [stated, ...(COMPATIBLE[stated] ?? [])];
  if (cls.excludes.has(own)) return false;
  if (cls.covers.size === 0) return true;
  return kinds.some((k) => cls.covers.has(k));
}

/**
 * Why a nomenclature text cannot fit goods stated to be of `stated`, or null when it can: every stated
 * material is excluded by the text or is not among the materials the text names.
 */
export function materialConflict(stated: string[], description: string): string | null {
  if (!stated.length) return null;
  const cls = textMaterials(description);
  if (cls.covers.size === 0 && cls.excludes.size === 0) return null;
  if (stated.some((s) => acceptable(s, cls))) return null;
  const said = [...new Set(stated.map((s) => (s === 'ceramic (not porcelain)' ? 'ceramic other than porcelain' : s)))].join(' and ');
  const own = (s: string) => (s === 'ceramic (not porcelain)' ? 'ceramic' : s);
  const excluded = stated.map(own).filter((s) => cls.excludes.has(s));
  const terms = excluded.length ? `exclude goods of ${[...new Set(excluded)].join(' or ')}` : `name goods of ${[...cls.covers].join(', ')}`;
  return `its terms ${terms}; the goods are stated to be of ${said}`;
}
