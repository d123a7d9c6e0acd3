/// <reference types="office-js" />
// "Send corrections": the Excel side. Reads back the HS code 1, Status and Request id cells of the rows a run wrote
// (wherever they are now: a sorted sheet is fine, the request id cell says which row is which) and decides per row
// what to send with addin/feedback.ts. Takes an Excel `context`, as addin/excel.ts; no DOM use.
import { a1, READ_BLOCK } from './excel';
import { CODE_AT, REQUEST_AT, requestCell, STATUS_AT } from './columns';
import { planRow, type Plan, type SendOutcome } from './feedback';
import type { WrittenRow } from './runner';

/** The rows runs of the pane wrote on one sheet, by request id cell (`id#row`). */
export interface WrittenBlock {
  sheet: string;
  /** First result column (HS code 1), 0-based. */
  outColumn: number;
  written: Map<string, WrittenRow>;
}

/** Consecutive runs of sorted sheet rows, at most `max` rows each. */
function blocks(rows: number[], max: number): [number, number][] {
  const out: [number, number][] = [];
  for (const r of [...new Set(rows)].sort((a, b) => a - b)) {
    const cur = out[out.length - 1];
    if (cur && cur[1] + 1 === r && r - cur[0] < max) cur[1] = r;
    else out.push([r, r]);
  }
  return out;
}

/**
 * Reads the result cells of the rows the block wrote and plans each: a correction when HS code 1 differs from what
 * was written, a confirmation when the Status cell says confirmed (or ✓), else skipped; ambiguous codes are problems.
 * One sync per READ_BLOCK rows.
 */
export async function planCorrections(context: Excel.RequestContext, block: WrittenBlock): Promise<Plan[]> {
  const ws = context.workbook.worksheets.getItem(block.sheet);
  const sheetRows = [...block.written.values()].map((w) => w.sheetRow);
  const plans: Plan[] = [];
  const original = (requestId: string, row: number) => block.written.get(requestCell(requestId, row));
  for (const [r0, r1] of blocks(sheetRows, READ_BLOCK)) {
    const range = ws.getRange(a1(r0, block.outColumn, r1, block.outColumn + REQUEST_AT));
    range.load('values');
    await context.sync();
    range.values.forEach((v, i) => {
      const where = `${block.sheet} row ${r0 + i + 1}`;
      plans.push(planRow({ where, code: v[CODE_AT], status: v[STATUS_AT], request: v[REQUEST_AT] }, original, `from Excel, ${where}`));
    });
  }
  return plans;
}

/** Remembers what was sent, so that pressing Send corrections again sends only what changed since. */
export function markSent(block: WrittenBlock, outcomes: SendOutcome[]): void {
  for (const o of outcomes) {
    if (!o.answer) continue;
    const w = block.written.get(requestCell(o.plan.item.request_id, o.plan.item.row));
    if (w) w.sent = o.plan.item.code;
  }
}

/**
 * Adds what a run wrote to the pane's blocks (one per sheet and result column): rows the run wrote again replace what
 * an earlier run wrote there.
 */
export function addRun(blocks: WrittenBlock[], run: { sheet: string; outColumn: number; written: Map<string, WrittenRow> }): void {
  let b = blocks.find((x) => x.sheet === run.sheet && x.outColumn === run.outColumn);
  if (!b) {
    b = { sheet: run.sheet, outColumn: run.outColumn, written: new Map() };
    blocks.push(b);
  }
  const rows = new Set([...run.written.values()].map((w) => w.sheetRow));
  for (const [k, w] of b.written) if (rows.has(w.sheetRow)) b.written.delete(k);
  for (const [k, w] of run.written) b.written.set(k, w);
}
