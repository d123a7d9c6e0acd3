// "Send corrections": the pure decisions (addin/feedback.ts: codes read from cells, what is sent, the service client)
// and the Excel side (addin/corrections.ts) on an office-addin-mock workbook after a run of addin/runner.ts. The same
// flow end to end in Chromium is in test/addin-e2e.test.ts; the command line in test/feedback-cli.test.ts.
jest.mock('office-addin-manifest', () => jest.requireActual('office-addin-manifest/lib/officeApp'));
import { MockWorkbook } from './support/mock-workbook';
import { readSelection } from '../addin/excel';
import { ClassifyRun } from '../addin/runner';
import { cellCode, isConfirmed, planRow, sendPlans, sentLine, tally, type Plan, type SendOutcome } from '../addin/feedback';
import { addRun, markSent, planCorrections, type WrittenBlock } from '../addin/corrections';
import { parseRequestCell, requestCell } from '../addin/columns';
import type { ResultRow } from '../addin/types';

describe('codes read from cells', () => {
  test('text codes: dots and spaces dropped, 6, 8 or 10 digits, leading zeros kept', () => {
    expect(cellCode('0901.21')).toEqual({ code: '090121' });
    expect(cellCode(' 6109.10.00.12 ')).toEqual({ code: '6109100012' });
    expect(cellCode("'0101.21")).toEqual({ code: '010121' });
    expect(cellCode('61091000')).toEqual({ code: '61091000' });
    expect(cellCode('')).toBeNull();
    expect(cellCode(null)).toBeNull();
  });

  test('numbers: whole numbers of 6, 8 or 10 digits taken; a lost leading zero or a decimal point is ambiguous and refused', () => {
    expect(cellCode(61091000)).toEqual({ code: '61091000' });
    expect(cellCode(610910)).toEqual({ code: '610910' });
    expect(cellCode(6109100012)).toEqual({ code: '6109100012' });
    expect(cellCode(901.11)).toEqual({ problem: expect.stringMatching(/number 901\.11: Excel drops the leading zero .* ambiguous; type it as text, e\.g\. '0901\.11/) });
    expect(cellCode(6109.1)).toEqual({ problem: expect.stringMatching(/ambiguous/) });
    expect(cellCode(90121)).toEqual({ problem: expect.stringMatching(/number 90121 \(5 digits\): Excel dropped a leading zero.*'090121/) });
    expect(cellCode(1234)).toEqual({ problem: expect.stringMatching(/6, 8 or 10 digits/) });
    expect(cellCode(true)).toEqual({ problem: expect.stringMatching(/TRUE/) });
  });

  test('text that is not a code, or has the wrong number of digits', () => {
    expect(cellCode('see note')).toEqual({ problem: expect.stringMatching(/"see note" is not a code/) });
    expect(cellCode('901.11')).toEqual({ problem: expect.stringMatching(/has 5 digits.*leading zero lost/) });
    expect(cellCode('6109')).toEqual({ problem: expect.stringMatching(/has 4 digits/) });
    expect(cellCode('=A1')).toEqual({ problem: expect.stringMatching(/not a code/) });
  });

  test('confirmed marks; the request id cell', () => {
    for (const s of ['confirmed', ' Confirmed ', 'CONFIRMED', '✓', '✔']) expect(isConfirmed(s)).toBe(true);
    for (const s of ['ok', 'review', '', 'confirm', 'x', 1]) expect(isConfirmed(s)).toBe(false);
    expect(parseRequestCell(requestCell('3f0c6a52-2b1e-4c55-9a57-0a8f6f6d2f11', 12))).toEqual({ requestId: '3f0c6a52-2b1e-4c55-9a57-0a8f6f6d2f11', row: 12 });
    for (const v of ['3f0c6a52-2b1e-4c55-9a57-0a8f6f6d2f11', 'short#1', 'abcdefgh#0', 'abcdefgh#x', 12, null]) expect(parseRequestCell(v)).toBeNull();
  });
});

describe('what is sent', () => {
  const written = new Map([[requestCell('request-1', 1), { code: '610910' }], [requestCell('request-1', 2), { code: '090121', sent: '090122' }]]);
  const original = (id: string, row: number) => written.get(requestCell(id, row));
  const cells = (code: unknown, status: unknown, request: unknown = 'request-1#1') => ({ where: 'S row 2', code, status, request });

  test('a changed code is a correction; a confirmed row a confirmation; unchanged rows, blank codes and other rows skipped', () => {
    expect(planRow(cells('6110.20', 'review'), original, 'note')).toEqual({ kind: 'send', where: 'S row 2', item: { request_id: 'request-1', row: 1, code: '611020', comment: 'note' }, as: 'correction', previous: '610910' });
    expect(planRow(cells('610910', 'confirmed'), original)).toMatchObject({ kind: 'send', item: { code: '610910' }, as: 'confirmation' });
    expect(planRow(cells('6109.10', 'ok'), original)).toEqual({ kind: 'skip', where: 'S row 2', reason: 'unchanged' });
    expect(planRow(cells('', 'ok'), original)).toMatchObject({ kind: 'skip', reason: 'HS code 1 is blank' });
    expect(planRow(cells('', '✓'), original)).toMatchObject({ kind: 'problem', message: 'marked confirmed, but HS code 1 is blank' });
    expect(planRow(cells('610910', 'ok', 'Request id'), original)).toMatchObject({ kind: 'skip' });
    expect(planRow(cells('610910', 'ok', 'request-1#3'), original)).toMatchObject({ kind: 'problem', message: 'request request-1 has no row 3 written here' });
    expect(planRow(cells('0901.22', 'ok', 'request-1#2'), original)).toMatchObject({ kind: 'skip', reason: 'already sent' });
    expect(planRow(cells(901.22, 'ok', 'request-1#2'), original)).toMatchObject({ kind: 'problem', message: expect.stringMatching(/ambiguous/) });
  });

  test('sendPlans posts {request_id, row, code, comment} (no who) with the key; a refusal is reported per row with the service message and does not stop the others', async () => {
    const bodies: unknown[] = [];
    const keys: (string | undefined)[] = [];
    const fetch = (async (url: string, init: RequestInit) => {
      expect(url).toBe('http://svc/api/v1/feedback');
      const b = JSON.parse(String(init.body));
      bodies.push(b);
      keys.push((init.headers as Record<string, string>)['X-API-Key']);
      if (b.row === 2) return new Response(JSON.stringify({ error: 'feedback needs an API key with the review role' }), { status: 403 });
      return new Response(JSON.stringify({ feedback_id: `fb-${b.row}`, request_id: b.request_id, row: b.row, code: b.code, verdict: 'corrected', previous_code: '610910' }), { status: 201 });
    }) as unknown as typeof globalThis.fetch;
    const plans: Plan[] = [1, 2, 3].map((row) => ({ kind: 'send', where: `S row ${row + 1}`, item: { request_id: 'request-1', row, code: '611020' }, as: 'correction', previous: '610910' }));
    plans.push({ kind: 'skip', where: 'S row 9', reason: 'unchanged' }, { kind: 'problem', where: 'S row 10', message: 'ambiguous' });
    const out = await sendPlans(plans, { baseUrl: 'http://svc', apiKey: 'reviewer-key', fetch }, 2);
    expect(bodies).toHaveLength(3);
    expect(bodies[0]).toEqual({ request_id: 'request-1', row: 1, code: '611020' });
    expect(keys).toEqual(['reviewer-key', 'reviewer-key', 'reviewer-key']);
    expect(out.map((o) => o.answer?.feedback_id ?? o.error)).toEqual(['fb-1', 'HTTP 403: feedback needs an API key with the review role', 'fb-3']);
    expect(out[1].status).toBe(403);
    expect(tally(plans, out)).toEqual({ corrections: 2, confirmations: 0, refused: 1, problems: 1, skipped: 1 });
  });

  test('what was sent, as the pane lists it: the row, the kind, the code, what was written, and where the memory stands', () => {
    const plan = { kind: 'send' as const, where: 'S row 2', item: { request_id: 'request-1', row: 1, code: '611020' }, as: 'correction' as const, previous: '610910' };
    const answer = { feedback_id: 'fb-1', request_id: 'request-1', row: 1, code: '611020', verdict: 'corrected', previous_code: '610910' };
    const line = (approvals?: { count: number; needed: number; served: boolean }) => sentLine({ plan, answer: { ...answer, ...(approvals ? { approvals: { code: '611020', ...approvals } } : {}) } } as SendOutcome);
    expect(line({ count: 1, needed: 1, served: true })).toBe('S row 2: correction 611020 (written 610910), recorded as corrected; the memory now serves it');
    expect(line({ count: 1, needed: 2, served: false })).toBe('S row 2: correction 611020 (written 610910), recorded as corrected; 1 of 2 reviewers agree, not served yet');
    expect(line()).toBe('S row 2: correction 611020 (written 610910), recorded as corrected');
  });
});

describe('the Excel side after a run', () => {
  const res = (code: string, status: ResultRow['status'] = 'review'): ResultRow => ({
    id: 1,
    description: 'x',
    status,
    candidates: [{ hs6: code.slice(0, 6), code, confidence: 0.5, description: 'd', examples: [] }],
    reasoning: { gri: 'GRI 1', steps: [], notes: [], rulings: [], summary: 'GRI 1' },
  });

  async function ranBook() {
    const wb = new MockWorkbook('Invoices', 'B1:B6');
    wb.set('B1', 'Description');
    for (let i = 0; i < 5; i++) wb.set(`B${i + 2}`, `item ${i + 1}`);
    const data = await readSelection(wb.context, { header: true });
    const codes = ['610910', '090121', '420221', '851830', '940360'];
    const fetch = (async () =>
      new Response(JSON.stringify({ request_id: 'request-0001', kind: 'classify', created_at: '', country: null, row_count: 5, rows: codes.map((c) => res(c)) }), { status: 200 })) as unknown as typeof globalThis.fetch;
    const run = new ClassifyRun((fn) => fn(wb.context), data, { mode: 'overwrite', client: { fetch } });
    expect(await run.continue()).toBe('done');
    const blocks: WrittenBlock[] = [];
    addRun(blocks, { sheet: data.sheet, outColumn: data.outColumn, written: run.written });
    return { wb, blocks };
  }

  test('the run remembers what it wrote, by request id#row; edits, confirmations and ambiguous numbers are planned from the cells, even after a sort', async () => {
    const { wb, blocks } = await ranBook();
    expect(blocks[0].written.get('request-0001#2')).toEqual({ sheetRow: 2, code: '090121', status: 'review' });
    expect(wb.get('K3')).toBe('request-0001#2');
    wb.set('C3', '0901.22'); // corrected
    wb.set('J4', 'confirmed'); // confirmed as written
    wb.set('C5', 851.83); // typed as a number: ambiguous
    // The analyst sorted rows 5 and 6: the cells moved, the request id cells with them.
    for (const col of 'CDEFGHIJK') {
      const a = wb.get(`${col}5`);
      wb.set(`${col}5`, wb.get(`${col}6`)!);
      wb.set(`${col}6`, a!);
    }
    wb.set('C5', '9403.60.80'); // row 5 now holds request row 5 (the chair): corrected to an 8-digit line
    wb.syncs = 0;
    const plans = await planCorrections(wb.context, blocks[0]);
    expect(wb.syncs).toBe(1);
    expect(plans.map((p) => p.kind)).toEqual(['skip', 'send', 'send', 'send', 'problem']);
    expect(plans[1]).toMatchObject({ where: 'Invoices row 3', item: { request_id: 'request-0001', row: 2, code: '090122', comment: 'from Excel, Invoices row 3' }, as: 'correction', previous: '090121' });
    expect(plans[2]).toMatchObject({ item: { row: 3, code: '420221' }, as: 'confirmation' });
    expect(plans[3]).toMatchObject({ where: 'Invoices row 5', item: { row: 5, code: '94036080' }, as: 'correction', previous: '940360' });
    expect(plans[4]).toMatchObject({ where: 'Invoices row 6', kind: 'problem', message: expect.stringMatching(/number 851\.83.*ambiguous/) });
    // Once sent, a row is not sent again unless it changes again.
    const fetch = (async (_u: string, init: RequestInit) => {
      const b = JSON.parse(String(init.body));
      return new Response(JSON.stringify({ feedback_id: 'f', request_id: b.request_id, row: b.row, code: b.code, verdict: 'corrected', previous_code: null }), { status: 201 });
    }) as unknown as typeof globalThis.fetch;
    markSent(blocks[0], await sendPlans(plans, { fetch }));
    expect((await planCorrections(wb.context, blocks[0])).filter((p) => p.kind === 'send')).toEqual([]);
  });

  test('a later run over the same rows replaces what the earlier one wrote there', async () => {
    const { blocks } = await ranBook();
    const again = new Map([['request-0002#1', { sheetRow: 1, code: '620520', status: 'ok' }]]);
    addRun(blocks, { sheet: 'Invoices', outColumn: 2, written: again });
    expect(blocks).toHaveLength(1);
    expect(blocks[0].written.has('request-0001#1')).toBe(false);
    expect(blocks[0].written.get('request-0002#1')).toEqual({ sheetRow: 1, code: '620520', status: 'ok' });
    expect(blocks[0].written.size).toBe(5);
  });
});
