// What the level models learn from: the nomenclature as labelled text (every HS 6 with its heading and
// chapter, the US schedule's legal heading texts, every US and EU national line with its full path) and
// the labelled examples, each source with its own weight (0 leaves a source out: `npm run eval` measures
// what each adds).
import { normalise } from '../normalise';
import { coveredText, hsText } from '../corpus';
import { hashedFeatures, type FeatureWeights } from './features';
import type { LevelDoc } from './tree';
import type { Dataset, Example, ExampleSource } from '../../types';

export interface LevelCorpusOptions {
  /** Weight of each subheading's official text, of each US legal heading text, and per subheading of its US / EU lines (shared among them). */
  nomenclature: { hs: number; usHeading: number; us: number; eu: number };
  /** Weight of one example of each source; a source missing or at 0 is not learnt from. */
  sources: Partial<Record<ExampleSource, number>>;
  /** Characters of an example's detail (ruling facts, synonyms) learnt from, and their weight relative to the text. */
  detailChars: number;
  detailWeight: number;
  features: FeatureWeights;
}

export function levelCorpus(ds: Dataset, examples: Example[], o: LevelCorpusOptions): LevelDoc[] {
  const docs: LevelDoc[] = [];
  const f = (text: string) => hashedFeatures(normalise(coveredText(text)), o.features);
  if (o.nomenclature.hs > 0) for (const hs6 of ds.hs.subheadings) docs.push({ x: f(hsText(ds, hs6)), code: hs6, weight: o.nomenclature.hs });
  if (o.nomenclature.usHeading > 0) {
    // The schedule's indent-0 text of each heading (the legal wording, fuller than the UN short forms).
    const legal = new Map<string, string>();
    for (const l of ds.us) if (!legal.has(l.hs6.slice(0, 4)) && l.path.length) legal.set(l.hs6.slice(0, 4), l.path[0]);
    for (const [h, text] of legal) docs.push({ x: f(text), code: h, weight: o.nomenclature.usHeading });
  }
  for (const [lines, w] of [[ds.us, o.nomenclature.us], [ds.eu, o.nomenclature.eu]] as const) {
    if (w <= 0) continue;
    const per = new Map<string, number>();
    for (const l of lines) per.set(l.hs6, (per.get(l.hs6) ?? 0) + 1);
    for (const l of lines) docs.push({ x: f(l.fullDescription), code: l.hs6, weight: w / per.get(l.hs6)! });
  }
  for (const ex of examples) {
    const w = o.sources[ex.source] ?? 0;
    if (w <= 0) continue;
    const detail = ex.detail && o.detailChars > 0 ? { q: normalise(ex.detail.slice(0, o.detailChars)), weight: o.detailWeight } : undefined;
    docs.push({ x: hashedFeatures(normalise(ex.text), o.features, detail), code: ex.hs6, weight: w });
  }
  return docs;
}
