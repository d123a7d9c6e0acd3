// Corrections from the spreadsheet, decided and sent: shared by the task pane (addin/corrections.ts reads the cells)
// and `hs-classify feedback` (server/cli/feedback.ts reads a reviewed workbook). A row is sent when its HS code 1 cell
// now differs from the code written there, or when the analyst marked it confirmed in its Status cell. The request
// and the row within it come from the request id cell (`id#row`). No Office, DOM or Node code.
import { postFeedback, ServiceError, type ClientOptions, type FeedbackAnswer, type FeedbackItem } from './api';
import { parseRequestCell } from './columns';

/** What a Status cell may say to confirm the code in HS code 1 (trimmed, any case). */
export const CONFIRM_MARKS = ['confirmed', '✓', '✔', '✔️'] as const;

export function isConfirmed(status: unknown): boolean {
  return typeof status === 'string' && (CONFIRM_MARKS as readonly string[]).includes(status.trim().toLowerCase());
}

const CODE_LENGTHS = [6, 8, 10];

/**
 * An HS code 1 cell as a code, as text: dots and spaces removed, 6, 8 or 10 digits. null when blank. Numbers are
 * what Excel makes of a code typed without the text format: a whole number of 6, 8 or 10 digits is taken as it is
 * (61091000); any other number is ambiguous (901.11 was 0901.11, or 0901.10 with its trailing zero gone too) and is
 * refused with a message saying how to type it.
 */
export function cellCode(v: unknown): { code: string } | { problem: string } | null {
  if (v === null || v === undefined || (typeof v === 'string' && v.trim() === '')) return null;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return { problem: `HS code 1 holds ${v}, not a code` };
    const t = String(v);
    if (Number.isInteger(v) && v > 0 && CODE_LENGTHS.includes(t.length)) return { code: t };
    if (Number.isInteger(v) && v > 0 && CODE_LENGTHS.includes(t.length + 1)) {
      return { problem: `HS code 1 holds the number ${t} (${t.length} digits): Excel dropped a leading zero, so the code is ambiguous; type it as text, e.g. '0${t}` };
    }
    if (!Number.isInteger(v)) {
      return { problem: `HS code 1 holds the number ${t}: Excel drops the leading zero of chapters 01-09 and the trailing zeros after the point, so the code is ambiguous; type it as text, e.g. '0901.11` };
    }
    return { problem: `HS code 1 holds the number ${t}: an HS code has 6, 8 or 10 digits` };
  }
  if (typeof v !== 'string') return { problem: `HS code 1 holds ${typeof v === 'boolean' ? String(v).toUpperCase() : 'a value'} that is not a code` };
  const t = v.trim().replace(/^'/, '');
  if (!/^\d[\d.\s]*$/.test(t)) return { problem: `HS code 1 "${t.slice(0, 40)}" is not a code (6, 8 or 10 digits; dots allowed, e.g. 6109.10)` };
  const d = t.replace(/[.\s]/g, '');
  if (!CODE_LENGTHS.includes(d.length)) {
    return { problem: `HS code 1 "${t}" has ${d.length} digits: an HS code has 6, 8 or 10${CODE_LENGTHS.includes(d.length + 1) ? ' (a leading zero lost? chapters 01-09 start with 0)' : ''}` };
  }
  return { code: d };
}

/** One result row as read back from a sheet. */
export interface CorrectionCells {
  /** Where it is, for messages, e.g. "Invoices row 7". */
  where: string;
  code: unknown;
  status: unknown;
  request: unknown;
}

/** What was written in a row's HS code 1, and what was sent for it already. */
export interface Original {
  code: string;
  sent?: string;
}

export type Plan =
  | { kind: 'send'; where: string; item: FeedbackItem; as: 'correction' | 'confirmation'; previous: string }
  | { kind: 'skip'; where: string; reason: string }
  | { kind: 'problem'; where: string; message: string };

/**
 * Decides one row: sent (its HS code 1 differs from what was written, or it is marked confirmed), skipped (unchanged,
 * no request id cell, already sent) or a problem (an ambiguous code, a row the request does not have).
 * `original(requestId, row)` gives what was written; undefined when unknown.
 */
export function planRow(c: CorrectionCells, original: (requestId: string, row: number) => Original | undefined, comment?: string): Plan {
  const ref = parseRequestCell(c.request);
  if (!ref) return { kind: 'skip', where: c.where, reason: 'no request id#row in the Request id cell' };
  const o = original(ref.requestId, ref.row);
  if (!o) return { kind: 'problem', where: c.where, message: `request ${ref.requestId} has no row ${ref.row} written here` };
  const confirmed = isConfirmed(c.status);
  const code = cellCode(c.code);
  if (code === null) return confirmed ? { kind: 'problem', where: c.where, message: 'marked confirmed, but HS code 1 is blank' } : { kind: 'skip', where: c.where, reason: 'HS code 1 is blank' };
  if ('problem' in code) return { kind: 'problem', where: c.where, message: code.problem };
  const changed = code.code !== o.code;
  if (!changed && !confirmed) return { kind: 'skip', where: c.where, reason: 'unchanged' };
  if (o.sent === code.code) return { kind: 'skip', where: c.where, reason: 'already sent' };
  const item: FeedbackItem = { request_id: ref.requestId, row: ref.row, code: code.code, ...(comment ? { comment } : {}) };
  return { kind: 'send', where: c.where, item, as: changed ? 'correction' : 'confirmation', previous: o.code };
}

export interface SendOutcome {
  plan: Extract<Plan, { kind: 'send' }>;
  answer?: FeedbackAnswer;
  /** The service's refusal (e.g. "HTTP 403: ..."), or why it could not be reached. */
  error?: string;
  status?: number;
}

/** Sends the planned rows, `concurrency` at a time, in order; every row gets an outcome (a refusal does not stop the others). */
export async function sendPlans(plans: Plan[], client: ClientOptions, concurrency = 4): Promise<SendOutcome[]> {
  const todo = plans.filter((p): p is Extract<Plan, { kind: 'send' }> => p.kind === 'send');
  const out: SendOutcome[] = new Array(todo.length);
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const i = next++;
      try {
        out[i] = { plan: todo[i], answer: await postFeedback(todo[i].item, client) };
      } catch (e) {
        out[i] = { plan: todo[i], error: e instanceof Error ? e.message : String(e), status: e instanceof ServiceError ? e.status : undefined };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, todo.length)) }, worker));
  return out;
}

/** What one sent row became, for the pane's list and the command line: the kind, the code, the memory's count. */
export function sentLine(o: SendOutcome): string {
  const a = o.answer!.approvals;
  const memory = !a ? '' : a.served ? '; the memory now serves it' : `; ${a.count} of ${a.needed} reviewers agree, not served yet`;
  return `${o.plan.where}: ${o.plan.as} ${o.plan.item.code} (written ${o.plan.previous || 'none'}), recorded as ${o.answer!.verdict}${memory}`;
}

/** Counts for a report: sent (by kind), refused, problems, skipped. */
export function tally(plans: Plan[], outcomes: SendOutcome[]): { corrections: number; confirmations: number; refused: number; problems: number; skipped: number } {
  const ok = outcomes.filter((o) => o.answer);
  return {
    corrections: ok.filter((o) => o.plan.as === 'correction').length,
    confirmations: ok.filter((o) => o.plan.as === 'confirmation').length,
    refused: outcomes.filter((o) => o.error).length,
    problems: plans.filter((p) => p.kind === 'problem').length,
    skipped: plans.filter((p) => p.kind === 'skip').length,
  };
}
