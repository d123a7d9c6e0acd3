// hs-classify feedback: the corrections of a reviewed workbook (written by `review` or the add-in) sent to the service,
// so that its feedback rules (keys, roles, approvals, Note checks) apply in one place. The result columns are found
// by their headers; what was written in HS code 1 is read back from the service (GET /api/v1/classifications/{id})
// rather than trusted from the file; the rows are planned and sent as the add-in does (addin/feedback.ts).
import path from 'node:path';
import ExcelJS from 'exceljs';
import { InputError } from './io';
import { RESULT_COLUMNS, parseRequestCell, CODE_AT, STATUS_AT, REQUEST_AT } from '../../addin/columns';
import { planRow, sendPlans, tally, type Original, type Plan } from '../../addin/feedback';

/** Exit code when the service refused a row or a row could not be read (an ambiguous code). */
export const EXIT_FEEDBACK_REFUSED = 4;
/** Rows searched for the header row. */
const HEADER_SEARCH_ROWS = 50;

export interface FeedbackCliOptions {
  input: string;
  sheet?: string;
  url: string;
  key?: string;
  /** stdout; default process.stdout. */
  out?: (s: string) => void;
  fetch?: typeof fetch;
}

/** A cell's value as the sheet shows it: formulas by their result, rich text as text; numbers stay numbers. */
function plain(v: ExcelJS.CellValue): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  if (typeof v !== 'object') return v;
  if ('richText' in v) return v.richText.map((t) => t.text).join('');
  if ('formula' in v || 'sharedFormula' in v) return plain((v as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
  if ('text' in v) return (v as ExcelJS.CellHyperlinkValue).text;
  if ('error' in v) return null;
  return null;
}

const norm = (s: unknown) => (typeof s === 'string' ? s.trim().toLowerCase() : '');

/** The sheet and header row holding HS code 1, Status and Request id, and their columns. */
function findColumns(wb: ExcelJS.Workbook, file: string, sheet?: string): { ws: ExcelJS.Worksheet; headerRow: number; code: number; status: number; request: number } {
  const sheets = sheet === undefined ? wb.worksheets : wb.worksheets.filter((s) => s.name === sheet || norm(s.name) === norm(sheet));
  if (sheet !== undefined && sheets.length === 0) throw new InputError(`Worksheet "${sheet}" not found in ${file}. Available sheets: ${wb.worksheets.map((s) => JSON.stringify(s.name)).join(', ')}`);
  const want = [RESULT_COLUMNS[CODE_AT], RESULT_COLUMNS[STATUS_AT], RESULT_COLUMNS[REQUEST_AT]].map(norm);
  for (const ws of sheets) {
    for (let r = 1; r <= Math.min(ws.rowCount, HEADER_SEARCH_ROWS); r++) {
      const cols = new Map<string, number>();
      ws.getRow(r).eachCell({ includeEmpty: false }, (c, col) => {
        const t = norm(plain(c.value));
        if (want.includes(t) && !cols.has(t)) cols.set(t, col);
      });
      if (want.every((w) => cols.has(w))) return { ws, headerRow: r, code: cols.get(want[0])!, status: cols.get(want[1])!, request: cols.get(want[2])! };
    }
  }
  throw new InputError(
    `${sheet === undefined ? 'No worksheet' : `Worksheet "${sheets[0].name}"`} in ${file} has a header row with "${RESULT_COLUMNS[CODE_AT]}", "${RESULT_COLUMNS[STATUS_AT]}" and "${RESULT_COLUMNS[REQUEST_AT]}" ` +
      `(the columns \`hs-classify review\` and the add-in write, with the header row)`,
  );
}

/** GET /api/v1/classifications/{id}: the first code of each row as written, or why it cannot be read. */
async function writtenCodes(url: string, id: string, headers: Record<string, string>, f: typeof fetch): Promise<string[] | { error: string }> {
  let res: Response;
  try {
    res = await f(`${url}/api/v1/classifications/${encodeURIComponent(id)}`, { headers });
  } catch (e) {
    throw new InputError(`the service at ${url} cannot be reached: ${(e as Error).message}`);
  }
  const body = (await res.json().catch(() => null)) as { rows?: Array<{ candidates?: Array<{ code?: string; hs6?: string }> }>; error?: string } | null;
  if (!res.ok || !Array.isArray(body?.rows)) return { error: `HTTP ${res.status}: ${body?.error ?? res.statusText}` };
  return body.rows.map((r) => String(r.candidates?.[0]?.code || r.candidates?.[0]?.hs6 || ''));
}

/** Runs `hs-classify feedback`; returns the exit code (0, or EXIT_FEEDBACK_REFUSED). Input and connection errors throw InputError. */
export async function runFeedback(o: FeedbackCliOptions): Promise<number> {
  const out = o.out ?? ((s: string) => process.stdout.write(s));
  const f = o.fetch ?? globalThis.fetch.bind(globalThis);
  const url = o.url.replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+/.test(url)) throw new InputError(`--url must be the service's address, e.g. https://localhost:3000 (got "${o.url}")`);
  if (!/\.xls[xm]$/i.test(o.input)) throw new InputError(`--input must be a reviewed .xlsx workbook: ${o.input}`);
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.readFile(o.input);
  } catch (e) {
    throw new InputError(`Cannot read ${o.input}: ${(e as Error).message}`);
  }
  const { ws, headerRow, code, status, request } = findColumns(wb, o.input, o.sheet);
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (o.key) headers['X-API-Key'] = o.key;

  // The rows, and what was written for each request (read from the service, once per request).
  const rows: { where: string; code: unknown; status: unknown; request: unknown }[] = [];
  ws.eachRow({ includeEmpty: false }, (row, n) => {
    if (n <= headerRow) return;
    rows.push({ where: `${ws.name} row ${n}`, code: plain(row.getCell(code).value), status: plain(row.getCell(status).value), request: plain(row.getCell(request).value) });
  });
  const written = new Map<string, string[] | { error: string }>();
  for (const r of rows) {
    const ref = parseRequestCell(r.request);
    if (ref && !written.has(ref.requestId)) written.set(ref.requestId, await writtenCodes(url, ref.requestId, headers, f));
  }
  const plans: Plan[] = rows.map((r) => {
    const ref = parseRequestCell(r.request);
    const w = ref ? written.get(ref.requestId) : undefined;
    if (ref && w && !Array.isArray(w)) return { kind: 'problem', where: r.where, message: `request ${ref.requestId} cannot be read from the service (${w.error})` };
    const original = (_id: string, row: number): Original | undefined => (Array.isArray(w) && row <= w.length ? { code: w[row - 1] } : undefined);
    return planRow(r, original, `from ${path.basename(o.input)}, ${r.where}`);
  });
  const outcomes = await sendPlans(plans, { baseUrl: url, apiKey: o.key, fetch: f });

  for (const x of outcomes) {
    const what = `${x.plan.where}: ${x.plan.as} ${x.plan.item.code} (written ${x.plan.previous || 'none'}), request ${x.plan.item.request_id} row ${x.plan.item.row}`;
    out(x.answer ? `sent     ${what}: recorded as ${x.answer.verdict}, feedback ${x.answer.feedback_id}\n` : `refused  ${what}: ${x.error}\n`);
  }
  for (const p of plans) if (p.kind === 'problem') out(`not sent ${p.where}: ${p.message}\n`);
  const t = tally(plans, outcomes);
  const skippedWhy = new Map<string, number>();
  for (const p of plans) if (p.kind === 'skip') skippedWhy.set(p.reason, (skippedWhy.get(p.reason) ?? 0) + 1);
  out(
    `${t.corrections} correction${t.corrections === 1 ? '' : 's'} and ${t.confirmations} confirmation${t.confirmations === 1 ? '' : 's'} sent, ` +
      `${t.refused} refused, ${t.problems} not sent, ${t.skipped} skipped` +
      (skippedWhy.size ? ` (${[...skippedWhy].map(([why, n]) => `${n} ${why}`).join(', ')})` : '') +
      ` - ${ws.name} of ${o.input} to ${url}\n`,
  );
  return t.refused || t.problems ? EXIT_FEEDBACK_REFUSED : 0;
}
