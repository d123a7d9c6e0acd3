// The add-in end to end: the production build (webpack, as `npm run build`) served by the real service (real engine,
// SQLite audit trail, HTTP on 127.0.0.1), in headless Chromium, with a fake Excel workbook injected into the page
// (test/support/fake-excel.js). Every request that does not go to the service is aborted. Each written cell is
// checked against the answer the audit trail recorded for its request id.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildAddin, invoiceSheet, launchChromium, openPane, startService, type Service } from './support/addin-harness';
import type { ResultRow } from '../addin/types';
import { loadDutyData } from '../server/duties/load';

const OUT = path.resolve(__dirname, '..', 'test-output');
const build = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-addin-build-'));
let svc: Service;
let browser: Browser;

beforeAll(async () => {
  await buildAddin(build);
  svc = await startService(build, undefined, undefined, { duties: loadDutyData() });
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await svc?.close();
  fs.rmSync(build, { recursive: true, force: true });
});

const COLS = 'CDEFGHIJK'.split('');
type Cell = string | number;

type Doc = { document: { querySelector(s: string): { textContent: string | null } | null } };
/** Waits until the element's text starts with `prefix` (a function, not a string: the page's CSP forbids eval). */
const waitText = (page: Page, sel: string, prefix: string) =>
  page.waitForFunction(([s, p]) => ((globalThis as unknown as Doc).document.querySelector(s)?.textContent ?? '').startsWith(p), [sel, prefix] as const);

async function fake<T>(page: Page, fn: string): Promise<T> {
  return page.evaluate(fn) as Promise<T>;
}
const values = (page: Page, addr: string) => fake<Cell[][]>(page, `window.__fakeExcel.values(${JSON.stringify(addr)})`);
const formats = (page: Page, addrs: string[]) => fake<(string | undefined)[]>(page, `${JSON.stringify(addrs)}.map(a => window.__fakeExcel.format(a))`);
const fills = (page: Page, addrs: string[]) => fake<(string | undefined)[]>(page, `${JSON.stringify(addrs)}.map(a => window.__fakeExcel.fill(a) ?? null)`);
const stats = (page: Page) => fake<{ syncs: number; runs: number; syncSizes: number[]; formulaWrites: number; selectedAreas: string[] }>(page, 'window.__fakeExcel.stats()');

/** The recorded answer of a request, from the audit trail. */
async function recorded(requestId: string): Promise<ResultRow[]> {
  const r = await fetch(`${svc.url}/api/v1/classifications/${requestId}`);
  expect(r.status).toBe(200);
  return ((await r.json()) as { rows: ResultRow[] }).rows;
}

/** What the pane must write for a result row: computed here from the recorded answer, independently of addin/excel.ts. */
function expectedCells(r: ResultRow, requestCell: string): Cell[] {
  const guard = (s: string) => (/^[=+\-@]/.test(s) ? `'${s}` : s);
  const cells: Cell[] = [];
  for (let i = 0; i < 3; i++) {
    const c = r.candidates[i];
    cells.push(c ? c.code : '', c ? Math.round(c.confidence * 10000) / 10000 : '');
  }
  cells.push(guard(r.reasoning ? r.reasoning.summary : r.error ? `error: ${r.error}` : ''), r.status, requestCell);
  return cells;
}

/**
 * Checks every result cell of sheet rows first..last (1-based) against the answers recorded for the request id
 * written in the row, matched by the item id in column A (the pane is told to send it). With `complete`, also checks
 * that every row of each request was written exactly once.
 */
async function checkRows(page: Page, first: number, last: number, opts: { alter?: (row: number, r: ResultRow) => ResultRow; complete?: boolean } = {}) {
  const got = await values(page, `C${first}:K${last}`);
  const ids = (await values(page, `A${first}:A${last}`)).map((r) => r[0]);
  const byRequest = new Map<string, Map<string | number, ResultRow>>();
  const inOrder = new Map<string, ResultRow[]>();
  const answers: { row: number; result: ResultRow; requestId: string }[] = [];
  const written = new Map<string, number>();
  for (let i = 0; i < got.length; i++) {
    // The request id cell is `id#row`: the request and the row's number within it (what feedback needs).
    const [requestId, rowNo] = String(got[i][8]).split('#');
    if (!byRequest.has(requestId)) {
      const rec = await recorded(requestId);
      inOrder.set(requestId, rec);
      byRequest.set(requestId, new Map(rec.map((r) => [r.id, r])));
    }
    written.set(requestId, (written.get(requestId) ?? 0) + 1);
    const rec = byRequest.get(requestId)!.get(ids[i]);
    expect(rec).toBeDefined();
    expect(inOrder.get(requestId)![Number(rowNo) - 1]).toBe(rec);
    const result = opts.alter ? opts.alter(first + i, rec!) : rec!;
    expect(got[i]).toEqual(expectedCells(result, `${requestId}#${rowNo}`));
    answers.push({ row: first + i, result, requestId });
  }
  if (opts.complete) for (const [id, rows] of byRequest) expect(written.get(id)).toBe(rows.size);
  return answers;
}

test('the build is served by the service with a CSP that lets Excel on the web frame it', async () => {
  const r = await fetch(`${svc.url}/taskpane.html`);
  expect(r.status).toBe(200);
  const csp = r.headers.get('content-security-policy') ?? '';
  expect(csp).toMatch(/frame-ancestors 'self' https:\/\/\*\.officeapps\.live\.com/);
  expect(csp).toMatch(/script-src 'self'/);
  expect(r.headers.get('x-frame-options')).toBeNull();
  const html = await r.text();
  expect(html).toMatch(/<script src="?office\.js"?><\/script>/);
  for (const f of ['office.js', 'o15apptofilemappingtable.js', 'excel-web-16.00.js', 'en-us/office_strings.js', 'taskpane.css', 'assets/icon-80.png', 'manifest.xml', 'index.html']) {
    expect((await fetch(`${svc.url}/${f}`)).status).toBe(200);
  }
});

test('50 rows with a header: every written cell, codes as text, percentages, review fills, formula guard, one sync per chunk, select review rows', async () => {
  const { page, errors } = await openPane(browser, svc.url, { sheet: 'Invoices', cells: invoiceSheet(50, { B10: '', B11: 12345 }), selection: 'B1:B51' });
  // The real service answers; three summaries are altered on the way to the pane to start like formulas (the
  // engine's summaries never do), so that the guard in the production build is exercised.
  const hostile: Record<number, string> = { 3: '=HYPERLINK("http://x.example","click")', 4: '-1+2', 5: '@SUM(A1:A9)' };
  await page.route(`${svc.url}/api/v1/classify`, async (route) => {
    const res = await route.fetch();
    const body = (await res.json()) as { rows: ResultRow[] };
    for (const [row, text] of Object.entries(hostile)) body.rows[Number(row) - 2].reasoning!.summary = text;
    await route.fulfill({ response: res, json: body });
  });
  await expect(page.textContent('#sel-address')).resolves.toBe('Invoices!B1:B51');
  await expect(page.textContent('#sel-rows')).resolves.toBe('50 rows + header');
  await page.fill('#opt-id-column', 'A');
  await page.click('#classify');
  await page.waitForSelector('#summary:not([hidden])');

  // header names, bold, in the nine columns beside the selection
  expect((await values(page, 'C1:K1'))[0]).toEqual(['HS code 1', 'Confidence 1', 'HS code 2', 'Confidence 2', 'HS code 3', 'Confidence 3', 'Reasoning', 'Status', 'Request id']);
  // every cell of every row against the recorded answer (the three hostile summaries as the pane received them)
  const answers = await checkRows(page, 2, 51, { complete: true, alter: (row, r) => (hostile[row] ? { ...r, reasoning: { ...r.reasoning!, summary: hostile[row] } } : r) });
  const rows = new Map(answers.map((a) => [a.row, a]));
  expect(new Set(answers.map((a) => a.requestId)).size).toBe(1);
  // item ids went to the service
  expect(rows.get(2)!.result.id).toBe('INV-00001');
  expect(rows.get(10)!.result).toMatchObject({ status: 'error', error: 'blank description' });
  expect(rows.get(11)!.result.description).toBe('12345');
  // formula guard: the hostile texts carry an apostrophe; nothing written can start a formula
  expect((await values(page, 'I3:I5')).map((r) => r[0])).toEqual([`'${hostile[3]}`, `'${hostile[4]}`, `'${hostile[5]}`]);
  const all = (await values(page, 'C1:K51')).flat();
  expect(all.filter((v) => typeof v === 'string' && /^[=+\-@]/.test(v))).toEqual([]);
  expect((await stats(page)).formulaWrites).toBe(0);
  // codes are text with their leading zeros, confidences numbers formatted as percentages
  const zeroCodes = answers.filter((a) => a.result.candidates[0]?.code.startsWith('0'));
  expect(zeroCodes.length).toBeGreaterThan(3);
  for (const a of zeroCodes) expect(typeof (await values(page, `C${a.row}`))[0][0]).toBe('string');
  for (const r of [2, 25, 51]) {
    expect(await formats(page, COLS.map((c) => `${c}${r}`))).toEqual(['@', '0.0%', '@', '0.0%', '@', '0.0%', '@', '@', '@']);
  }
  // review rows highlighted across the nine columns, error rows in red, ok rows plain
  for (const a of answers) {
    const want = a.result.status === 'review' ? '#FFF4CE' : a.result.status === 'error' ? '#FDE7E9' : null;
    expect(await fills(page, [`C${a.row}`, `K${a.row}`])).toEqual([want, want]);
  }
  expect(await fills(page, ['L3', 'B3'])).toEqual([null, null]);
  const counts = { ok: 0, review: 0, error: 0 };
  for (const a of answers) counts[a.result.status]++;
  expect(counts.ok + counts.review).toBeGreaterThan(0);
  expect(await page.textContent('#sum-ok')).toBe(String(counts.ok));
  expect(await page.textContent('#sum-review')).toBe(String(counts.review));
  expect(await page.textContent('#sum-error')).toBe(String(counts.error));
  // writes: one sync for the one chunk (50 rows x 9 cells + the header)
  expect((await stats(page)).syncSizes).toEqual([50 * 9 + 9]);
  // the descriptions are untouched
  expect((await values(page, 'B2:B3')).map((r) => r[0])).toEqual(['mens 100% cotton knitted t-shirt', 'lithium ion battery pack for laptop']);

  // select the rows needing review (review and error rows, consecutive rows as one area)
  await page.click('#select-review');
  await page.waitForFunction(() => (globalThis as unknown as { __fakeExcel: { book: { selectedAreas: string[] } } }).__fakeExcel.book.selectedAreas.length > 0);
  const want: string[] = [];
  let start = -1;
  for (let r = 2; r <= 52; r++) {
    const needs = r <= 51 && rows.get(r)!.result.status !== 'ok';
    if (needs && start < 0) start = r;
    if (!needs && start >= 0) {
      want.push(start === r - 1 ? `B${start}:K${start}` : `B${start}:K${r - 1}`);
      start = -1;
    }
  }
  expect((await stats(page)).selectedAreas).toEqual(want);

  fs.mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: path.join(OUT, 'addin-pane.png'), fullPage: true });
  expect(errors).toEqual([]);
  await page.context().close();
});

test('fill blanks only leaves filled rows alone; overwrite asks first', async () => {
  const { page, errors } = await openPane(browser, svc.url, { sheet: 'Invoices', cells: invoiceSheet(6, { J3: 'checked by hand', C1: 'My code' }), selection: 'B1:B7' });
  await page.fill('#opt-id-column', 'A');
  await page.click('#classify');
  await page.waitForSelector('#summary:not([hidden])');
  expect(await values(page, 'C3:K3')).toEqual([['', '', '', '', '', '', '', 'checked by hand', '']]);
  expect((await values(page, 'C1:D1'))[0]).toEqual(['My code', '']); // a non-empty header row is kept
  await checkRows(page, 4, 7);
  expect(await page.textContent('#sum-note')).toMatch(/^5 of 5 rows classified; 1 already filled left alone/);
  // overwrite: the pane asks, "Keep them" changes nothing, "Overwrite" replaces
  await page.check('#mode-overwrite');
  await page.click('#classify');
  await page.waitForSelector('#confirm:not([hidden])');
  expect(await page.textContent('#confirm-text')).toBe('46 cells in the 9 columns beside the selection are not empty (and the header row). Overwrite them?');
  await page.click('#confirm-no');
  expect((await values(page, 'J3'))[0][0]).toBe('checked by hand');
  await page.click('#classify');
  await page.click('#confirm-yes');
  await page.waitForSelector('#summary:not([hidden])');
  await waitText(page, '#sum-note', '6 of 6');
  await checkRows(page, 2, 7, { complete: true });
  expect((await values(page, 'C1'))[0][0]).toBe('HS code 1');
  expect(errors).toEqual([]);
  await page.context().close();
});

test('a country of origin: a fixed country, or a column of the same rows; the duty total and duties in two more columns', async () => {
  const cells = invoiceSheet(3, { B2: 'laptop computer 14 inch', B3: 'womens leather handbag', B4: 'stainless steel hex bolts M8 x 40' });
  const { page, errors } = await openPane(browser, svc.url, { sheet: 'Invoices', cells, selection: 'B1:B4' });
  await page.fill('#opt-id-column', 'A');
  // An origin needs the US lines: the pane says so and sends nothing.
  await page.fill('#opt-origin', 'cn');
  expect(await page.isChecked('#origin-fixed')).toBe(true);
  await page.click('#classify');
  await waitText(page, '#message-text', 'A country of origin adds the US duties');
  await page.selectOption('#opt-country', 'US');
  await page.fill('#opt-origin', 'C1');
  await page.click('#classify');
  await waitText(page, '#message-text', 'Country of origin: "C1" is not a two-letter country code');
  // A fixed country on every row.
  await page.fill('#opt-origin', 'cn');
  await page.click('#classify');
  await page.waitForSelector('#summary:not([hidden])');
  expect((await values(page, 'C1:N1'))[0]).toEqual([...'HS code 1,Confidence 1,HS code 2,Confidence 2,HS code 3,Confidence 3,Reasoning,Status,Request id'.split(','), 'Duty total', 'Duties', '']);
  const [requestId] = String((await values(page, 'K2'))[0][0]).split('#');
  const rec = await recorded(requestId);
  expect(rec.map((r) => (r as ResultRow & { origin?: string }).origin)).toEqual(['CN', 'CN', 'CN']);
  const got = await values(page, 'C2:M4');
  for (let i = 0; i < 3; i++) {
    const top = rec[i].candidates[0] as ResultRow['candidates'][0] & { duties?: { total_ad_valorem: number | null } };
    expect(got[i].slice(0, 9)).toEqual(expectedCells(rec[i], `${requestId}#${i + 1}`));
    if (top?.duties) {
      expect(got[i][10]).toMatch(/^CN \d{4}-\d{2}-\d{2}: general /);
      expect(got[i][9]).toBe(top.duties.total_ad_valorem === null ? '' : Math.round(top.duties.total_ad_valorem * 100) / 10000);
    } else {
      // HS 6 with the national line undecided: the Duties cell says why there are none.
      expect(got[i][9]).toBe('');
      expect(got[i][10]).toMatch(/^CN: no duties, HS code 1 \d+ is not a US 10-digit line/);
    }
  }
  expect(rec.filter((r) => (r.candidates[0] as { duties?: unknown } | undefined)?.duties).length).toBeGreaterThanOrEqual(2); // the laptop and the handbag decide their US lines
  expect(await formats(page, ['L2', 'M2'])).toEqual(['0.0%', '@']);

  // Origin from a column of the same rows (P: right of the eleven result columns), overwriting.
  await page.evaluate(`window.__fakeExcel.set('P2', 'CN'); window.__fakeExcel.set('P3', 'vn'); window.__fakeExcel.set('P4', 'ZZ')`);
  await page.fill('#opt-origin-column', 'P');
  expect(await page.isChecked('#origin-column')).toBe(true);
  await page.check('#mode-overwrite');
  await page.click('#classify');
  await page.waitForSelector('#confirm:not([hidden])');
  expect(await page.textContent('#confirm-text')).toMatch(/in the 11 columns beside the selection/);
  await page.click('#confirm-yes');
  // The summary of the first run already says "3 of 3": wait for the second run's request id in K2.
  type Fake = { __fakeExcel: { values(a: string): Cell[][] } };
  await page.waitForFunction((was) => (globalThis as unknown as Fake).__fakeExcel.values('K2:K4').every(([c]) => !String(c).startsWith(`${was}#`)), requestId);
  await waitText(page, '#sum-note', '3 of 3');
  const [requestId2] = String((await values(page, 'K2'))[0][0]).split('#');
  expect(requestId2).not.toBe(requestId);
  const rec2 = (await recorded(requestId2)) as (ResultRow & { origin?: string })[];
  expect(rec2.map((r) => r.origin ?? null)).toEqual(['CN', 'VN', null]);
  const got2 = await values(page, 'L2:M4');
  expect(got2[0][1]).toMatch(/^CN /);
  if ((rec2[1].candidates[0] as { duties?: unknown }).duties) expect(got2[1][1]).toMatch(/^VN /);
  expect(got2[2]).toEqual(['', 'origin: "ZZ" is not an ISO 3166-1 alpha-2 country code']);
  await page.screenshot({ path: path.join(OUT, 'addin-origin.png'), fullPage: true });
  expect(errors).toEqual([]);
  await page.context().close();
});

test('Send corrections: an edited HS code 1 and a row marked confirmed reach the service as feedback; ambiguous numbers and refusals are shown per row', async () => {
  const { page, errors } = await openPane(browser, svc.url, { sheet: 'Invoices', cells: invoiceSheet(5), selection: 'B1:B6' });
  await page.fill('#opt-id-column', 'A');
  await page.click('#classify');
  await page.waitForSelector('#corrections:not([hidden])');
  const answers = await checkRows(page, 2, 6, { complete: true });
  const sent: Record<string, unknown>[] = [];
  page.on('request', (r) => {
    if (r.url() === `${svc.url}/api/v1/feedback`) sent.push(r.postDataJSON());
  });
  // The analyst corrects row 2 (typed as text, with a dot), confirms row 3, types a code as a number in row 4.
  const was = String(answers[0].result.candidates[0].code);
  const corrected = was === '610910' ? '610990' : '610910';
  await page.evaluate(`window.__fakeExcel.set('C2', '${corrected.slice(0, 4)}.${corrected.slice(4)}'); window.__fakeExcel.set('J3', 'confirmed'); window.__fakeExcel.set('C4', 901.11)`);
  await page.click('#send-corrections');
  await waitText(page, '#corrections-result', 'Sent');
  expect(await page.textContent('#corrections-result')).toBe('Sent 1 correction and 1 confirmation; 1 not sent (see below).');
  // what was sent, row by row, and where the memory stands (no keys here: one reviewer is enough)
  expect(await page.$$eval('#corrections-sent li', (li) => li.map((x) => x.textContent))).toEqual([
    `Invoices row 2: correction ${corrected} (written ${was}), recorded as corrected; the memory now serves it`,
    `Invoices row 3: confirmation ${answers[1].result.candidates[0].code} (written ${answers[1].result.candidates[0].code}), recorded as confirmed; the memory now serves it`,
  ]);
  expect(await page.$$eval('#corrections-problems li', (li) => li.map((x) => x.textContent))).toEqual([expect.stringMatching(/^Invoices row 4: HS code 1 holds the number 901\.11: .*ambiguous/)]);
  const [requestId] = String((await values(page, 'K2'))[0][0]).split('#');
  expect(sent).toEqual(
    expect.arrayContaining([
      { request_id: requestId, row: 1, code: corrected, comment: 'from Excel, Invoices row 2' },
      { request_id: requestId, row: 2, code: String(answers[1].result.candidates[0].code), comment: 'from Excel, Invoices row 3' },
    ]),
  );
  expect(sent).toHaveLength(2);
  // The service remembers: the same description now comes back with the analyst's code first.
  const again = await fetch(`${svc.url}/api/v1/classify`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ rows: [{ description: answers[0].result.description }] }) });
  const row = ((await again.json()) as { rows: (ResultRow & { memory?: { code: string; verdict: string } })[] }).rows[0];
  expect(row.memory).toMatchObject({ code: corrected, verdict: 'corrected' });
  // Pressing again sends nothing new.
  await page.click('#send-corrections');
  await waitText(page, '#corrections-result', 'Nothing sent');
  expect(sent).toHaveLength(2);
  expect(await page.isHidden('#corrections-sent')).toBe(true);
  // A refusal (as the service answers a key without the review role) is shown with the service's message.
  await page.route(`${svc.url}/api/v1/feedback`, (route) => route.fulfill({ status: 403, json: { error: 'feedback needs an API key with the review role', request_id: 'x' } }));
  await page.evaluate(`window.__fakeExcel.set('C4', '0901.21')`);
  await page.click('#send-corrections');
  await waitText(page, '#corrections-result', 'Nothing sent; 1 refused');
  expect(await page.$$eval('#corrections-problems li', (li) => li.map((x) => x.textContent))).toEqual(['Invoices row 4 (090121): HTTP 403: feedback needs an API key with the review role']);
  await page.screenshot({ path: path.join(OUT, 'addin-corrections.png'), fullPage: true });
  expect(errors).toEqual([]);
  await page.context().close();
});

test('cancel half-way keeps the rows written; Resume finishes; a failed chunk shows why and Retry continues', async () => {
  const n = 2000; // four chunks of 500
  const { page, errors } = await openPane(browser, svc.url, { sheet: 'Invoices', cells: invoiceSheet(n), selection: `B1:B${n + 1}` });
  let calls = 0;
  let release!: () => void;
  const cancelled = new Promise<void>((r) => (release = r));
  let isCancelled = false;
  let refused = false;
  // Chunks go out several at a time: each is known by its first item id (INV-00001, -00501, -01001, -01501).
  await page.route(`${svc.url}/api/v1/classify`, async (route) => {
    calls++;
    const first = (JSON.parse(route.request().postData() ?? '{}') as { rows?: { item_id?: string }[] }).rows?.[0]?.item_id;
    if (first === 'INV-01001' && !isCancelled) {
      // the third chunk is held until Cancel was pressed; the page aborts it
      await cancelled;
      await route.abort().catch(() => undefined);
      return;
    }
    if (first === 'INV-01501' && isCancelled && !refused) {
      refused = true;
      await route.abort('connectionrefused'); // the service unreachable for the fourth chunk's first attempt after Resume
      return;
    }
    await route.fallback();
  });
  await page.fill('#opt-id-column', 'A');
  await page.click('#classify');
  await waitText(page, '#progress-text', '1,000 of 2,000 rows');
  await page.click('#cancel');
  isCancelled = true;
  release();
  await page.waitForSelector('#message:not([hidden])');
  expect(await page.textContent('#message-text')).toBe('Cancelled after 1,000 of 2,000 rows. The rows written stay.');
  expect(await page.textContent('#retry')).toBe('Resume');
  await checkRows(page, 2, 1001);
  expect((await values(page, 'C1002:K2001')).flat().every((v) => v === '')).toBe(true);

  await page.click('#retry'); // Resume: chunks 3 and 4 are sent again, chunk 4 fails
  await page.waitForSelector('#message.error:not([hidden])');
  expect(await page.textContent('#message-text')).toMatch(
    /^rows 1502-2001: the classification service \(this page's server\) cannot be reached: .+\. The 1,500 rows written stay; Retry continues from the next one\.$/,
  );
  await checkRows(page, 2, 1501);
  expect((await values(page, 'C1502:K2001')).flat().every((v) => v === '')).toBe(true);
  await page.click('#retry');
  await page.waitForSelector('#message:not(.error)', { state: 'attached' });
  await waitText(page, '#sum-note', '2,000 of 2,000');
  const answers = await checkRows(page, 2, 2001, { complete: true });
  expect(new Set(answers.map((a) => a.requestId)).size).toBe(4);
  // first run: all four chunks; Resume: chunks 3 and 4; Retry: chunk 4
  expect(calls).toBe(7);
  expect((await stats(page)).syncSizes.length).toBe(4);
  expect(errors).toEqual([]);
  await page.context().close();
});

test('10,000 rows complete: every row written with its status, codes as text, one sync per 500-row chunk', async () => {
  const n = 10_000;
  const { page, errors } = await openPane(browser, svc.url, { sheet: 'Invoices', cells: invoiceSheet(n), selection: `B1:B${n + 1}` });
  await expect(page.textContent('#sel-rows')).resolves.toBe('10,000 rows + header');
  await page.fill('#opt-id-column', 'A');
  await page.click('#classify');
  await page.waitForSelector('#summary:not([hidden])', { timeout: 110_000 });
  expect(await page.textContent('#sum-note')).toMatch(/^10,000 of 10,000 rows classified; 20 requests/);
  const got = await values(page, `C2:K${n + 1}`);
  expect(got.filter((r) => ['ok', 'review', 'error'].includes(String(r[7]))).length).toBe(n);
  expect(got.every((r) => typeof r[0] === 'string' && /^\d{6}$/.test(r[0] as string))).toBe(true);
  const ids = [...new Set(got.map((r) => String(r[8]).split('#')[0]))]; // id#row
  expect(ids).toHaveLength(20);
  // spot-check a whole chunk against the trail
  await checkRows(page, 4502, 5001, { complete: true });
  const s = await stats(page);
  expect(s.syncSizes).toHaveLength(20);
  expect(s.syncSizes[0]).toBe(500 * 9 + 9);
  expect(s.syncSizes.slice(1).every((k) => k === 500 * 9)).toBe(true);
  const sum = ['#sum-ok', '#sum-review', '#sum-error'];
  const counts = await Promise.all(sum.map(async (id) => Number((await page.textContent(id))!.replace(/,/g, ''))));
  expect(counts.reduce((a, b) => a + b, 0)).toBe(n);
  fs.mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: path.join(OUT, 'addin-pane-10000.png'), fullPage: true });
  expect(errors).toEqual([]);
  await page.context().close();
});

test('outside Excel the same page classifies one description: top three, confidences, reasoning, examples, rulings', async () => {
  const { page, errors, blocked } = await openPane(browser, svc.url, undefined, 'index.html');
  expect(await page.isHidden('#excel-mode')).toBe(true);
  const d = 'lithium ion battery pack for laptop';
  await page.fill('#web-text', d);
  await page.selectOption('#web-country', 'US');
  await page.click('#web-classify');
  await page.waitForSelector('#web-result .candidate');
  const want = (await (await fetch(`${svc.url}/api/v1/classify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rows: [{ description: d }], country: 'US' }) })).json()) as { rows: ResultRow[] };
  const r = want.rows[0];
  const cards = page.locator('#web-result .candidate');
  expect(await cards.count()).toBe(Math.min(3, r.candidates.length));
  for (let i = 0; i < (await cards.count()); i++) {
    const c = r.candidates[i];
    expect(await cards.nth(i).locator('.code').textContent()).toBe(c.code);
    expect(await cards.nth(i).locator('.conf').textContent()).toBe(`${(c.confidence * 100).toFixed(1)}%`);
    expect(await cards.nth(i).locator('.examples li').count()).toBe(c.examples.length);
    expect(await cards.nth(i).locator('.rulings li').count()).toBe(c.rulings?.length ?? 0);
  }
  expect(r.candidates.some((c) => c.examples.length > 0)).toBe(true);
  expect(await page.textContent('#web-result .reasoning .summary')).toBe(r.reasoning!.summary);
  expect(await page.locator('#web-result .steps li').count()).toBe(r.reasoning!.steps.length);
  expect(await page.textContent('#web-result .badge')).toBe(r.status);
  fs.mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: path.join(OUT, 'web-page.png'), fullPage: true });
  expect(errors).toEqual([]);
  expect(blocked).toEqual([]);
  await page.context().close();
});
