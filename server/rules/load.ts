// Loads and validates the rule files in rules/ at start-up. Any problem (unreadable JSON, an unknown
// fact or operator, a bad event, a code that is not digits, a duplicate id, a priority outside its GRI
// band) stops start-up with a message naming the file and the rule.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Rule } from 'json-rules-engine';
import { normalise } from '../pipeline/normalise';
import { FACT_KINDS } from './facts';

export const RULES_DIR = path.resolve(__dirname, '..', '..', 'rules');

/** GRIs in the order they apply, with the priority band of their rules (highest first). */
export const GRI_BANDS: Record<string, [number, number]> = {
  'GRI 1': [90, 100],
  'GRI 2(a)': [80, 89],
  'GRI 2(b)': [75, 79],
  'GRI 3(a)': [70, 74],
  'GRI 3(b)': [65, 69],
  'GRI 3(c)': [60, 64],
  'GRI 4': [50, 59],
  'GRI 5(a)': [45, 49],
  'GRI 5(b)': [40, 44],
  'GRI 6': [30, 39],
};
export const ACTIONS = ['exclude', 'include', 'prefer', 'decide'] as const;
export type Action = (typeof ACTIONS)[number];
/**
 * Besides codes, `prefer` and `decide` may name candidates by what they are: `first` (the current first
 * candidate), `chief-material` (the candidates whose subheading text covers the chief material),
 * `last-tied-material` (of the candidates covering one of the materials tied for the largest share and
 * equally meriting consideration, the one that occurs last in numerical order) or `named-heading` (the candidates whose heading's own terms name
 * the goods by the description's head noun, pipeline/head.ts: "cables" and 8544).
 */
export const SELECTORS = ['first', 'chief-material', 'last-tied-material', 'named-heading'] as const;
/**
 * `exclude` may name, besides codes, `material-conflict-heading` (the headings whose terms name only
 * materials other than the one the goods are stated to be of, or exclude it) and
 * `material-conflict-subheading` (the same for subheadings).
 */
export const EXCLUDE_SELECTORS = ['material-conflict-heading', 'material-conflict-subheading'] as const;
export const TEXT_OPERATORS = ['mentionsAny', 'mentionsNone'];
const OPERATORS: Record<string, string[]> = {
  text: TEXT_OPERATORS,
  codes: ['contains', 'doesNotContain'],
  strings: ['contains', 'doesNotContain'],
  string: ['equal', 'notEqual', 'in', 'notIn'],
  boolean: ['equal', 'notEqual'],
  noun: ['namedAny', 'namedNone'],
};

export class RuleError extends Error {
  constructor(
    public file: string,
    public problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'RuleError';
  }
}

export interface RuleParams {
  gri: string;
  citation: string;
  detail: string;
  exclude?: string[];
  include?: string[];
  prefer?: string[];
  decide?: string[];
  /**
   * Reviewed as identifying the goods: the headings an `exclude` points to come first whenever the rule
   * fires. Otherwise they come first only when the rule removed the first candidate or one of them was
   * already among the best few.
   */
  decisive?: boolean;
}

export interface RuleJson {
  name: string;
  priority: number;
  conditions: Record<string, unknown>;
  event: { type: Action; params: RuleParams };
}

export interface LoadedRule {
  json: RuleJson;
  file: string;
  /** Stems of the phrases of a top-level `text mentionsAny` condition: the rule can only fire when one is present. */
  triggerPhrases: string[][] | null;
  /** Boolean facts a top-level condition requires to be true. */
  triggerFlags: string[];
  /** Boolean facts of which a top-level `any` needs one to be true (empty when the rule has no such `any`). */
  triggerAnyFlags: string[];
}

export interface RuleSet {
  rules: LoadedRule[];
  /** First stem of a trigger phrase -> rules it may fire. */
  byStem: Map<string, LoadedRule[]>;
  /** Rules with no text trigger: checked on every row. */
  always: LoadedRule[];
  /** Stems of every phrase used by a text operator. */
  phraseStems: Map<string, string[]>;
  /** Content hash of all rule files. */
  version: string;
}

const NAME = /^[a-z0-9][a-z0-9().-]*$/;
const CODE = /^\d{2}(\d{2}(\d{2})?)?$/;

function leafConditions(node: unknown, where: string, file: string, out: Record<string, unknown>[]): void {
  if (!node || typeof node !== 'object') throw new RuleError(file, `${where}: a condition must be an object`);
  const n = node as Record<string, unknown>;
  const groups = ['all', 'any', 'not'].filter((k) => k in n);
  if (groups.length > 1) throw new RuleError(file, `${where}: a condition has more than one of all/any/not`);
  if (groups.length === 1) {
    const g = groups[0];
    const children = g === 'not' ? [n.not] : n[g];
    if (!Array.isArray(children) || children.length === 0) throw new RuleError(file, `${where}: "${g}" needs a non-empty list`);
    children.forEach((c, i) => leafConditions(c, `${where}.${g}[${i}]`, file, out));
    return;
  }
  const { fact, operator, value } = n;
  if (typeof fact !== 'string' || !(fact in FACT_KINDS)) {
    throw new RuleError(file, `${where}: unknown fact ${JSON.stringify(fact)} (known: ${Object.keys(FACT_KINDS).join(', ')})`);
  }
  const kind = FACT_KINDS[fact as keyof typeof FACT_KINDS];
  if (typeof operator !== 'string' || !OPERATORS[kind].includes(operator)) {
    throw new RuleError(file, `${where}: bad operator ${JSON.stringify(operator)} for fact "${fact}" (allowed: ${OPERATORS[kind].join(', ')})`);
  }
  if (kind === 'text' && (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== 'string' || !v.trim()))) {
    throw new RuleError(file, `${where}: "${operator}" needs a non-empty list of words or phrases`);
  }
  if (kind === 'codes' && (typeof value !== 'string' || !CODE.test(value))) {
    throw new RuleError(file, `${where}: "${fact}" is compared with a code of 2 or 4 digits, got ${JSON.stringify(value)}`);
  }
  if (kind === 'boolean' && typeof value !== 'boolean') throw new RuleError(file, `${where}: "${fact}" is compared with true or false`);
  if (kind === 'noun' && (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== 'string' || !/^[a-z][a-z-]*$/i.test(v)))) {
    throw new RuleError(file, `${where}: "${operator}" needs a non-empty list of single nouns ("bolts", "screw")`);
  }
  out.push(n);
}

function validate(raw: unknown, file: string, index: number): RuleJson {
  const where = `rule ${index + 1}`;
  if (!raw || typeof raw !== 'object') throw new RuleError(file, `${where}: not an object`);
  const r = raw as Record<string, unknown>;
  const name = r.name;
  if (typeof name !== 'string' || !NAME.test(name)) throw new RuleError(file, `${where}: "name" must be a stable id like "ch95-note1-p", got ${JSON.stringify(name)}`);
  const at = `rule "${name}"`;
  const event = r.event as { type?: unknown; params?: Record<string, unknown> } | undefined;
  if (!event || typeof event !== 'object') throw new RuleError(file, `${at}: no event`);
  if (!ACTIONS.includes(event.type as Action)) throw new RuleError(file, `${at}: event type must be one of ${ACTIONS.join(', ')}, got ${JSON.stringify(event.type)}`);
  const p = event.params ?? {};
  if (typeof p.gri !== 'string' || !(p.gri in GRI_BANDS)) throw new RuleError(file, `${at}: params.gri must be one of ${Object.keys(GRI_BANDS).join(', ')}`);
  for (const k of ['citation', 'detail']) {
    if (typeof p[k] !== 'string' || !(p[k] as string).trim()) throw new RuleError(file, `${at}: params.${k} is required`);
  }
  for (const k of ['exclude', 'include', 'prefer', 'decide']) {
    const v = p[k];
    if (v === undefined) continue;
    const ok = (c: unknown) =>
      typeof c === 'string' &&
      (CODE.test(c) ||
        ((k === 'prefer' || k === 'decide') && (SELECTORS as readonly string[]).includes(c)) ||
        (k === 'exclude' && (EXCLUDE_SELECTORS as readonly string[]).includes(c)));
    if (!Array.isArray(v) || !v.every(ok)) {
      const sel = k === 'prefer' || k === 'decide' ? ` or ${SELECTORS.join(', ')}` : k === 'exclude' ? ` or ${EXCLUDE_SELECTORS.join(', ')}` : '';
      throw new RuleError(file, `${at}: params.${k} must be a list of 2-, 4- or 6-digit codes as strings${sel}`);
    }
  }
  const needs: Record<Action, string> = { exclude: 'exclude', include: 'include', prefer: 'prefer', decide: 'decide' };
  const list = p[needs[event.type as Action]];
  if (!Array.isArray(list) || list.length === 0) throw new RuleError(file, `${at}: a "${event.type}" event needs params.${needs[event.type as Action]}`);
  if (p.decisive !== undefined && typeof p.decisive !== 'boolean') throw new RuleError(file, `${at}: params.decisive must be true or false`);
  const [lo, hi] = GRI_BANDS[p.gri as string];
  if (typeof r.priority !== 'number' || r.priority < lo || r.priority > hi) {
    throw new RuleError(file, `${at}: priority must be in the ${p.gri} band ${lo}-${hi}, got ${JSON.stringify(r.priority)}`);
  }
  leafConditions(r.conditions, `${at} conditions`, file, []);
  try {
    new Rule(raw as ConstructorParameters<typeof Rule>[0]);
  } catch (e) {
    throw new RuleError(file, `${at}: json-rules-engine rejects it: ${(e as Error).message}`);
  }
  return raw as RuleJson;
}

function stemsOf(phrase: string): string[] {
  return normalise(phrase).tokens;
}

export function loadRules(dir = process.env.HS_RULES_DIR ?? RULES_DIR): RuleSet {
  const files = ['notes', 'hand']
    .map((sub) => path.join(dir, sub))
    .filter((d) => fs.existsSync(d))
    .flatMap((d) => fs.readdirSync(d).filter((f) => f.endsWith('.json') && f !== 'corrections.json' && f !== 'report.json').sort().map((f) => path.join(d, f)));
  const hash = crypto.createHash('sha256');
  const rules: LoadedRule[] = [];
  const seen = new Map<string, string>();
  const phraseStems = new Map<string, string[]>();
  for (const file of files) {
    const rel = path.relative(dir, file);
    const text = fs.readFileSync(file, 'utf8');
    hash.update(`${rel}\n${text}\n`);
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw new RuleError(rel, `invalid JSON: ${(e as Error).message}`);
    }
    const list = (doc as { rules?: unknown })?.rules;
    if (!Array.isArray(list)) throw new RuleError(rel, 'expected {"rules": [...]}');
    list.forEach((raw, i) => {
      const json = validate(raw, rel, i);
      const other = seen.get(json.name);
      if (other) throw new RuleError(rel, `duplicate rule id "${json.name}" (also in ${other})`);
      seen.set(json.name, rel);
      const leaves: Record<string, unknown>[] = [];
      leafConditions(json.conditions, json.name, rel, leaves);
      for (const l of leaves) {
        if (FACT_KINDS[l.fact as keyof typeof FACT_KINDS] !== 'text') continue;
        for (const phrase of l.value as string[]) {
          const stems = stemsOf(phrase);
          if (!stems.length) throw new RuleError(rel, `rule "${json.name}": the phrase "${phrase}" has no classifying word`);
          phraseStems.set(phrase, stems);
        }
      }
      const top = Array.isArray((json.conditions as { all?: unknown[] }).all) ? ((json.conditions as { all: Record<string, unknown>[] }).all) : [];
      const textTrigger = top.find((c) => c.fact === 'text' && c.operator === 'mentionsAny');
      const anyTop = (json.conditions as { any?: Record<string, unknown>[] }).any;
      const isFlag = (c: Record<string, unknown>) => FACT_KINDS[c.fact as keyof typeof FACT_KINDS] === 'boolean' && c.operator === 'equal' && c.value === true;
      rules.push({
        json,
        file: rel,
        triggerPhrases: textTrigger ? (textTrigger.value as string[]).map((v) => phraseStems.get(v)!) : null,
        triggerFlags: top.filter(isFlag).map((c) => c.fact as string),
        triggerAnyFlags: Array.isArray(anyTop) && anyTop.every(isFlag) ? anyTop.map((c) => c.fact as string) : [],
      });
    });
  }
  const byStem = new Map<string, LoadedRule[]>();
  const always: LoadedRule[] = [];
  for (const r of rules) {
    if (!r.triggerPhrases) {
      always.push(r);
      continue;
    }
    for (const first of new Set(r.triggerPhrases.map((s) => s[0]))) {
      const l = byStem.get(first);
      if (l) l.push(r);
      else byStem.set(first, [r]);
    }
  }
  return { rules, byStem, always, phraseStems, version: hash.digest('hex').slice(0, 16) };
}
