// Serving the classification memory: a description whose memory has an answer (enough approvals, see feedback.ts)
// gets the remembered code first, unless an exclusion rule (a Section or Chapter Note) excludes that code for the
// description: then the statistical answer stands and the row says why the memory was not served.
//
// Confidence and status: the remembered code keeps the model's own calibrated confidence for it (0 when the model
// does not rank it among its candidates): the memory does not make the model surer. The row is `ok` because the
// required number of reviewers confirmed it (FEEDBACK_APPROVALS), and the memory field names them and when.
import { TOP_N, excludedBy, type Engine } from '../classifier';
import { normalise } from '../pipeline/normalise';
import type { AuditStore } from '../audit/store';
import type { CandidateResult, Country, Reasoning, ReasoningStep } from '../types';
import type { ResultRowT } from '../service/schemas';
import { JsonRow } from '../pool';
import type { NationalIndex } from './codes';
import { memoryEvents, memoryStates, type MemoryAnswer } from './feedback';

const dotted = (c: string) => `${c.slice(0, 4)}.${c.slice(4)}`;

function firstCandidate(engine: Pick<Engine, 'ds'>, idx: NationalIndex, row: ResultRowT, a: MemoryAnswer, country: Country | undefined): CandidateResult {
  const hs6 = a.code.slice(0, 6);
  const fromModel = row.candidates.find((c) => c.hs6 === hs6);
  const confidence = fromModel?.confidence ?? 0;
  const base: CandidateResult = fromModel
    ? { ...fromModel, confidence }
    : { hs6, code: hs6, confidence, description: engine.ds.hs.nodes.get(hs6)?.description ?? '', examples: [], rulings: [] };
  if (a.code.length > 6 && a.country !== null && a.country === country) {
    const line = idx[a.country].get(a.code);
    const { missingDetail: _m, likely: _l, questions: _q, ...rest } = base;
    return { ...rest, code: a.code, ...(line ? { nationalDescription: line.fullDescription, unit: line.unit, generalRate: line.generalRate } : {}) };
  }
  if (!fromModel && country) return { ...base, missingDetail: `the classification memory has HS ${hs6} only, not a ${country} national line` };
  return base;
}

function memoryField(a: MemoryAnswer, match: 'exact' | 'near-exact') {
  const l = a.latest;
  return {
    feedback_id: l.feedback_id,
    code: a.code,
    verdict: l.verdict,
    who: l.who,
    at: l.created_at,
    request_id: l.request_id,
    row: l.row,
    match,
    approvals: a.approvals.length,
    confirmed_by: a.approvals,
  };
}

const whoWhen = (a: MemoryAnswer) => a.approvals.map((p) => `${p.who} on ${p.at.slice(0, 10)}`).join(', ');

/** Puts the remembered code first and marks the row (the code is known not to be excluded for the description). */
export function applyMemory(engine: Pick<Engine, 'ds'>, idx: NationalIndex, row: ResultRowT, a: MemoryAnswer, country: Country | undefined): ResultRowT {
  const first = firstCandidate(engine, idx, row, a, country);
  const rest = row.candidates.filter((c) => c.hs6 !== first.hs6);
  const { error: _dropped, ...base } = row;
  const l = a.latest;
  const match = normalise(l.description).text === normalise(row.description ?? '').text ? 'exact' : 'near-exact';
  const step: ReasoningStep = {
    rule: 'classification-memory',
    gri: base.reasoning?.gri ?? 'GRI 1',
    action: 'decide',
    codes: [a.code],
    citation: `Classification memory: feedback ${l.feedback_id}`,
    detail:
      `${l.verdict === 'confirmed' ? 'Confirmed' : 'Corrected'} to ${a.code} for ${match === 'exact' ? 'this description' : `"${l.description}"`} by ${whoWhen(a)} ` +
      `(${a.approvals.length} reviewer${a.approvals.length > 1 ? 's' : ''}; last: request ${l.request_id}, row ${l.row}); no exclusion rule excludes it for this description. ` +
      `Confidence is the model's own for this code.`,
  };
  const reasoning: Reasoning | undefined = base.reasoning && {
    ...base.reasoning,
    steps: [step, ...base.reasoning.steps],
    summary: `${a.code}: ${l.verdict} by ${whoWhen(a)} (${match} match, classification memory); model: ${base.reasoning.summary}`,
  };
  return { ...base, status: 'ok', candidates: [first, ...rest].slice(0, TOP_N), ...(reasoning ? { reasoning } : {}), memory: memoryField(a, match) };
}

/** The row as the model answered it, with why the memory's code was not served. */
export function memoryConflict(row: ResultRowT, a: MemoryAnswer, rule: { rule: string; citation: string; detail: string }): ResultRowT {
  const l = a.latest;
  const match = normalise(l.description).text === normalise(row.description ?? '').text ? 'exact' : 'near-exact';
  const message = `${rule.citation} excludes ${dotted(a.code.slice(0, 6))} for this description (${rule.detail.replace(/\.$/, '')}): the classification memory's ${a.code} (${l.verdict} by ${whoWhen(a)}) is not served`;
  const step: ReasoningStep = { rule: 'classification-memory-conflict', gri: 'GRI 1', action: 'exclude', codes: [a.code], citation: rule.citation, detail: `${message}.` };
  const reasoning: Reasoning | undefined = row.reasoning && {
    ...row.reasoning,
    steps: [step, ...row.reasoning.steps],
    summary: `${row.reasoning.summary}; memory ${a.code} not served (${rule.citation})`,
  };
  return { ...row, ...(reasoning ? { reasoning } : {}), memory: { ...memoryField(a, match), served: false, conflict: { rule: rule.rule, citation: rule.citation, detail: message } } };
}

/** What the memory's Note check and its answers need: the rules and the reference data (an engine has both). */
export type MemoryContext = Pick<Engine, 'ds' | 'rules'>;

/** The memory's answers for the given keys ('' for none): key -> answer, for the keys it answers. */
export async function memoryAnswers(store: AuditStore, keys: string[], approvals: number): Promise<Map<string, MemoryAnswer>> {
  const wanted = [...new Set(keys.filter((k) => k !== ''))];
  const out = new Map<string, MemoryAnswer>();
  if (wanted.length === 0) return out;
  for (const [k, st] of memoryStates(memoryEvents(await store.readFeedback({ keys: wanted })), approvals)) if (st.answer) out.set(k, st.answer);
  return out;
}

/** One classified row with the memory's answer: served, or (when a Note excludes its code for the description) not, saying why. */
export async function rememberRow(ctx: MemoryContext, idx: NationalIndex, row: ResultRowT, a: MemoryAnswer, country: Country | undefined): Promise<ResultRowT> {
  const rule = await excludedBy(ctx, row.description ?? '', a.code);
  return rule ? memoryConflict(row, a, rule) : applyMemory(ctx, idx, row, a, country);
}

/**
 * Applies the memory to classified rows: `keys[i]` is row i's memory key ('' for none). Reads the events of those
 * keys only; a withdrawn event does not count; `approvals` reviewers must agree. Only the rows the memory answers
 * are parsed.
 */
export async function rememberRows(
  ctx: MemoryContext,
  idx: NationalIndex,
  store: AuditStore,
  rows: JsonRow<ResultRowT>[],
  keys: string[],
  country: Country | undefined,
  approvals: number,
): Promise<JsonRow<ResultRowT>[]> {
  const answers = await memoryAnswers(store, keys, approvals);
  if (answers.size === 0) return rows;
  return Promise.all(
    rows.map(async (text, i) => {
      const a = keys[i] ? answers.get(keys[i]) : undefined;
      if (!a) return text;
      const row = text.row;
      if (!row.description) return text;
      return JsonRow.of(await rememberRow(ctx, idx, row, a, country));
    }),
  );
}
