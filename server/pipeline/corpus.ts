// Builds the documents the index and the model learn from: every HS 6 with its heading and chapter,
// every US HTS and EU CN line with its full path, and the labelled examples.
import { normalise } from './normalise';
import { termsOf } from './features';
import type { Dataset, Example } from '../types';

export type DocKind = 'hs' | 'us' | 'eu' | 'example';
export const DOC_KINDS: DocKind[] = ['hs', 'us', 'eu', 'example'];

export interface CorpusDoc {
  hs6: string;
  kind: DocKind;
  /** Index into the dataset's subheadings / us / eu lines, or into the example list given to buildCorpus. */
  ref: number;
  /** Terms for the retrieval index (the short text). */
  index: string[];
  /** Terms for the model (the short text plus any longer detail). */
  train: string[];
}

/**
 * What an official text covers, for learning and matching: its exclusions left out ("Balls, other than golf balls
 * and table-tennis balls: Inflatable"; "of textile materials (other than cotton)"), whose words name goods the line
 * does not cover and would otherwise draw those goods to it. Displayed and cited texts stay as written.
 */
export function coveredText(text: string): string {
  return text
    .replace(/\((?:other than|excluding|except|not including|exclusive of)\b[^)]*\)/gi, ' ')
    .replace(/\b(?:other than|excluding|except|not including|exclusive of)\b[^;:()]*/gi, ' ');
}

function terms(text: string): string[] {
  return termsOf(normalise(text).tokens);
}

export function hsText(ds: Dataset, hs6: string): string {
  const sub = ds.hs.nodes.get(hs6);
  const head = ds.hs.nodes.get(hs6.slice(0, 4));
  const chap = ds.hs.nodes.get(hs6.slice(0, 2));
  return [sub?.description, head?.description, chap?.description].filter(Boolean).join('; ');
}

/** `detailChars`: how much of a longer detail (CROSS facts) is learnt from. */
export function buildCorpus(ds: Dataset, examples: Example[], detailChars: number): CorpusDoc[] {
  const docs: CorpusDoc[] = [];
  ds.hs.subheadings.forEach((hs6, ref) => {
    const t = terms(coveredText(hsText(ds, hs6)));
    docs.push({ hs6, kind: 'hs', ref, index: t, train: t });
  });
  for (const [kind, lines] of [['us', ds.us], ['eu', ds.eu]] as const) {
    lines.forEach((line, ref) => {
      const t = terms(coveredText(line.fullDescription));
      docs.push({ hs6: line.hs6, kind, ref, index: t, train: t });
    });
  }
  examples.forEach((ex, ref) => {
    const t = terms(ex.text);
    const train = ex.detail && detailChars > 0 ? t.concat(terms(ex.detail.slice(0, detailChars))) : t;
    docs.push({ hs6: ex.hs6, kind: 'example', ref, index: t, train });
  });
  return docs;
}
