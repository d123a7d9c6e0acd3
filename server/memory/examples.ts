// Company examples in the audit chain: an import appends one 'feedback' record per example (lookup key
// EXAMPLES_KEY, payload event "example"), a removal appends an "example-removal" record; nothing is deleted.
// CompanyExampleSet keeps the live examples in memory and catches up with the store by reading only the records
// appended since it last looked, so instances sharing a PostgreSQL store see each other's imports.
import crypto from 'node:crypto';
import type { AuditStore, ChainRecord } from '../audit/store';
import type { CompanyExample, CompanyExamples } from '../pipeline/company';
import { checkCode, type NationalIndex } from './codes';
import type { Engine } from '../classifier';
import type { Country } from '../types';

/** The lookup key of every company-example record (no normalised description can be it: it has a '#'). */
export const EXAMPLES_KEY = '#company-examples';
/** The request id company-example records carry when no request made them (the CLI's `learn`). */
export const LEARN_REQUEST_PREFIX = 'learn-';

export interface ExamplePayload {
  event: 'example';
  example_id: string;
  description: string;
  code: string;
  hs6: string;
  country: Country | null;
  item_id: string | null;
  who: string;
  created_at: string;
}

export interface ExampleRemovalPayload {
  event: 'example-removal';
  example_id: string;
  who: string;
  created_at: string;
}

/** A row to import: the description, its code (a string of digits) and an optional item id. */
export interface ExampleInput {
  description: string;
  code: string;
  item_id?: string | null;
}

/** Checks every row; returns the payloads, or one message per bad row (row numbers 1-based) and nothing to import. */
export function examplePayloads(
  engine: Pick<Engine, 'ds'>,
  idx: NationalIndex,
  rows: ExampleInput[],
  who: string,
  createdAt: string,
): { payloads: ExamplePayload[]; errors: { row: number; field: string; message: string }[] } {
  const errors: { row: number; field: string; message: string }[] = [];
  const payloads: ExamplePayload[] = [];
  rows.forEach((r, i) => {
    const description = r.description.replace(/\s+/g, ' ').trim();
    if (!description) errors.push({ row: i + 1, field: 'description', message: 'blank description' });
    const code = r.code.replace(/[.\s]/g, '');
    const c = checkCode(engine, idx, code);
    if ('error' in c) errors.push({ row: i + 1, field: 'code', message: c.error });
    else if (description) {
      payloads.push({ event: 'example', example_id: crypto.randomUUID(), description, code, hs6: c.hs6, country: c.country, item_id: r.item_id ?? null, who, created_at: createdAt });
    }
  });
  return errors.length ? { payloads: [], errors } : { payloads, errors };
}

/** Appends the examples or removals (one record each, all in one transaction) under the given request id. */
export async function appendExamples(store: AuditStore, requestId: string, payloads: (ExamplePayload | ExampleRemovalPayload)[]): Promise<void> {
  await store.appendFeedback(payloads.map((p) => ({ requestId, createdAt: p.created_at, lookupKey: EXAMPLES_KEY, payload: JSON.stringify(p) })));
}

/** The live company examples, caught up with the store on demand. */
export class CompanyExampleSet {
  private seq = 0;
  private readonly live = new Map<string, ExamplePayload>();
  private snapshot: CompanyExamples | null = null;

  constructor(private readonly store: AuditStore) {}

  /** Reads the example records appended since the last call. */
  async refresh(): Promise<void> {
    const recs: ChainRecord[] = await this.store.readFeedback({ keys: [EXAMPLES_KEY], afterSeq: this.seq });
    for (const r of recs) {
      const p = JSON.parse(r.payload) as ExamplePayload | ExampleRemovalPayload;
      if (p.event === 'example') this.live.set(p.example_id, p);
      else if (p.event === 'example-removal') this.live.delete(p.example_id);
      this.seq = r.seq;
    }
    if (recs.length) this.snapshot = null;
  }

  /** The live examples, oldest first. */
  async list(): Promise<ExamplePayload[]> {
    await this.refresh();
    return [...this.live.values()];
  }

  async get(id: string): Promise<ExamplePayload | undefined> {
    await this.refresh();
    return this.live.get(id);
  }

  /** What the engine is given (the same object until the examples change). */
  async forEngine(): Promise<CompanyExamples | undefined> {
    await this.refresh();
    if (this.live.size === 0) return undefined;
    if (!this.snapshot) {
      const examples: CompanyExample[] = [...this.live.values()].map((p) => ({
        example_id: p.example_id,
        text: p.description,
        code: p.code,
        hs6: p.hs6,
        who: p.who,
        at: p.created_at,
        item_id: p.item_id,
      }));
      const version = crypto.createHash('sha256').update(examples.map((e) => e.example_id).join()).digest('hex').slice(0, 16);
      this.snapshot = { version, examples };
    }
    return this.snapshot;
  }
}
