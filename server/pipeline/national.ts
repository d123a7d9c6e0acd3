// Step 6a: the national line under an HS 6 (US HTS 10-digit, EU CN 8-digit), decided by attributes, never
// by text similarity alone. The lines under an HS 6 form a tree of texts ("Of cotton" > "Men's or boys'" >
// "Knit to shape articles..." / "Other"); at each level the siblings' conditions are matched against what
// the description states (attributes.ts). `code` is the national line only when the stated attributes leave
// exactly one line; otherwise it stays the HS 6, and the choice carries
//   - `likely`: the line most labelled examples for such goods use (or else the statistical choice), with why;
//   - `questions`: the missing details, as questions an analyst can answer, from what separates the lines.
import { decideSiblings, questionFor, type Attributes, type Condition, type Judged } from './attributes';
import type { NationalLine } from '../types';

export interface NationalChoice {
  /** The national code, or the HS 6 when the stated attributes do not decide. */
  code: string;
  line: NationalLine | null;
  /** When no line was chosen: what the description would need to say. */
  missingDetail?: string;
  /** When no line was chosen: the line most likely to apply, and why. */
  likely?: { code: string; basis: string };
  /** When no line was chosen: the details that would decide, as questions. */
  questions?: string[];
  /** When a line was chosen among several: the official texts the description meets, with what it states. */
  decidedBy?: { attribute: string; text: string; stated: string }[];
}

export interface NationalOptions {
  /** Least text similarity for the statistical choice of a likely line. */
  minScore: number;
  /** Least lead of that line over the second. */
  margin: number;
}

/** What, besides the attributes, can point to a likely line. */
export interface NationalEvidence {
  /** Text similarity of each line to the description, in the order of `lines`. */
  similarity: number[];
  /** Labelled examples under this HS 6 with a national code (similarity 0 when they share no term). */
  examples: { code: string; source: string; similarity: number; ruling?: string }[];
}

/** The parts of each line's path after the part all of them share. */
export function distinguishing(lines: NationalLine[]): string[][] {
  let common = 0;
  const minLen = Math.min(...lines.map((l) => l.path.length));
  while (common < minLen - 1 && lines.every((l) => l.path[common] === lines[0].path[common])) common++;
  return lines.map((l) => {
    const rest = l.path.slice(common);
    return rest.length ? rest : [l.description];
  });
}

const clean = (s: string) => s.replace(/\s*\(\d{3}\)\s*$/, '').replace(/\s+/g, ' ').trim();
const short = (s: string, n = 90) => (s.length > n ? `${s.slice(0, n - 3)}...` : s);
const dotted = (code: string) =>
  code.length === 6 ? `${code.slice(0, 4)}.${code.slice(4)}` : code.length === 8 ? `${code.slice(0, 4)}.${code.slice(4, 6)}.${code.slice(6)}` : `${code.slice(0, 4)}.${code.slice(4, 6)}.${code.slice(6)}`;

interface Level {
  depth: number;
  /** The sibling texts at this level, and the lines under each. */
  texts: string[];
  members: number[][];
  judged: Judged[];
}

/** Walks the tree of line texts, judging each level's siblings against the attributes. */
function judgeTree(segs: string[][], a: Attributes): { verdicts: (Judged & { text: string })[][]; levels: Level[] } {
  const verdicts: (Judged & { text: string })[][] = segs.map(() => []);
  const levels: Level[] = [];
  const walk = (ids: number[], depth: number) => {
    const groups = new Map<string, number[]>();
    for (const i of ids) {
      if (segs[i].length <= depth) continue;
      const key = segs[i][depth];
      const g = groups.get(key);
      if (g) g.push(i);
      else groups.set(key, [i]);
    }
    if (!groups.size) return;
    const texts = [...groups.keys()];
    const members = [...groups.values()];
    if (texts.length > 1) {
      const judged = decideSiblings(texts, a);
      levels.push({ depth, texts, members, judged });
      members.forEach((m, k) => m.forEach((i) => verdicts[i].push({ ...judged[k], text: texts[k] })));
    }
    for (const m of members) walk(m, depth + 1);
  };
  walk(segs.map((_, i) => i), 0);
  return { verdicts, levels };
}

const lineVerdict = (js: Judged[]) => (js.some((j) => j.verdict === 'no') ? 'no' : js.every((j) => j.verdict === 'yes') ? 'yes' : 'unknown');

const ATTRIBUTE_DIMS = new Set(['material', 'percent', 'knit', 'knitToShape', 'gender', 'retail', 'state', 'power', 'measure', 'assembled', 'use']);

/** Questions from the open conditions of the levels where the remaining lines part. */
function questionsFor(levels: Level[], remaining: Set<number>): string[] {
  const out: string[] = [];
  for (const lv of [...levels].sort((x, y) => x.depth - y.depth)) {
    const live = lv.members.map((m) => m.some((i) => remaining.has(i)));
    if (live.filter(Boolean).length < 2) continue;
    const byKey = new Map<string, string[]>();
    const add = (key: string, phrase: string) => {
      const l = byKey.get(key);
      if (l) l.push(phrase);
      else byKey.set(key, [phrase]);
    };
    lv.judged.forEach((j, k) => {
      if (!live[k]) return;
      // A text with details the description does not mention is asked as a whole ("Is it <text>?").
      if (j.open.some((c) => c.dim === 'feature')) add(`feature:${lv.texts[k]}`, clean(lv.texts[k]));
      else for (const c of j.open) add(c.key, c.dim === 'kind' ? clean(lv.texts[k]) : c.phrase);
    });
    // The choices of a question are all the live siblings' texts for that attribute, not only the open ones.
    for (const [key, phrases] of byKey) {
      if (!key.startsWith('feature:')) {
        lv.judged.forEach((j, k) => {
          if (!live[k]) return;
          for (const c of [...j.met.map((m) => m.condition), ...j.open] as Condition[]) if (c.key === key) phrases.push(c.dim === 'kind' ? clean(lv.texts[k]) : c.phrase);
        });
        if (key === 'kind') lv.judged.forEach((j, k) => live[k] && j.residual && !j.met.length && !j.open.length && phrases.push(clean(lv.texts[k])));
      }
      out.push(questionFor(key, phrases));
    }
  }
  return [...new Set(out)];
}

function likelyLine(hs6: string, lines: NationalLine[], cands: number[], ev: NationalEvidence, opts: NationalOptions, missing: string): { code: string; basis: string } {
  const matches = (line: NationalLine, code: string) => code.length >= 8 && (line.code.startsWith(code) || code.startsWith(line.code));
  const vote = (exs: NationalEvidence['examples'], weight: (e: NationalEvidence['examples'][number]) => number) => {
    const score = new Map<number, number>();
    const voters = new Map<number, typeof exs>();
    for (const e of exs) {
      const hit = cands.filter((i) => matches(lines[i], e.code));
      for (const i of hit) {
        score.set(i, (score.get(i) ?? 0) + weight(e) / hit.length);
        voters.set(i, [...(voters.get(i) ?? []), e]);
      }
    }
    const best = [...score.entries()].sort((x, y) => y[1] - x[1] || lines[x[0]].code.localeCompare(lines[y[0]].code))[0];
    const total = new Set(exs.filter((e) => cands.some((i) => matches(lines[i], e.code)))).size;
    return best ? { i: best[0], voters: voters.get(best[0])!, total } : null;
  };
  const sources = (exs: NationalEvidence['examples']) => [...new Set(exs.map((e) => (e.source === 'cross' ? 'CROSS rulings' : e.source === 'atlas' ? 'CBP ruling descriptions' : e.source === 'uk-parcel' ? 'UK parcel lines' : 'UK glossary')))].join(', ');
  const rulings = (exs: NationalEvidence['examples']) => {
    const r = [...new Set(exs.map((e) => e.ruling).filter(Boolean))].slice(0, 2);
    return r.length ? `, e.g. ${r.join(', ')}` : '';
  };
  const near = vote(ev.examples.filter((e) => e.similarity > 0), (e) => e.similarity);
  if (near) {
    return {
      code: lines[near.i].code,
      basis: `${near.voters.length} of the ${near.total} labelled examples similar to the description under ${dotted(hs6)} (${sources(near.voters)}) use this line${rulings(near.voters)}; ${missing}`,
    };
  }
  const all = vote(ev.examples, () => 1);
  if (all) {
    return {
      code: lines[all.i].code,
      basis: `${all.voters.length} of the ${all.total} labelled examples under ${dotted(hs6)} (${sources(all.voters)}) use this line${rulings(all.voters)}, though none is close to this description; ${missing}`,
    };
  }
  const bySim = [...cands].sort((x, y) => ev.similarity[y] - ev.similarity[x] || lines[x].code.localeCompare(lines[y].code));
  const [b, s] = bySim;
  const lead = ev.similarity[b] - (s === undefined ? 0 : ev.similarity[s]);
  if (ev.similarity[b] > 0) {
    const strength = ev.similarity[b] >= opts.minScore && lead >= opts.margin ? 'clearly ' : '';
    return {
      code: lines[b].code,
      basis: `statistical choice: no labelled example uses these lines; its text is ${strength}the closest to the description (similarity ${ev.similarity[b].toFixed(2)}), which text similarity alone cannot decide; ${missing}`,
    };
  }
  return {
    code: lines[cands[0]].code,
    basis: `no labelled example and no word of the description separates the lines left: the first of them in the tariff; ${missing}`,
  };
}

const DIM_NAMES: Record<string, string> = {
  material: 'the material', percent: 'the composition by weight', knit: 'whether it is knitted', knitToShape: 'whether it is knit to shape',
  gender: "whose garment it is (men's, women's...)", retail: 'whether it is put up for retail sale', state: 'its state (fresh, frozen, dried...)',
  power: 'how it is powered', measure: 'the measure the lines turn on', assembled: 'whether it is assembled', use: 'its use',
  kind: 'which of the goods the lines name it is', feature: 'details the lines name',
};

export function chooseNational(hs6: string, lines: NationalLine[], a: Attributes, ev: NationalEvidence, opts: NationalOptions): NationalChoice {
  if (lines.length === 0) return { code: hs6, line: null, missingDetail: 'no national line under this subheading' };
  if (lines.length === 1) return { code: lines[0].code, line: lines[0] };
  const segs = distinguishing(lines);
  const { verdicts, levels } = judgeTree(segs, a);
  const verdict = verdicts.map(lineVerdict);
  let remaining = lines.map((_, i) => i).filter((i) => verdict[i] !== 'no');
  const excludedAll = remaining.length === 0;
  if (excludedAll) remaining = lines.map((_, i) => i);
  if (remaining.length === 1) {
    const i = remaining[0];
    // Cited in the tariff's own words: the texts the line meets, and "not <text>" for the siblings excluded.
    const decidedBy: NonNullable<NationalChoice['decidedBy']> = [];
    for (const j of verdicts[i]) {
      const met = j.met.filter((m) => m.condition.dim !== 'feature');
      if (met.length) decidedBy.push({ attribute: met.map((m) => m.condition.dim).join(', '), text: clean(j.text), stated: met.map((m) => m.stated).join(', ') });
    }
    for (const lv of levels) {
      lv.judged.forEach((j, k) => {
        if (lv.members[k].includes(i)) return;
        const f = j.failed.find((x) => x.condition.key !== 'residual' && x.condition.dim !== 'kind');
        if (f && !decidedBy.some((d) => d.attribute.split(', ').includes(f.condition.dim))) decidedBy.push({ attribute: f.condition.dim, text: `not ${clean(lv.texts[k])}`, stated: f.stated });
      });
    }
    return { code: lines[i].code, line: lines[i], decidedBy };
  }
  const set = new Set(remaining);
  let questions = questionsFor(levels, set);
  // Lines whose texts here are the same (the EU data lacks the CN's dash levels) cannot be told apart by any answer.
  const same = new Map<string, number[]>();
  for (const i of remaining) same.set(segs[i].join(' > '), [...(same.get(segs[i].join(' > ')) ?? []), i]);
  for (const g of same.values()) {
    if (g.length > 1) questions.push(`Which of ${g.map((i) => dotted(lines[i].code)).join(', ')} applies? Their texts here are the same (${short(clean(segs[g[0]].join(' > ')), 60)}).`);
  }
  questions = [...new Set(questions)].slice(0, 4);
  const openDims = [...new Set(remaining.flatMap((i) => verdicts[i].flatMap((j) => j.open.map((c) => c.dim))))];
  const named = openDims.filter((d) => ATTRIBUTE_DIMS.has(d)).concat(openDims.filter((d) => !ATTRIBUTE_DIMS.has(d)));
  const missing = excludedAll
    ? 'the stated attributes fit none of the lines as written'
    : `the description does not state ${named.map((d) => DIM_NAMES[d]).join(', ') || 'what separates them'}`;
  const options = [...new Set(remaining.map((i) => short(segs[i].map(clean).join(' > '), 70)))];
  const list = options.slice(0, 3).join('; ') + (options.length > 3 ? `; and ${options.length - 3} more` : '');
  return {
    code: hs6,
    line: null,
    missingDetail: `the description does not say which of ${remaining.length} national lines applies (${missing.replace(/^the description does not state /, 'missing: ')}): ${list}`,
    likely: likelyLine(hs6, lines, remaining, ev, opts, missing),
    questions,
  };
}
