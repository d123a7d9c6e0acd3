// Row processing for the service: input cleaning, the classification memory (analyst feedback) and the engine.
import { TOP_N, type Engine } from '../classifier';
import { cutCodePoints, tooLong } from '../pipeline/description';
import { CHUNK_ROWS, type RowClassifier } from '../pool';
import { normalise } from '../pipeline/normalise';
import type { CandidateResult, ClassificationResult, Country, NationalLine, Reasoning, ReasoningStep } from '../types';
import type { AuditStore } from '../audit/store';
import type { ResultRowT } from './schemas';

/**
 * Text as the engine should see it: well-formed Unicode, tabs and line breaks turned into spaces, every other
 * control character removed, outer blanks trimmed. Numbers become their text; null stays null.
 */
export function cleanDescription(v: string | number | null): string | null {
  if (v === null) return null;
  const s = String(v)
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/[\t\n\r\v\f\u0085\u2028\u2029]/g, ' ')
    .replace(/\p{Cc}/gu, '')
    .trim();
  return s;
}

/** The key under which analyst feedback is remembered: the normaliser's cleaned text. */
/**
 * The classification memory matches near-exactly: the same classifying words, whatever their order,
 * case, plural, punctuation, SKUs, prices or quantities ("Men's T-Shirts cotton, 12 pcs" matches
 * "mens cotton t-shirt"). Whether the match was also exact is told apart in the row's `memory.match`.
 */
export function memoryKey(description: string): string {
  return [...new Set(normalise(cutCodePoints(description)).tokens)].sort().join(' ');
}

/** A stored feedback record (the payload of a 'feedback' chain record). */
export interface FeedbackPayload {
  feedback_id: string;
  request_id: string;
  row: number;
  description: string;
  code: string;
  /** The country whose national line `code` is, when it has more than 6 digits. */
  country: Country | null;
  verdict: 'confirmed' | 'corrected';
  previous_code: string | null;
  who: string;
  comment: string | null;
  created_at: string;
}

export interface NationalIndex {
  US: Map<string, NationalLine>;
  EU: Map<string, NationalLine>;
}

export function nationalIndex(engine: Engine): NationalIndex {
  return { US: new Map(engine.ds.us.map((l) => [l.code, l])), EU: new Map(engine.ds.eu.map((l) => [l.code, l])) };
}

/** The country whose tariff has this 8/10-digit line (EU first for 8 digits), or null when neither has it. */
export function nationalCountry(idx: NationalIndex, code: string): Country | null {
  if (code.length === 10) return idx.US.has(code) ? 'US' : null;
  if (code.length === 8) return idx.EU.has(code) ? 'EU' : idx.US.has(code) ? 'US' : null;
  return null;
}

/** Puts the remembered code first (confidence 1: an analyst decided it) and marks the row. */
export function applyMemory(
  engine: Engine,
  idx: NationalIndex,
  row: ResultRowT,
  fb: FeedbackPayload,
  country: Country | undefined,
): ResultRowT {
  const hs6 = fb.code.slice(0, 6);
  const fromModel = row.candidates.find((c) => c.hs6 === hs6);
  let first: CandidateResult;
  if (fb.code.length > 6 && fb.country !== null && fb.country === country) {
    const line = idx[fb.country].get(fb.code);
    first = {
      hs6,
      code: fb.code,
      confidence: 1,
      description: engine.ds.hs.nodes.get(hs6)?.description ?? '',
      examples: fromModel?.examples ?? [],
      rulings: fromModel?.rulings ?? [],
      ...(line ? { nationalDescription: line.fullDescription, unit: line.unit, generalRate: line.generalRate } : {}),
    };
  } else if (fromModel) {
    first = { ...fromModel, confidence: 1 };
  } else {
    first = {
      hs6,
      code: hs6,
      confidence: 1,
      description: engine.ds.hs.nodes.get(hs6)?.description ?? '',
      examples: [],
      rulings: [],
      ...(country ? { missingDetail: `the classification memory has HS ${hs6} only, not a ${country} national line` } : {}),
    };
  }
  const rest = row.candidates.filter((c) => c.hs6 !== hs6);
  const { error: _dropped, ...base } = row;
  const match = normalise(fb.description).text === normalise(row.description ?? '').text ? 'exact' : 'near-exact';
  const step: ReasoningStep = {
    rule: 'classification-memory',
    gri: base.reasoning?.gri ?? 'GRI 1',
    action: 'decide',
    codes: [fb.code],
    citation: `Classification memory: feedback ${fb.feedback_id}`,
    detail: `${fb.who} ${fb.verdict} ${fb.code} for ${match === 'exact' ? 'this description' : `"${fb.description}"`} on ${fb.created_at.slice(0, 10)} (request ${fb.request_id}, row ${fb.row}).`,
  };
  const reasoning: Reasoning | undefined = base.reasoning && {
    ...base.reasoning,
    steps: [step, ...base.reasoning.steps],
    summary: `${fb.code}: ${fb.verdict} by ${fb.who} on ${fb.created_at.slice(0, 10)} (${match} match, classification memory); model: ${base.reasoning.summary}`,
  };
  return {
    ...base,
    status: 'ok',
    candidates: [first, ...rest].slice(0, TOP_N),
    ...(reasoning ? { reasoning } : {}),
    memory: { feedback_id: fb.feedback_id, code: fb.code, verdict: fb.verdict, who: fb.who, at: fb.created_at, request_id: fb.request_id, row: fb.row, match },
  };
}

export interface RowInput {
  id: string | number;
  description: string | null;
}

/**
 * Classifies the rows (on the classifier's workers, in order), classification memory first. A failing row becomes
 * an error row, never an exception; so does every row of a chunk whose worker died.
 */
export async function processRows(
  engine: Engine,
  classifier: RowClassifier,
  idx: NationalIndex,
  store: AuditStore,
  rows: RowInput[],
  country: Country | undefined,
): Promise<ResultRowT[]> {
  const long = rows.map((r) => (r.description ? tooLong(r.description) : null));
  const keys = rows.map((r, i) => (r.description && !long[i] ? memoryKey(r.description) : ''));
  const memory = await store.findMemory(keys.filter((k) => k !== ''));
  const todo = rows.flatMap((r, i) => (r.description && !long[i] ? [i] : []));
  const results = new Map<number, ClassificationResult>();
  await Promise.all(
    Array.from({ length: Math.ceil(todo.length / CHUNK_ROWS) }, async (_, c) => {
      const part = todo.slice(c * CHUNK_ROWS, (c + 1) * CHUNK_ROWS);
      let got: ClassificationResult[];
      try {
        got = await classifier.classifyChunk(part.map((i) => rows[i].description!), { country });
      } catch (e) {
        got = part.map(() => ({ status: 'error' as const, candidates: [], error: `classification failed: ${(e as Error).message}` }));
      }
      part.forEach((i, k) => results.set(i, got[k]));
    }),
  );
  return rows.map((r, i) => {
    if (r.description === null || r.description === '') {
      return { id: r.id, description: r.description, status: 'error', candidates: [], error: 'blank description' };
    }
    if (long[i]) return { id: r.id, description: r.description, status: 'error', candidates: [], error: long[i]! };
    const result: ResultRowT = { id: r.id, description: r.description, ...results.get(i)! };
    const fb = keys[i] ? memory.get(keys[i]) : undefined;
    return fb ? applyMemory(engine, idx, result, JSON.parse(fb) as FeedbackPayload, country) : result;
  });
}

/** Status and candidate codes: what a reviewer acts on. Confidence drift alone is not a change. */
export function answerOf(r: ResultRowT): string {
  return JSON.stringify([r.status, r.candidates.map((c) => c.code), r.memory?.feedback_id ?? null]);
}
