// Row processing for the service: input cleaning, the classification memory (analyst feedback) and the engine.
import type { Engine } from '../classifier';
import { tooLong } from '../pipeline/description';
import { CHUNK_ROWS, JsonRow, type ResultText, type RowClassifier } from '../pool';
import { resultText } from '../pool/text';
import type { Country } from '../types';
import type { AuditStore } from '../audit/store';
import type { ResultRowT } from './schemas';
import { memoryKey } from '../memory/feedback';
import { rememberRows } from '../memory/apply';
import type { NationalIndex } from '../memory/codes';
import type { CompanyExampleSet } from '../memory/examples';

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

// The memory and the codes moved to server/memory/; re-exported for the modules that import them from here.
export { memoryKey, type FeedbackPayload } from '../memory/feedback';
export { nationalIndex, nationalCountry, type NationalIndex } from '../memory/codes';

/** What the memory needs besides the rows: how many reviewers must agree, and the company examples. */
export interface MemoryOptions {
  /** FEEDBACK_APPROVALS (default 1). */
  approvals?: number;
  /** The company examples the engine consults (none when absent). */
  company?: CompanyExampleSet;
}

export interface RowInput {
  id: string | number;
  description: string | null;
}

/**
 * Classifies the rows (on the classifier's workers, in order), classification memory first. A failing row becomes
 * an error row, never an exception; so does every row of a chunk whose worker died. The rows stay JSON text unless
 * the memory changes them.
 */
export async function processRows(
  engine: Engine,
  classifier: RowClassifier,
  idx: NationalIndex,
  store: AuditStore,
  rows: RowInput[],
  country: Country | undefined,
  mem: MemoryOptions = {},
): Promise<JsonRow<ResultRowT>[]> {
  const long = rows.map((r) => (r.description ? tooLong(r.description) : null));
  const keys = rows.map((r, i) => (r.description && !long[i] ? memoryKey(r.description) : ''));
  const company = await mem.company?.forEngine();
  const options = company ? { company } : undefined;
  const todo = rows.flatMap((r, i) => (r.description && !long[i] ? [i] : []));
  const results = new Map<number, ResultText>();
  await Promise.all(
    Array.from({ length: Math.ceil(todo.length / CHUNK_ROWS) }, async (_, c) => {
      const part = todo.slice(c * CHUNK_ROWS, (c + 1) * CHUNK_ROWS);
      let got: ResultText[];
      try {
        got = await classifier.classifyChunk(part.map((i) => rows[i].description!), { country, options });
      } catch (e) {
        got = part.map(() => resultText({ status: 'error', candidates: [], error: `classification failed: ${(e as Error).message}` }));
      }
      part.forEach((i, k) => results.set(i, got[k]));
    }),
  );
  const classified = rows.map((r, i): JsonRow<ResultRowT> => {
    if (r.description === null || r.description === '') {
      return JsonRow.of({ id: r.id, description: r.description, status: 'error', candidates: [], error: 'blank description' });
    }
    if (long[i]) return JsonRow.of({ id: r.id, description: r.description, status: 'error', candidates: [], error: long[i]! });
    return JsonRow.classified(r.id, r.description, results.get(i)!);
  });
  return rememberRows(engine, idx, store, classified, keys, country, mem.approvals ?? 1);
}

/** Status and candidate codes: what a reviewer acts on. Confidence drift alone is not a change. */
export function answerOf(r: ResultRowT): string {
  return JSON.stringify([r.status, r.candidates.map((c) => c.code), r.memory?.feedback_id ?? null]);
}
