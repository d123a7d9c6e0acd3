// Step 4: apply the rules (GRIs, Section and Chapter Notes) to the ranked candidates. The law overrules
// the statistics: a code a Note excludes leaves the list and no later rule or score brings it back.
// json-rules-engine decides which rules fire; only rules whose trigger words (or required flags) are
// present are handed to it, so a row that no rule concerns costs almost nothing.
import { Engine, type RuleProperties } from 'json-rules-engine';
import type { Facts } from '../rules/facts';
import { EXCLUDE_SELECTORS, type Action, type LoadedRule, type RuleSet } from '../rules/load';
import { headKey } from './head';

export interface Step {
  rule: string;
  gri: string;
  action: Action;
  codes: string[];
  citation: string;
  detail: string;
}

export interface RankedCode {
  hs6: string;
  score: number;
  /** Row in the short list, so the explanation can find its signals. */
  row: number;
}

export interface RulesOutcome {
  candidates: RankedCode[];
  steps: Step[];
  /** The rule whose action put the first candidate first, if any (the last that changed it). */
  decidedBy: Step | null;
  /** The rule that decided the heading (a Note, GRI 1 terms, GRI 2-5), if any: decidedBy unless that is GRI 6. */
  headingBy: Step | null;
  excluded: string[];
}

function mentions(tokens: string[], phrase: string[]): boolean {
  outer: for (let i = 0; i + phrase.length <= tokens.length; i++) {
    for (let j = 0; j < phrase.length; j++) if (tokens[i + j] !== phrase[j]) continue outer;
    return true;
  }
  return false;
}

/** The rules that can fire for these facts: trigger words present, required flags true. */
export function triggeredRules(set: RuleSet, facts: Omit<Facts, 'chapters' | 'headings'>): LoadedRule[] {
  const tokens = facts.text.tokens;
  const out = new Set<LoadedRule>();
  for (const t of new Set(tokens)) {
    for (const r of set.byStem.get(t) ?? []) if (r.triggerPhrases!.some((p) => mentions(tokens, p))) out.add(r);
  }
  for (const r of set.always) out.add(r);
  const on = (f: string) => facts[f as keyof typeof facts] === true;
  return [...out].filter((r) => r.triggerFlags.every(on) && (r.triggerAnyFlags.length === 0 || r.triggerAnyFlags.some(on)));
}

/** Codes the triggered rules may add, so the short list can include their best subheadings. */
export function pointedCodes(rules: LoadedRule[]): string[] {
  const p = rules.flatMap((r) => [...(r.json.event.params.include ?? []), ...(r.json.event.params.prefer ?? []), ...(r.json.event.params.decide ?? [])]);
  return [...new Set(p)].filter((c) => /^\d+$/.test(c));
}

/** What the rules need to know about a candidate beyond its code. */
export interface RuleContext {
  /** Whether the subheading's official text covers the description's chief material. */
  coversChiefMaterial: (hs6: string) => boolean;
  /** Whether it covers one of the materials tied for the largest share. */
  coversTiedMaterial: (hs6: string) => boolean;
  /** How many of the ranked codes count as the best few. */
  head: number;
  /** Section of a code (Roman numeral), to keep material choices inside the first candidate's section. */
  sectionOf?: (hs6: string) => string;
  /** Why the terms of a heading (4 digits) or subheading (6) cannot fit the stated material, or null. */
  materialConflict?: (code: string) => string | null;
  /** Whether the subheading's heading names the goods by the description's head noun (head.ts), and it covers the goods, not their parts. */
  namesHead?: (hs6: string) => boolean;
}



/** Runs the triggered rules through json-rules-engine; returns those that fired, in GRI order. */
export async function fireRules(set: RuleSet, rules: LoadedRule[], facts: Facts): Promise<LoadedRule[]> {
  if (!rules.length) return [];
  const engine = new Engine([], { allowUndefinedFacts: false });
  const phrase = (p: string) => set.phraseStems.get(p) ?? [];
  engine.addOperator('mentionsAny', (text: Facts['text'], phrases: string[]) => phrases.some((p) => mentions(text.tokens, phrase(p))));
  engine.addOperator('mentionsNone', (text: Facts['text'], phrases: string[]) => !phrases.some((p) => mentions(text.tokens, phrase(p))));
  // the goods' own noun: "bolts" and "bolt" name the same goods
  engine.addOperator('namedAny', (head: Facts['head'], nouns: string[]) => head !== '' && nouns.some((n) => headKey(n) === head));
  engine.addOperator('namedNone', (head: Facts['head'], nouns: string[]) => !nouns.some((n) => headKey(n) === head));
  for (const r of rules) engine.addRule(structuredClone(r.json) as unknown as RuleProperties);
  const { results } = await engine.run({ ...facts });
  const fired = new Set(results.map((r) => r.name));
  return rules
    .filter((r) => fired.has(r.json.name))
    .sort((a, b) => b.json.priority - a.json.priority || a.json.name.localeCompare(b.json.name));
}

const under = (hs6: string, codes: string[]) => codes.some((c) => hs6.startsWith(c));

/**
 * Applies the fired rules in order to the ranked codes. `promotion` is how far above the best remaining
 * score a code that a rule puts first is placed.
 */
export function applyRules(fired: LoadedRule[], ranked: RankedCode[], promotion: number, ctx: RuleContext): RulesOutcome {
  let list = ranked.slice();
  const excluded: string[] = [];
  const steps: Step[] = [];
  let decidedBy: Step | null = null;
  let headingBy: Step | null = null;
  /** The candidates a code or selector names: the best one under each code, or every one a selector names. */
  const named = (codes: string[], gri: string): RankedCode[] => {
    let live = list.filter((c) => !under(c.hs6, excluded));
    // GRI 6 compares subheadings of one heading; a material choice stays in the first candidate's section
    // (Section XI Note 2 concerns textiles, not a plastics article that happens to share a word).
    const first: RankedCode | undefined = live[0];
    if (first && gri === 'GRI 6') live = live.filter((c) => c.hs6.slice(0, 4) === first.hs6.slice(0, 4));
    const out = new Set<RankedCode>();
    for (const code of codes) {
      if (code === 'first') {
        if (live[0]) out.add(live[0]);
      } else if (code === 'chief-material') {
        const section = ctx.sectionOf;
        live.filter((c) => ctx.coversChiefMaterial(c.hs6) && (!section || !first || section(c.hs6) === section(first.hs6))).forEach((c) => out.add(c));
      } else if (code === 'named-heading') {
        live.filter((c) => ctx.namesHead?.(c.hs6)).forEach((c) => out.add(c));
      } else if (code === 'last-tied-material') {
        // "Among those which equally merit consideration" (Section XI Note 2(A), Subheading Note 2(A)): the
        // yarns and fabrics of chapters 50-55, whose headings differ by material; other goods, the subheadings
        // of the first candidate's heading (a cotton-polyester T-shirt stays in 6109, not 6307 or 6505).
        const textile = (c: RankedCode) => c.hs6 >= '50' && c.hs6 < '56';
        const equal = (c: RankedCode) => (first && textile(first) ? textile(c) : c.hs6.slice(0, 4) === first?.hs6.slice(0, 4));
        const last = live.filter((c) => equal(c) && ctx.coversTiedMaterial(c.hs6)).sort((a, b) => b.hs6.localeCompare(a.hs6))[0];
        if (last) out.add(last);
      }
      else {
        const best = live.filter((c) => c.hs6.startsWith(code)).sort((a, b) => b.score - a.score)[0];
        if (best) out.add(best);
      }
    }
    return [...out];
  };
  /**
   * Puts the named candidates first: those of the description's chief material before the others (goods
   * a Note sends elsewhere go "according to their constituent material"), then by score.
   */
  const promote = (codes: string[], step: Step) => {
    const material = (c: RankedCode) => (ctx.coversChiefMaterial(c.hs6) ? 1 : 0);
    const pick = named(codes, step.gri).sort((a, b) => material(b) - material(a) || b.score - a.score);
    if (!pick.length) return [];
    // The picks keep the gaps between their own scores (so their confidences differ as their evidence does),
    // squeezed into the upper half of the promotion so that every pick stays above every other candidate.
    const best = Math.max(...list.map((c) => c.score));
    const gaps = pick.map((c, i) => (i === 0 ? 0 : Math.max(1e-6, Math.abs(pick[i - 1].score - c.score))));
    const span = gaps.reduce((a, b) => a + b, 0);
    const scale = span > promotion / 2 ? promotion / 2 / span : 1;
    let at = best + promotion;
    pick.forEach((c, i) => (c.score = at -= gaps[i] * scale));
    list.sort((a, b) => b.score - a.score);
    return pick;
  };
  /** The codes an exclude selector names among the live candidates, with why. */
  const conflicting = (selector: string): { codes: string[]; why: string[] } => {
    const level = selector === 'material-conflict-heading' ? 4 : 6;
    const codes: string[] = [];
    const why: string[] = [];
    if (!ctx.materialConflict) return { codes, why };
    for (const c of list) {
      const code = c.hs6.slice(0, level);
      if (codes.includes(code) || under(c.hs6, excluded)) continue;
      const reason = ctx.materialConflict(code);
      if (reason) {
        codes.push(code);
        why.push(`${code}: ${reason}`);
      }
    }
    // never empty the list: when every candidate conflicts, the stated material is not telling them apart
    if (list.every((c) => under(c.hs6, [...excluded, ...codes]))) return { codes: [], why: [] };
    return { codes, why };
  };
  const decide = (step: Step) => {
    decidedBy = step;
    if (step.gri !== 'GRI 6') headingBy = step;
  };
  for (const r of fired) {
    const { type } = r.json.event;
    const p = r.json.event.params;
    const step: Step = { rule: r.json.name, gri: p.gri, action: type, codes: [], citation: p.citation, detail: p.detail };
    const before = list[0];
    if (type === 'exclude') {
      let codes = p.exclude!.filter((c) => !(EXCLUDE_SELECTORS as readonly string[]).includes(c));
      for (const sel of p.exclude!.filter((c) => (EXCLUDE_SELECTORS as readonly string[]).includes(c))) {
        const found = conflicting(sel);
        codes = [...codes, ...found.codes];
        if (found.why.length) step.detail = `${p.detail} ${found.why.join('; ')}.`;
      }
      const removed = list.filter((c) => under(c.hs6, codes));
      if (!removed.length) continue; // it removed nothing: it was not applied
      excluded.push(...codes);
      list = list.filter((c) => !under(c.hs6, codes));
      step.codes = codes.slice();
      // The Note names where the goods go. Its headings come first when the rule was reviewed as
      // identifying the goods (decisive), when it removed the first candidate, or when one of them was
      // already among the best few; otherwise they are only added, so a loose match of the Note's
      // words cannot push a far-off code.
      if (removed.length && p.include?.length) {
        step.codes.push(...p.include);
        const plausible = ranked.slice(0, ctx.head).some((c) => under(c.hs6, p.include!) && !under(c.hs6, excluded));
        if (p.decisive || removed.includes(before) || plausible) {
          // a Note that removes a contender and names where the goods go decides, even when its heading led already
          if (promote(p.include, step).includes(list[0])) decide(step);
        }
      }
      if (removed.includes(before) && list[0] !== before && decidedBy !== step) decide(step);
      // GRI 2(a) and 5 name the rule the goods are classified under (a case goes with its article) whenever
      // they removed a contender, unless a Note decided already
      else if (/^GRI [25]/.test(step.gri) && !decidedBy) decide(step);
    } else {
      const codes = (p[type] ?? []).filter((c) => !under(c, excluded));
      const picked = type === 'include' ? [] : promote(codes, step);
      step.codes = type === 'include' ? codes : picked.map((c) => c.hs6);
      if (!step.codes.length) continue; // nothing it names is among the candidates: it changed nothing
      // `decide` names the rule under which the first candidate is classified (GRI 2(a), 3(b) sets, 5);
      // `prefer` decides only when it changed the first candidate
      if (type === 'decide' ? picked.includes(list[0]) : list[0] !== before && picked.includes(list[0])) decide(step);
    }
    steps.push(step);
  }
  return { candidates: list, steps, decidedBy, headingBy, excluded };
}
