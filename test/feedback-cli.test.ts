// hs-classify feedback end to end: a workbook reviewed by `hs-classify review` into the audit store of a service
// started here (real engine, SQLite, HTTP on 127.0.0.1, API keys configured), edited with exceljs as an analyst would
// (a corrected code, a row marked confirmed, codes typed as numbers, a code the service refuses), then sent with the
// command line; what the service recorded is read back from its audit trail and its classification memory.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import ExcelJS from 'exceljs';
import pino from 'pino';
import { openEngine, type OpenedEngine } from '../server/engine';
import { createApp } from '../server/service/app';
import { SqliteStore } from '../server/audit/sqlite';
import { runReview, type ReviewResult } from '../server/review/run';
import { main } from '../server/cli/main';
import { runFeedback, EXIT_FEEDBACK_REFUSED } from '../server/cli/feedback';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-feedback-cli-'));
const KEY = 'reviewer-key-0001';
let opened: OpenedEngine;
let store: SqliteStore;
let server: http.Server;
let url: string;
let reviewed: ReviewResult;
const input = path.join(dir, 'supplier.xlsx');
const output = path.join(dir, 'reviewed.xlsx');
const DESCRIPTIONS = ['laptop computer 14 inch', 'fresh bananas', 'womens leather handbag', 'wooden dining chair', 'roasted coffee beans, not decaffeinated', 'steel kitchen knives'];

beforeAll(async () => {
  opened = openEngine();
  store = new SqliteStore(path.join(dir, 'audit.sqlite'));
  const app = createApp({
    engine: opened.engine,
    versions: opened.versions,
    store,
    config: { apiKeys: [KEY], allowedOrigins: [], rateLimit: { windowMs: 60_000, limit: 1_000_000 } },
    logger: pino({ level: 'silent' }),
  });
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Lines');
  ws.addRow(['Invoice 88']); // a title row above the header: the columns are found by their headers
  ws.addRow(['Line', 'Description', 'Qty']);
  DESCRIPTIONS.forEach((d, i) => ws.addRow([`L${i + 1}`, d, i + 1]));
  await wb.xlsx.writeFile(input);
  reviewed = await runReview({ input, column: 'Description', idColumn: 'Line', output, opened, store, progress: false, log: () => undefined });
}, 120_000);
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await store?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The reviewed workbook edited by an analyst: `edits` maps a data row (1-based) to its new HS code 1 and/or Status. */
async function edited(name: string, edits: Record<number, { code?: ExcelJS.CellValue; status?: string }>): Promise<string> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(output);
  const ws = wb.getWorksheet('Lines')!;
  const at = reviewed.firstResultCol;
  for (const [k, e] of Object.entries(edits)) {
    const row = ws.getRow(reviewed.headerRow + Number(k));
    if (e.code !== undefined) row.getCell(at).value = e.code;
    if (e.status !== undefined) row.getCell(at + 7).value = e.status;
  }
  const file = path.join(dir, name);
  await wb.xlsx.writeFile(file);
  return file;
}

async function written(): Promise<{ code: string }[]> {
  const r = await store.getRequest(reviewed.requestId);
  return r!.rows.map((x) => ({ code: JSON.parse(x).candidates[0]?.code ?? '' }));
}

async function feedbackRecords(): Promise<Record<string, unknown>[]> {
  return (await store.readRecords(0, 100_000)).filter((r) => r.kind === 'feedback').map((r) => JSON.parse(r.payload));
}

test('the corrected and confirmed rows are sent; numbers Excel made of codes are taken or refused; a code the service refuses is reported; exit 4', async () => {
  const before = await written();
  expect(before.map((b) => b.code).every((c) => /^\d{6,10}$/.test(c))).toBe(true);
  const file = await edited('edited.xlsx', {
    1: { code: before[0].code === '847130' ? '8471.41' : '8471.30' }, // corrected, as text with a dot
    2: { status: 'confirmed' }, // confirmed as written
    3: { code: 901.11 }, // a number: ambiguous, not sent
    4: { code: 94036010 }, // a number of 8 digits: the EU CN line, taken as text
    6: { code: '999999', status: '✓' }, // not an HS subheading: the service refuses it
  });
  const lines: string[] = [];
  const code = await runFeedback({ input: file, url, key: KEY, out: (s) => lines.push(...s.trimEnd().split('\n')) });
  expect(code).toBe(EXIT_FEEDBACK_REFUSED);
  const text = lines.join("\n");
  const expected1 = before[0].code === '847130' ? '847141' : '847130';
  expect(text).toMatch(new RegExp(`^sent     Lines row 3: correction ${expected1} \\(written ${before[0].code}\\), request ${reviewed.requestId} row 1: recorded as corrected`, 'm'));
  expect(text).toMatch(new RegExp(`^sent     Lines row 4: confirmation ${before[1].code} .* recorded as confirmed`, 'm'));
  expect(text).toMatch(/^sent     Lines row 6: correction 94036010 /m);
  expect(text).toMatch(/^refused  Lines row 8: correction 999999 .*: HTTP 400: code: 999999 is not an HS 2022 subheading$/m);
  expect(text).toMatch(/^not sent Lines row 5: HS code 1 holds the number 901\.11: .*ambiguous/m);
  expect(lines[lines.length - 1]).toMatch(/^2 corrections and 1 confirmation sent, 1 refused, 1 not sent, 1 skipped \(1 unchanged\) - Lines of .*edited\.xlsx to http/);

  // What the service recorded: three feedback events in the audit chain, without a `who` from the body.
  const recs = await feedbackRecords();
  expect(recs.map((r) => [r.row, r.code, r.verdict])).toEqual(
    expect.arrayContaining([
      [1, expected1, 'corrected'],
      [2, before[1].code, 'confirmed'],
      [4, '94036010', 'corrected'],
    ]),
  );
  expect(recs).toHaveLength(3);
  expect(recs.find((r) => r.row === 1)).toMatchObject({ request_id: reviewed.requestId, comment: 'from edited.xlsx, Lines row 3' });
  // And the memory answers the next request with the corrected code.
  const again = await fetch(`${url}/api/v1/classify`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-API-Key': KEY }, body: JSON.stringify({ rows: [{ description: DESCRIPTIONS[0] }] }) });
  const body = (await again.json()) as { rows: { candidates: { hs6: string }[]; memory?: { code: string; verdict: string } }[] };
  expect(body.rows[0].memory).toMatchObject({ code: expected1, verdict: 'corrected' });
  expect(body.rows[0].candidates[0].hs6).toBe(expected1);
});

test('without the key nothing is sent and every row says why; with nothing to send the command exits 0; bad inputs exit 2', async () => {
  const file = await edited('confirm-only.xlsx', { 5: { status: 'Confirmed' } });
  const count = (await feedbackRecords()).length;
  const lines: string[] = [];
  expect(await runFeedback({ input: file, url, out: (s) => lines.push(s) })).toBe(EXIT_FEEDBACK_REFUSED);
  expect(lines.join('')).toMatch(new RegExp(`not sent Lines row 7: request ${reviewed.requestId} cannot be read from the service \\(HTTP 401: `));
  expect((await feedbackRecords()).length).toBe(count);

  // Through the command line, the key from API_KEY: the one confirmed row is sent, exit 0.
  const out: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
  process.env.API_KEY = KEY;
  try {
    expect(await main(['node', 'hs-classify', 'feedback', '--input', file, '--url', url])).toBe(0);
    expect(out.join('')).toMatch(/0 corrections and 1 confirmation sent, 0 refused, 0 not sent, 5 skipped \(5 unchanged\)/);
    expect((await feedbackRecords()).length).toBe(count + 1);
    out.length = 0;
    expect(await main(['node', 'hs-classify', 'feedback', '--input', input, '--url', url])).toBe(2); // not a reviewed workbook
    expect(out.join('')).toMatch(/No worksheet in .*supplier\.xlsx has a header row with "HS code 1", "Status" and "Request id"/);
    out.length = 0;
    expect(await main(['node', 'hs-classify', 'feedback', '--input', file, '--sheet', 'Nope', '--url', url])).toBe(2);
    expect(out.join('')).toMatch(/Worksheet "Nope" not found/);
    out.length = 0;
    expect(await main(['node', 'hs-classify', 'feedback', '--input', file, '--url', 'localhost'])).toBe(2);
    expect(out.join('')).toMatch(/--url must be the service's address/);
  } finally {
    delete process.env.API_KEY;
    spy.mockRestore();
    err.mockRestore();
  }
});
