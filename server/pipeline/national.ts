// Step 6a: the national line under an HS 6 (US HTS 10-digit, EU CN 8-digit). Never pads: when the
// description does not decide between the lines, the answer stays at 6 digits and says which detail
// is missing.
import type { NationalLine } from '../types';

export interface NationalChoice {
  /** The national code, or the HS 6 when the text does not decide. */
  code: string;
  line: NationalLine | null;
  /** When no line was chosen: what the description would need to say. */
  missingDetail?: string;
}

export interface NationalOptions {
  /** Least similarity the best line needs. */
  minScore: number;
  /** Least lead of the best line over the second. */
  margin: number;
}

/** The parts of each line's path after the part all of them share. */
function distinguishing(lines: NationalLine[]): string[] {
  let common = 0;
  const minLen = Math.min(...lines.map((l) => l.path.length));
  while (common < minLen && lines.every((l) => l.path[common] === lines[0].path[common])) common++;
  return lines.map((l) => l.path.slice(common).join(' > ') || l.description);
}

export function chooseNational(hs6: string, lines: NationalLine[], scores: number[], opts: NationalOptions): NationalChoice {
  if (lines.length === 0) return { code: hs6, line: null, missingDetail: 'no national line under this subheading' };
  if (lines.length === 1) return { code: lines[0].code, line: lines[0] };
  const order = lines.map((_, i) => i).sort((a, b) => scores[b] - scores[a] || lines[a].code.localeCompare(lines[b].code));
  const [best, second] = order;
  if (scores[best] >= opts.minScore && scores[best] - scores[second] >= opts.margin) {
    return { code: lines[best].code, line: lines[best] };
  }
  const options = distinguishing(lines).map((o) => (o.length > 70 ? `${o.slice(0, 67)}...` : o));
  const shown = [...new Set(order.map((i) => options[i]))];
  const list = shown.slice(0, 3).join('; ') + (shown.length > 3 ? `; and ${shown.length - 3} more` : '');
  return {
    code: hs6,
    line: null,
    missingDetail: `the description does not say which of ${lines.length} national lines applies: ${list}`,
  };
}
