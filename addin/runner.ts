/// <reference types="office-js" />
// One classification run over a selection: up to `concurrency` chunks in flight at once (the service spreads
// them over its workers), each written back in order with one sync as soon as it and those before it are back.
// Cancel abandons the chunks in flight; a failure stops with a ServiceError; in both cases the rows already
// written stay and continue() picks up at the first unwritten chunk (answers that came back for later chunks
// before a failure are used, not asked for again). No DOM use.
import { classifyChunk, planChunks, ServiceError, type ClientOptions } from './api';
import { writeChunk, type SelectionData, type SourceRow, type WriteMode } from './excel';
import type { ClassifyResponse, Country, RequestRow } from './types';
import { requestCell } from './columns';

export type ExcelRunner = <T>(fn: (context: Excel.RequestContext) => Promise<T>) => Promise<T>;

export interface RunOptions {
  country?: Country;
  mode: WriteMode;
  client?: ClientOptions;
  chunkRows?: number;
  chunkBytes?: number;
  /** Chunks in flight at once (default CONCURRENT_CHUNKS). */
  concurrency?: number;
}

/** Requests in flight at once: enough to keep a service's workers busy while Excel writes, few enough to be polite. */
export const CONCURRENT_CHUNKS = 4;

export interface RunProgress {
  /** Rows to classify in this run (in "fill blanks only", the rows whose result cells are empty). */
  total: number;
  done: number;
  ok: number;
  review: number;
  error: number;
  /** Rows of the selection left alone because their result cells were already filled. */
  skipped: number;
  requestIds: string[];
}

export type RunOutcome = 'done' | 'cancelled';

export interface WrittenRow {
  sheetRow: number;
  code: string;
  status: string;
  /** The code last sent as feedback for this row (Send corrections). */
  sent?: string;
}

export class ClassifyRun {
  readonly todo: SourceRow[];
  readonly chunks: [number, number][];
  /** Index of the next chunk to send. */
  next = 0;
  readonly progress: RunProgress;
  /** Sheet rows whose status is review or error (for "select rows needing review"). */
  readonly needsReview: number[] = [];
  /** What this run wrote, by request id cell (`id#row`): the sheet row, HS code 1 and status (for "Send corrections"). */
  readonly written = new Map<string, WrittenRow>();
  private headerPending: boolean;
  private running = false;
  /** Requests sent for chunks not written yet, by chunk index. */
  private readonly inFlight = new Map<number, { promise: Promise<ClassifyResponse>; failed: boolean }>();

  constructor(
    private readonly excelRun: ExcelRunner,
    readonly data: SelectionData,
    readonly opts: RunOptions,
  ) {
    this.todo = opts.mode === 'blanks' ? data.rows.filter((r) => !r.filled) : data.rows;
    const req = this.todo.map(requestRow);
    this.chunks = planChunks(req, opts.chunkRows, opts.chunkBytes);
    this.progress = { total: this.todo.length, done: 0, ok: 0, review: 0, error: 0, skipped: data.rows.length - this.todo.length, requestIds: [] };
    this.headerPending = data.header && (opts.mode === 'overwrite' || data.headerBlank);
  }

  get finished(): boolean {
    return this.next >= this.chunks.length;
  }

  /**
   * Sends the remaining chunks, `concurrency` at a time, and writes them in order. Resolves 'cancelled' when the
   * signal fires; throws ServiceError on a failure.
   */
  async continue(onProgress: (p: RunProgress) => void = () => {}, signal?: AbortSignal): Promise<RunOutcome> {
    if (this.running) throw new Error('this run is already going');
    this.running = true;
    const width = Math.max(1, this.opts.concurrency ?? CONCURRENT_CHUNKS);
    for (const [i, f] of this.inFlight) if (f.failed) this.inFlight.delete(i); // asked again below
    try {
      while (this.next < this.chunks.length) {
        if (signal?.aborted) return 'cancelled';
        const index = this.next;
        for (let i = index; i < Math.min(this.chunks.length, index + width); i++) {
          if (this.inFlight.has(i)) continue;
          const f = { promise: this.send(i, signal), failed: false };
          f.promise.catch(() => (f.failed = true)); // reported when its turn comes
          this.inFlight.set(i, f);
        }
        let res: ClassifyResponse;
        try {
          res = await this.inFlight.get(index)!.promise;
        } catch (err) {
          if (err instanceof ServiceError && err.kind === 'cancelled') return 'cancelled';
          throw err;
        }
        this.inFlight.delete(index);
        // The answer is written even when Cancel was pressed meanwhile: it is recorded in the audit trail already.
        const rows = this.rowsOf(index);
        const items = rows.map((row, i) => ({ row, result: res.rows[i], rowNo: i + 1 }));
        await this.excelRun((ctx) => writeChunk(ctx, this.data, items, res.request_id, { writeHeader: this.headerPending }));
        this.headerPending = false;
        this.next++;
        const p = this.progress;
        p.done += rows.length;
        p.requestIds.push(res.request_id);
        for (const it of items) {
          const top = it.result.candidates[0];
          this.written.set(requestCell(res.request_id, it.rowNo), { sheetRow: it.row.sheetRow, code: top ? String(top.code || top.hs6 || '') : '', status: it.result.status });
          p[it.result.status]++;
          if (it.result.status !== 'ok') this.needsReview.push(it.row.sheetRow);
        }
        onProgress({ ...p, requestIds: [...p.requestIds] });
      }
      return 'done';
    } finally {
      // Cancelled: the chunks in flight are abandoned (their requests were aborted) and asked again on continue().
      if (signal?.aborted) this.inFlight.clear();
      this.running = false;
    }
  }

  private rowsOf(index: number): SourceRow[] {
    const [s, e] = this.chunks[index];
    return this.todo.slice(s, e);
  }

  /** POST one chunk; failures name the Excel rows. */
  private async send(index: number, signal?: AbortSignal): Promise<ClassifyResponse> {
    const rows = this.rowsOf(index);
    try {
      return await classifyChunk(rows.map(requestRow), this.opts.country, this.opts.client, signal);
    } catch (err) {
      if (err instanceof ServiceError && err.kind !== 'cancelled') err.message = `rows ${rowLabel(rows[0])}-${rowLabel(rows[rows.length - 1])}: ${err.message}`;
      throw err;
    }
  }
}

function requestRow(r: SourceRow): RequestRow {
  const row: RequestRow = { description: r.description };
  if (r.itemId !== undefined) row.item_id = r.itemId;
  if (r.origin !== undefined) row.origin = r.origin;
  return row;
}

/** The Excel row number (1-based) of a source row, for messages. */
function rowLabel(r: SourceRow | undefined): string {
  return r ? String(r.sheetRow + 1) : '?';
}
