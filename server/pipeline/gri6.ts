// GRI 6 by attributes: within the heading of the first candidate, the subheadings of the same group (the
// text before the ";" of the HS 2022 short form: "T-shirts, singlets and other vests; of cotton, ...") are
// compared "by the terms of those subheadings" on the attributes the description states. A stated attribute
// decides and is cited; a subheading it contradicts gives way to the one it fits; when the description does
// not state the attribute that separates them, the step says so and the candidate gains the question.
import { decideSiblings, parseText, questionFor, type Attributes, type Judged, type ParsedText } from './attributes';
import type { CandidateResult, HsNode, HsTree, Reasoning, ReasoningStep, StatedAttribute } from '../types';

const ATTRIBUTE_DIMS = new Set(['material', 'percent', 'knit', 'knitToShape', 'gender', 'retail', 'state', 'power', 'measure', 'assembled', 'use']);
const DIM_NAMES: Record<string, string> = {
  material: 'the material', percent: 'the composition by weight', knit: 'whether it is knitted or crocheted', knitToShape: 'whether it is knit to shape',
  gender: "whose garment it is (men's or boys', women's or girls')", retail: 'whether it is put up for retail sale', state: 'its state (fresh, chilled, frozen, dried...)',
  power: 'how it is powered', measure: 'the measure', assembled: 'whether it is assembled', use: 'its use',
};

export const dotted = (hs6: string) => `${hs6.slice(0, 4)}.${hs6.slice(4)}`;

export interface Gri6Outcome {
  /** The subheading GRI 6 puts first (the first candidate, or the peer the stated attributes fit). */
  first: string;
  /** The reasoning step, or null when no attribute separates the subheadings of the group. */
  step: ReasoningStep | null;
  /** The details that would decide between the subheadings, as questions. */
  questions: string[];
  /** The stated attributes that decided, for the candidate. */
  attributes: StatedAttribute[];
  /** The short form for the one-line summary. */
  summary: string;
}

const children = new WeakMap<HsTree, Map<string, HsNode[]>>();
function subheadingsOf(hs: HsTree, heading: string): HsNode[] {
  let map = children.get(hs);
  if (!map) {
    map = new Map();
    for (const n of hs.nodes.values()) {
      if (n.level !== 6 || !n.parent) continue;
      const l = map.get(n.parent);
      if (l) l.push(n);
      else map.set(n.parent, [n]);
    }
    for (const l of map.values()) l.sort((a, b) => a.code.localeCompare(b.code));
    children.set(hs, map);
  }
  return map.get(heading) ?? [];
}

const group = (description: string) => description.split(';')[0].trim().toLowerCase();

/**
 * Only the attribute conditions: the kind of goods between subheadings is the scores' and the rules' call; and
 * the features whose words the description negates ("not decaffeinated" against "Coffee; roasted, decaffeinated").
 */
function attributesOnly(p: ParsedText, a: Attributes): ParsedText {
  return { ...p, conditions: p.conditions.filter((c) => ATTRIBUTE_DIMS.has(c.dim) || (c.dim === 'feature' && c.words!.some((w) => a.negated.has(w)))) };
}

/** Two or more materials share the largest stated percentage. */
function tied(a: Attributes): boolean {
  const shares = a.materials.map((m) => m.percent ?? 0).sort((x, y) => y - x);
  return shares.length > 1 && shares[0] > 0 && shares[0] === shares[1];
}

const cite = (j: Judged) => j.met.map((m) => `${m.condition.phrase} (the description states ${m.stated})`).join('; ');
const failedText = (j: Judged) => j.failed.map((f) => f.condition.phrase).join('; ');

export function gri6(hs: HsTree, ranked: string[], a: Attributes): Gri6Outcome {
  const top = ranked[0];
  const none: Gri6Outcome = { first: top, step: null, questions: [], attributes: [], summary: '' };
  const node = hs.nodes.get(top);
  if (!node?.parent) return none;
  const peers = subheadingsOf(hs, node.parent).filter((n) => group(n.description) === group(node.description));
  if (peers.length < 2) return none;
  const parsed = peers.map((p) => attributesOnly(parseText(p.description), a));
  // Kinds are left out here, so a sibling that fits on attributes may still be other goods: a residual
  // ("n.e.c.") subheading is never excluded because a named one fits.
  const judged = decideSiblings(peers.map((p) => p.description), a, parsed, { residualBySiblings: false });
  // The goods' words of each peer (its text without the attribute phrases): a move stays among peers whose
  // goods words are all in the first candidate's (same goods, other attribute).
  const goods = peers.map((p) => new Set(parseText(p.description).conditions.filter((c) => c.dim === 'kind' || c.dim === 'feature').flatMap((c) => c.words ?? [])));
  if (!judged.some((j) => j.met.length || j.failed.length || j.open.length)) return none;
  const rank = (code: string) => {
    const i = ranked.indexOf(code);
    return i < 0 ? Infinity : i;
  };
  const at = peers.findIndex((p) => p.code === top);
  const tj = judged[at];
  const others = peers.map((p, i) => ({ p, j: judged[i] })).filter((x) => x.p.code !== top);
  const excluded = others.filter((x) => x.j.verdict === 'no');
  const step = (action: ReasoningStep['action'], codes: string[], detail: string): ReasoningStep => ({
    rule: 'gri-6-attributes',
    gri: 'GRI 6',
    action,
    codes,
    citation: 'GRI 6',
    detail,
  });
  const statedOf = (code: string, j: Judged): StatedAttribute[] =>
    j.met.map((m) => ({ level: 'subheading' as const, attribute: m.condition.dim, text: m.condition.phrase, stated: m.stated }));
  const questionsOf = (js: { j: Judged; code: string }[]): string[] => {
    const keys = [...new Set(js.flatMap((x) => x.j.open.map((c) => c.key)))];
    return keys.map((key) => questionFor(key, parsed.flatMap((p) => p.conditions.filter((c) => c.key === key).map((c) => c.phrase))));
  };
  const openNames = (j: Judged) => [...new Set(j.open.map((c) => DIM_NAMES[c.dim] ?? c.dim))].join(' or ');

  if (tj.verdict === 'no') {
    const fits = peers
      .map((p, i) => ({ p, j: judged[i] }))
      .filter((x, i) => x.j.verdict !== 'no' && [...goods[i]].every((w) => goods[at].has(w)))
      .sort((x, y) => (x.j.verdict === 'yes' ? 0 : 1) - (y.j.verdict === 'yes' ? 0 : 1) || rank(x.p.code) - rank(y.p.code) || x.p.code.localeCompare(y.p.code));
    const stated = [...new Set(tj.failed.map((f) => f.stated))].join(', ');
    if (!fits.length) {
      return {
        ...none,
        step: step('include', [top], `GRI 6: the stated attributes (${stated}) fit none of the subheadings of ${dotted(top).slice(0, 4)} as written (${dotted(top)}: ${failedText(tj)}); ${dotted(top)} stays the statistical choice, to be reviewed.`),
        summary: `GRI 6: stated ${stated} fits no subheading`,
      };
    }
    const to = fits[0];
    const why = to.j.verdict === 'yes' && to.j.met.length ? `${dotted(to.p.code)}: ${cite(to.j)}` : `${dotted(to.p.code)} is the subheading of the group the stated attributes do not exclude${fits.length > 1 ? ' that scores best' : ''}`;
    const open = to.j.verdict === 'yes' ? '' : `; the description does not state ${openNames(to.j)}`;
    return {
      first: to.p.code,
      step: step('decide', [to.p.code], `${why}, GRI 6; ${dotted(top)} (${failedText(tj)}) is excluded: the description states ${stated}${open}.`),
      questions: to.j.verdict === 'yes' ? [] : questionsOf([{ j: to.j, code: to.p.code }]),
      attributes: statedOf(to.p.code, to.j),
      summary: `GRI 6: ${dotted(to.p.code)} not ${dotted(top)} (states ${stated})`,
    };
  }
  if (tj.verdict === 'yes') {
    if (!excluded.length && !tj.met.length) return none;
    const ex = excluded.length ? `; excludes ${excluded.slice(0, 4).map((x) => `${dotted(x.p.code)} (${failedText(x.j)})`).join(', ')}${excluded.length > 4 ? ` and ${excluded.length - 4} more` : ''}` : '';
    // Nothing of the first candidate's own text is stated, but the stated attributes exclude its peers.
    const basis = tj.met.length ? cite(tj) : 'the stated attributes exclude none of its terms';
    const short = tj.met.length
      ? tj.met.map((m) => (m.condition.phrase === m.stated ? m.stated : `${m.condition.phrase} (${m.stated})`)).join(', ')
      : `not ${excluded.slice(0, 2).map((x) => dotted(x.p.code)).join(', ')}${excluded.length > 2 ? ' ...' : ''} (${[...new Set(excluded.flatMap((x) => x.j.failed.map((f) => f.stated)))].join(', ')} stated)`;
    return {
      first: top,
      step: step('decide', [top], `${dotted(top)}: ${basis}, GRI 6${ex}.`),
      questions: [],
      attributes: statedOf(top, tj),
      summary: `GRI 6: ${short}`,
    };
  }
  // Unknown: the description does not state what separates the first candidate from its peers. When the
  // first candidate's own text sets no attribute (a kind of its own: "co-axial cable"), attributes do not part them.
  if (!tj.open.length) return none;
  // Equal shares ("50% cotton, 50% polyester") state the material; GRI 3(c) decides between them, not GRI 6.
  if (tied(a) && tj.open.every((c) => c.dim === 'material' || c.dim === 'percent')) return none;
  const rivals = others.filter((x) => x.j.verdict !== 'no');
  const peersText = rivals.slice(0, 3).map((x) => `${dotted(x.p.code)} (${x.j.open.concat(x.j.met.map((m) => m.condition)).map((c) => c.phrase).join('; ') || 'other'})`).join(', ');
  const topText = tj.open.map((c) => c.phrase).concat(tj.met.map((m) => m.condition.phrase)).join('; ');
  const metText = tj.met.length ? ` It states ${tj.met.map((m) => `${m.stated} (${m.condition.phrase})`).join(', ')}.` : '';
  return {
    first: top,
    step: step(
      'prefer',
      [top],
      `GRI 6: the description does not state ${openNames(tj)}, which separates ${dotted(top)} (${topText}) from ${peersText || 'its peers'}; ${dotted(top)} is the statistical choice.${metText}`,
    ),
    questions: questionsOf([{ j: tj, code: top }]),
    attributes: statedOf(top, tj),
    summary: `GRI 6: ${openNames(tj)} not stated`,
  };
}

/**
 * Puts `first` at the head of a ranked list, within the same heading: it takes the first place's score
 * and the former first takes its place (or, when `first` was not short-listed, the place just above the
 * second). `make` builds the entry of a code that is not in the list; null when it cannot.
 */
export function putFirst<T extends { hs6: string; score: number }>(list: T[], first: string, make: (hs6: string, score: number) => T | null): T[] {
  if (!list.length || list[0].hs6 === first) return list;
  const out = list.slice();
  const i = out.findIndex((c) => c.hs6 === first);
  const topScore = out[0].score;
  if (i > 0) {
    out[0] = { ...out[0], score: out[i].score };
    out[i] = { ...out[i], score: topScore };
  } else {
    const made = make(first, topScore);
    if (!made) return list;
    const below = out.length > 1 ? out[1].score + 1e-6 : topScore - 1;
    out[0] = { ...out[0], score: Math.min(topScore - 1e-6, below) };
    out.unshift(made);
  }
  return out.sort((x, y) => y.score - x.score);
}

/** Adds the GRI 6 outcome to the first candidate (questions, attributes) and to the reasoning (one step, before the final decision). */
export function withGri6(first: CandidateResult | undefined, reasoning: Reasoning | undefined, g6: Gri6Outcome): void {
  if (first && first.hs6 === g6.first) {
    if (g6.questions.length) first.questions = [...new Set([...g6.questions, ...(first.questions ?? [])])];
    if (g6.attributes.length) first.attributes = [...g6.attributes, ...(first.attributes ?? [])];
  }
  if (reasoning && g6.step) {
    const at = Math.max(0, reasoning.steps.length - 1);
    reasoning.steps.splice(at, 0, g6.step);
    if (g6.summary) {
      const marker = ', GRI 6 for the subheading';
      reasoning.summary = reasoning.summary.includes(marker) ? reasoning.summary.replace(marker, `, ${g6.summary}`) : `${reasoning.summary}; ${g6.summary}`;
    }
  }
}
