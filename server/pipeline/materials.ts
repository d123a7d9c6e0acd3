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
  ceramic: ['ceramic', 'porcelain', 'stoneware', 'earthenware'],
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

/** Materials named in a description (already normalised: lower case, "100% cotton"). */
export function materialsOf(text: string): MaterialFacts {
  if (!anyMaterial.test(text.toLowerCase())) return { named: [] };
  const found = new Map<string, number | undefined>();
  let rest = ` ${text.toLowerCase()} `;
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
