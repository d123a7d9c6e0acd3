// Classification results as JSON text: what workers send back (ResultText) and the result rows built from it
// (JsonRow). It imports types only, so the CLI's writers can use it without loading the engine.
import type { ClassificationResult, RowStatus } from '../types';

/**
 * A classified row as it crosses threads: its status and its ClassificationResult as JSON text, keys in the order
 * status, candidates, error, then the rest (the order of classify()'s own results, and the CLI's JSONL). A string is copied between threads for a fraction of what cloning the
 * result's object graph costs, and the service records and sends the text as it is (parsing only what it changes).
 */
export interface ResultText {
  status: RowStatus;
  json: string;
}

/** The result as a ResultText. */
export function resultText(r: ClassificationResult): ResultText {
  const { status, candidates, error, ...rest } = r;
  return { status, json: JSON.stringify({ status, candidates, ...(error === undefined ? {} : { error }), ...rest }) };
}

/**
 * A result row (id, description, then the result's fields) kept as the JSON text that is recorded, sent and written:
 * a row classified by a worker is parsed only when something reads `row` (the memory, duties, the flat formats).
 */
export class JsonRow<R extends { status: RowStatus }> {
  private constructor(
    readonly json: string,
    readonly status: RowStatus,
    private parsed?: R,
  ) {}

  /** The row {id, description, ...result} spliced from the worker's text, without parsing it. */
  static classified<R extends { status: RowStatus }>(id: string | number, description: string | null, r: ResultText): JsonRow<R> {
    return new JsonRow<R>(`{"id":${JSON.stringify(id)},"description":${JSON.stringify(description)},${r.json.slice(1)}`, r.status);
  }

  static of<R extends { status: RowStatus }>(row: R): JsonRow<R> {
    return new JsonRow(JSON.stringify(row), row.status, row);
  }

  get row(): R {
    return (this.parsed ??= JSON.parse(this.json) as R);
  }
}

