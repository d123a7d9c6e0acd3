// Unit tests of the add-in's Excel I/O (addin/excel.ts), its service client (addin/api.ts) and the run loop
// (addin/runner.ts), on office-addin-mock ranges (test/support/mock-workbook.ts). The end-to-end test with the real
// service and the production build is test/addin-e2e.test.ts.
// office-addin-mock needs only the OfficeApp enum from office-addin-manifest, whose package entry pulls in an ES
// module jest cannot require on Node 20: give it that part of the real package.
jest.mock('office-addin-manifest', () => jest.requireActual('office-addin-manifest/lib/officeApp'));
import { MockWorkbook } from './support/mock-workbook';
import {
  a1,
  columnIndex,
  columnLetters,
  ERROR_FILL,
  formulaSafe,
  getSelectionInfo,
  readSelection,
  READ_BLOCK,
  RESULT_COLUMNS,
  resultCells,
  REVIEW_FILL,
  selectRows,
  writeChunk,
} from '../addin/excel';
import { bodyBytes, CHUNK_BYTES, classifyChunk, planChunks } from '../addin/api';
import { ClassifyRun } from '../addin/runner';
import type { ResultRow } from '../addin/types';

const L = MockWorkbook.letters;

function row(status: ResultRow['status'], codes: string[], confs: number[], summary = 'GRI 1', error?: string): ResultRow {
  return {
    id: 1,
    description: 'x',
    status,
    candidates: codes.map((code, i) => ({ hs6: code.slice(0, 6), code, confidence: confs[i], description: 'd', examples: [], rulings: [] })),
    ...(status === 'error' ? { error } : { reasoning: { gri: 'GRI 1', steps: [], notes: [], rulings: [], summary } }),
  };
}

/** A sheet with a header in B1 and descriptions in B2:B(n+1), item ids in A. */
function book(n: number, selection = `B1:B${n + 1}`) {
  const wb = new MockWorkbook('Invoices', selection);
  wb.set('B1', 'Description');
  wb.set('A1', 'Item');
  for (let i = 0; i < n; i++) {
    wb.set(`B${i + 2}`, `item ${i + 1}`);
    wb.set(`A${i + 2}`, `ID-${i + 1}`);
  }
  return wb;
}

describe('addresses and cells', () => {
  test('column letters both ways, A1 blocks', () => {
    expect([0, 25, 26, 51, 52, 701, 702, 16383].map(columnLetters)).toEqual(['A', 'Z', 'AA', 'AZ', 'BA', 'ZZ', 'AAA', 'XFD']);
    expect(['a', 'Z', 'aa', 'XFD', ' b '].map(columnIndex)).toEqual([0, 25, 26, 16383, 1]);
    expect(['', '1', 'A1', 'XFE', 'ABCD'].map(columnIndex)).toEqual([null, null, null, null, null]);
    expect(a1(0, 0, 0, 0)).toBe('A1');
    expect(a1(1, 2, 50, 10)).toBe('C2:K51');
  });

  test('formulaSafe: =, +, -, @ (and full-width forms, tab, CR) get an apostrophe; nothing else changes', () => {
    for (const s of ['=SUM(A1)', '+1', '-2', '@x', '\tx', '\rx', '\uFF1D1']) expect(formulaSafe(s)).toBe(`'${s}`);
    for (const s of ['610910', 'a=b', '', "'x", ' =x']) expect(formulaSafe(s)).toBe(s);
  });

  test('resultCells: codes as strings with leading zeros, confidences rounded to 4 places, reasoning / status / request id guarded', () => {
    const r = row('review', ['010121', '0102290000', '030617'], [0.123456, 0.5, 0.00004], '=HYPERLINK("x") GRI 3(b)');
    expect(resultCells(r, '-req', 3)).toEqual(['010121', 0.1235, '0102290000', 0.5, '030617', 0, `'=HYPERLINK("x") GRI 3(b)`, 'review', `'-req#3`]);
    expect(resultCells(row('ok', ['850760'], [0.9]), 'id1', 1)).toEqual(['850760', 0.9, '', '', '', '', 'GRI 1', 'ok', 'id1#1']);
    expect(resultCells(row('error', [], [], '', 'blank description'), 'id1', 2)).toEqual(['', '', '', '', '', '', 'error: blank description', 'error', 'id1#2']);
    expect(resultCells(row('error', [], [], '', '@evil'), 'id1', 1)[6]).toBe('error: @evil');
  });
});

describe('reading the selection', () => {
  test('getSelectionInfo: address, position and size in one sync', async () => {
    const wb = book(50);
    expect(await getSelectionInfo(wb.context)).toEqual({ sheet: 'Invoices', address: 'Invoices!B1:B51', rowIndex: 0, columnIndex: 1, rowCount: 51, columnCount: 1 });
    expect(wb.syncs).toBe(1);
  });

  test('readSelection with a header and an item-id column: descriptions, ids, numbers kept, blanks null, filled rows found', async () => {
    const wb = book(5);
    wb.set('B4', 12345);
    wb.set('B5', '');
    wb.set('A3', '');
    wb.set('A6', 77);
    wb.set('E6', 'old'); // a result cell of the last row (C..K are the result columns)
    wb.set('K3', 'x');
    const d = await readSelection(wb.context, { header: true, idColumn: 'a' });
    expect(d.rows.map((r) => [r.sheetRow, r.description, r.itemId, r.filled])).toEqual([
      [1, 'item 1', 'ID-1', false],
      [2, 'item 2', undefined, true],
      [3, 12345, 'ID-3', false],
      [4, null, 'ID-4', false],
      [5, 'item 5', 77, true],
    ]);
    expect(d.outColumn).toBe(2);
    expect(d.nonEmptyCells).toBe(2);
    expect(d.headerBlank).toBe(true);
    expect(d.header).toBe(true);
    // the header row's result cells, descriptions, results and ids: exactly these ranges
    expect(wb.requested).toEqual(['B1:B6', 'C1:K1', 'B2:B6', 'C2:K6', 'A2:A6']);
    expect(wb.syncs).toBe(3); // position, header row, one block
  });

  test('without a header every row is data; a non-empty header row is reported', async () => {
    const wb = book(3, 'B2:B4');
    wb.set('C1', 'mine');
    const d = await readSelection(wb.context, { header: false });
    expect(d.rows.map((r) => r.description)).toEqual(['item 1', 'item 2', 'item 3']);
    const d2 = await readSelection(new MockWorkbook('Invoices', 'B1:B4').context, { header: true });
    expect(d2.rows).toHaveLength(3);
    const wb3 = book(3);
    wb3.set('D1', 'mine');
    expect((await readSelection(wb3.context, { header: true })).headerBlank).toBe(false);
  });

  test(`large selections are read in blocks of ${READ_BLOCK} rows, one sync each`, async () => {
    const n = READ_BLOCK * 2 + 10;
    const wb = book(n);
    const d = await readSelection(wb.context, { header: true });
    expect(d.rows).toHaveLength(n);
    expect(d.rows[n - 1]).toEqual({ sheetRow: n, description: `item ${n}`, filled: false });
    expect(wb.syncs).toBe(2 + 3);
  });

  test('clear errors: bad id column, whole-column selections', async () => {
    await expect(readSelection(book(2).context, { header: true, idColumn: '1A' })).rejects.toThrow(/item-id column "1A" is not a column letter/);
    await expect(readSelection(new MockWorkbook('Invoices', 'B1:B1048576').context, { header: true })).rejects.toThrow(/1,048,576 rows: select the cells with descriptions/);
  });
});

describe('writing results', () => {
  test('one sync per chunk; nine columns beside the selection; header; text and percentage formats; review and error fills', async () => {
    const wb = book(4);
    const d = await readSelection(wb.context, { header: true });
    wb.syncs = 0;
    wb.set('F3', 'stale');
    const results = [
      row('ok', ['010121', '010129', '010130'], [0.91, 0.05, 0.01]),
      row('review', ['880610', '950300', '852580'], [0.37, 0.2, 0.1], '-8806.10: GRI 1'),
      row('error', [], [], '', 'blank description'),
      row('ok', ['0101210010'], [0.8]),
    ];
    await writeChunk(wb.context, d, d.rows.map((r, i) => ({ row: r, result: results[i], rowNo: i + 1 })), 'req-1', { writeHeader: true });
    expect(wb.syncs).toBe(1);
    expect(['C1', 'D1', 'E1', 'F1', 'G1', 'H1', 'I1', 'J1', 'K1'].map((a) => wb.get(a))).toEqual([...RESULT_COLUMNS]);
    expect(wb.isBold('C1')).toBe(true);
    const line = (r: number) => Array.from({ length: 9 }, (_, j) => wb.get(`${L(2 + j)}${r}`));
    expect(line(2)).toEqual(['010121', 0.91, '010129', 0.05, '010130', 0.01, 'GRI 1', 'ok', 'req-1#1']);
    expect(line(3)).toEqual(['880610', 0.37, '950300', 0.2, '852580', 0.1, "'-8806.10: GRI 1", 'review', 'req-1#2']);
    expect(line(4)).toEqual(['', '', '', '', '', '', 'error: blank description', 'error', 'req-1#3']);
    expect(line(5)).toEqual(['0101210010', 0.8, '', '', '', '', 'GRI 1', 'ok', 'req-1#4']);
    for (let r = 2; r <= 5; r++) {
      expect(Array.from({ length: 9 }, (_, j) => wb.format(`${L(2 + j)}${r}`))).toEqual(['@', '0.0%', '@', '0.0%', '@', '0.0%', '@', '@', '@']);
    }
    expect(wb.fill('C3')).toBe(REVIEW_FILL);
    expect(wb.fill('K3')).toBe(REVIEW_FILL);
    expect(wb.fill('C4')).toBe(ERROR_FILL);
    expect(wb.fill('C2')).toBeNull(); // ok rows: fill cleared (an earlier review highlight goes)
    expect(wb.fill('L3')).toBeUndefined(); // nothing beyond the nine columns
    expect(wb.get('B3')).toBe('item 2'); // the descriptions are untouched
  });

  test('rows not in the chunk (fill blanks only) are left alone: separate blocks, still one sync', async () => {
    const wb = book(5);
    wb.set('C4', 'keep me');
    const d = await readSelection(wb.context, { header: true });
    wb.syncs = 0;
    wb.requested.length = 0;
    const todo = d.rows.filter((r) => !r.filled);
    expect(todo.map((r) => r.sheetRow)).toEqual([1, 2, 4, 5]);
    await writeChunk(wb.context, d, todo.map((r, i) => ({ row: r, result: row('ok', ['610910'], [0.6]), rowNo: i + 1 })), 'r');
    expect(wb.syncs).toBe(1);
    expect(wb.get('C4')).toBe('keep me');
    expect(wb.get('C3')).toBe('610910');
    expect(wb.get('C6')).toBe('610910');
    expect(wb.get('C1')).toBeUndefined(); // no header asked for
    expect(wb.requested).toEqual(['C2:K3', 'C5:K6', 'C2:K3', 'C5:K6']); // values, then fills
  });

  test('selectRows selects the review rows, consecutive rows as one area', async () => {
    const wb = book(10);
    const d = await readSelection(wb.context, { header: true });
    expect(await selectRows(wb.context, d, [5, 2, 3, 9])).toBe(3);
    expect(wb.selectedAreas).toEqual(['B3:K4', 'B6:K6', 'B10:K10']);
    expect(await selectRows(wb.context, d, [])).toBe(0);
  });
});

describe('country of origin', () => {
  const stack = {
    origin: 'CN',
    date: '2026-05-01',
    duties: [
      { kind: 'general', heading: '6109.10.00', rate: '16.5%', as_of: { revision: 'HTS 2026 Revision 4', effective: null } },
      { kind: 'section301', heading: '9903.88.15', rate: '7.5%', as_of: { revision: 'Chapter 99 2026 Revision 6', effective: '2026-04-23' } },
    ],
    total_ad_valorem: 24,
    total_note: null,
    may_apply: [],
  };
  const withStack = (): ResultRow => {
    const r = row('ok', ['6109100012'], [0.9]);
    r.candidates[0].duties = stack;
    return r;
  };

  test('a fixed country goes on every row; eleven columns: the nine, then the duty total (a percentage) and the duties (text)', async () => {
    const wb = book(2);
    const d = await readSelection(wb.context, { header: true, origin: { kind: 'fixed', country: ' cn ' } });
    expect(d.width).toBe(11);
    expect(d.rows.map((r) => r.origin)).toEqual(['CN', 'CN']);
    await writeChunk(wb.context, d, d.rows.map((r, i) => ({ row: r, result: i === 0 ? withStack() : row('review', ['610910'], [0.4]), rowNo: i + 1 })), 'req-12345', { writeHeader: true });
    expect(['C1', 'K1', 'L1', 'M1', 'N1'].map((a) => wb.get(a))).toEqual(['HS code 1', 'Request id', 'Duty total', 'Duties', undefined]);
    expect(wb.get('L2')).toBe(0.24);
    expect(wb.format('L2')).toBe('0.0%');
    expect(wb.get('M2')).toBe('CN 2026-05-01: general 16.5% + section301 7.5% 9903.88.15; total 24% | as of HTS 2026 Revision 4, Chapter 99 2026 Revision 6 (2026-04-23)');
    expect(wb.format('M2')).toBe('@');
    // An HS 6 answer (the US line not decided) has no duty stack: the duty cells stay empty.
    expect([wb.get('L3'), wb.get('M3')]).toEqual(['', '']);
    expect(wb.fill('M3')).toBe(REVIEW_FILL);
    // The selection of review rows spans the eleven columns.
    await selectRows(wb.context, d, [2]);
    expect(wb.selectedAreas).toEqual(['B3:M3']);
  });

  test('without an origin the nine columns are unchanged; a fixed country that is not two letters or not a country is refused', async () => {
    const wb = book(2);
    expect((await readSelection(wb.context, { header: true })).width).toBe(9);
    expect((await readSelection(wb.context, { header: true, origin: { kind: 'none' } })).rows[0].origin).toBeUndefined();
    await expect(readSelection(wb.context, { header: true, origin: { kind: 'fixed', country: 'China' } })).rejects.toThrow(/Country of origin: "China" is not a two-letter country code/);
    await expect(readSelection(wb.context, { header: true, origin: { kind: 'fixed', country: 'ZZ' } })).rejects.toThrow(/"ZZ" is not an ISO 3166-1 alpha-2 country code/);
    await expect(readSelection(wb.context, { header: true, origin: { kind: 'fixed', country: '' } })).rejects.toThrow(/type a two-letter code/);
    await expect(readSelection(wb.context, { header: true, origin: { kind: 'column', column: '1' } })).rejects.toThrow(/origin column "1" is not a column letter/);
    await expect(readSelection(wb.context, { header: true, origin: { kind: 'column', column: 'D' } })).rejects.toThrow(/one of the result columns/);
  });

  test('origin from a column of the same rows: sent with each row; a blank or unknown origin is sent without one and its Duties cell says why', async () => {
    const wb = book(4);
    wb.set('A2', 'cn');
    wb.set('A3', 'ZZ');
    wb.set('A4', '');
    wb.set('A5', '=1');
    const d = await readSelection(wb.context, { header: true, origin: { kind: 'column', column: 'a' } });
    expect(d.rows.map((r) => r.origin ?? null)).toEqual(['CN', null, null, null]);
    expect(d.rows[1].originProblem).toMatch(/"ZZ" is not an ISO 3166-1 alpha-2 country code/);
    expect(d.rows[2].originProblem).toMatch(/blank/);
    const sent: unknown[] = [];
    const fetch = (async (_u: string, init: RequestInit) => {
      const body = JSON.parse(String(init.body)) as { rows: unknown[] };
      sent.push(...body.rows);
      return new Response(JSON.stringify({ request_id: 'req-origin', kind: 'classify', created_at: '', country: 'US', row_count: 4, rows: [withStack(), row('ok', ['610910'], [0.9]), row('ok', ['610910'], [0.9]), row('ok', ['610910'], [0.9])] }), { status: 200 });
    }) as unknown as typeof globalThis.fetch;
    const run = new ClassifyRun((fn) => fn(wb.context), d, { mode: 'overwrite', country: 'US', client: { fetch } });
    expect(await run.continue()).toBe('done');
    expect(sent).toEqual([
      { description: 'item 1', origin: 'CN' },
      { description: 'item 2' },
      { description: 'item 3' },
      { description: 'item 4' },
    ]);
    expect(wb.get('L2')).toBe(0.24);
    expect(wb.get('M3')).toBe('origin: "ZZ" is not an ISO 3166-1 alpha-2 country code');
    expect(wb.get('M4')).toMatch(/^origin: blank/);
    expect(wb.get('M5')).toBe('origin: "=1" is not a two-letter country code (ISO 3166-1 alpha-2, e.g. CN)');
  });
});

describe('service client', () => {
  test('planChunks: at most 500 rows, and under the byte budget when descriptions are long', () => {
    const rows = Array.from({ length: 1234 }, (_, i) => ({ description: `item ${i}` }));
    expect(planChunks(rows)).toEqual([
      [0, 500],
      [500, 1000],
      [1000, 1234],
    ]);
    const long = Array.from({ length: 500 }, () => ({ description: '\u00e9\u4e2d'.repeat(15000), item_id: 'x'.repeat(200) }));
    const chunks = planChunks(long);
    expect(chunks.length).toBeGreaterThan(1);
    for (const [s, e] of chunks) {
      const b = bodyBytes(long.slice(s, e), 'US');
      expect(b).toBeLessThanOrEqual(CHUNK_BYTES);
      expect(b).toBe(Buffer.byteLength(JSON.stringify({ rows: long.slice(s, e), country: 'US' })));
    }
    expect(chunks[chunks.length - 1][1]).toBe(500);
    expect(planChunks([])).toEqual([]);
  });

  const okBody = (n: number) => JSON.stringify({ request_id: 'r1', kind: 'classify', created_at: '', country: null, row_count: n, rows: Array.from({ length: n }, () => row('ok', ['610910'], [0.5])) });

  test('classifyChunk posts the rows (and the API key) and returns the answer', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const fetch = (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response(okBody(2), { status: 200 });
    }) as unknown as typeof globalThis.fetch;
    const r = await classifyChunk([{ description: 'a' }, { description: 'b', item_id: 7 }], 'US', { fetch, apiKey: 'k', baseUrl: 'http://h' });
    expect(r.rows).toHaveLength(2);
    expect(calls[0].url).toBe('http://h/api/v1/classify');
    expect(JSON.parse(String(calls[0].init.body))).toEqual({ rows: [{ description: 'a' }, { description: 'b', item_id: 7 }], country: 'US' });
    expect((calls[0].init.headers as Record<string, string>)['X-API-Key']).toBe('k');
  });

  test('classifyChunk failures: unreachable, rejected (with the service message), timeout, cancelled, wrong row count', async () => {
    const fail = (async () => {
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof fetch;
    await expect(classifyChunk([{ description: 'a' }], undefined, { fetch: fail })).rejects.toMatchObject({ kind: 'unreachable', message: expect.stringMatching(/cannot be reached: Failed to fetch/) });
    const reject = (async () => new Response(JSON.stringify({ error: 'invalid request: rows.0.description: bad' }), { status: 400 })) as unknown as typeof fetch;
    await expect(classifyChunk([{ description: 'a' }], undefined, { fetch: reject })).rejects.toMatchObject({ kind: 'rejected', status: 400, message: 'the service refused the rows (HTTP 400): invalid request: rows.0.description: bad' });
    const hang = ((_u: string, init: RequestInit) =>
      new Promise((_res, rej) => init.signal!.addEventListener('abort', () => rej(new DOMException('aborted', 'AbortError'))))) as unknown as typeof fetch;
    await expect(classifyChunk([{ description: 'a' }], undefined, { fetch: hang, timeoutMs: 50 })).rejects.toMatchObject({ kind: 'timeout', message: expect.stringMatching(/within 0 s|within/) });
    const ctl = new AbortController();
    const p = classifyChunk([{ description: 'a' }], undefined, { fetch: hang, timeoutMs: 10_000 }, ctl.signal);
    ctl.abort();
    await expect(p).rejects.toMatchObject({ kind: 'cancelled' });
    const short = (async () => new Response(okBody(1), { status: 200 })) as unknown as typeof fetch;
    await expect(classifyChunk([{ description: 'a' }, { description: 'b' }], undefined, { fetch: short })).rejects.toMatchObject({ kind: 'invalid' });
    const html = (async () => new Response('<html>not found</html>', { status: 404 })) as unknown as typeof fetch;
    await expect(classifyChunk([{ description: 'a' }], undefined, { fetch: html })).rejects.toThrow(/HTTP 404\): no classification service at this address/);
  });
});

describe('a run: chunks, one sync each, failure and retry, cancel and resume', () => {
  test('at most `concurrency` chunks in flight, written in order whatever order the answers come back in', async () => {
    const wb = book(95);
    const data = await readSelection(wb.context, { header: true });
    let inFlight = 0;
    let most = 0;
    const fetch = (async (_u: string, init: RequestInit) => {
      inFlight++;
      most = Math.max(most, inFlight);
      const body = JSON.parse(String(init.body)) as { rows: { description: string }[] };
      await new Promise((r) => setTimeout(r, Math.random() * 20)); // answers come back out of order
      inFlight--;
      const rows = body.rows.map(() => row('ok', ['610910'], [0.9]));
      return new Response(JSON.stringify({ request_id: `req-${body.rows[0].description.replace(/\D/g, '')}`, kind: 'classify', created_at: '', country: null, row_count: rows.length, rows }), { status: 200 });
    }) as unknown as typeof globalThis.fetch;
    const run = new ClassifyRun((fn) => fn(wb.context), data, { mode: 'overwrite', client: { fetch }, chunkRows: 10, concurrency: 3 });
    const done: number[] = [];
    expect(await run.continue((p) => done.push(p.done))).toBe('done');
    expect(most).toBe(3);
    expect(done).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 95]);
    const idOf = (s: number) => `req-${String(data.rows[s].description).replace(/\D/g, '')}`;
    expect(run.progress.requestIds).toEqual(run.chunks.map(([s]) => idOf(s)));
    for (const [s, e] of run.chunks) for (let i = s; i < e; i++) expect(wb.get(`K${data.rows[i].sheetRow + 1}`)).toBe(`${idOf(s)}#${i - s + 1}`);
  });

  /** A service double that answers per description; fails the given call numbers. */
  function service(failOn: Set<number> = new Set()) {
    const seen: number[] = [];
    let calls = 0;
    const fetch = (async (_u: string, init: RequestInit) => {
      calls++;
      if (failOn.has(calls)) throw new TypeError('connection refused');
      const body = JSON.parse(String(init.body)) as { rows: { description: string }[] };
      seen.push(body.rows.length);
      const rows = body.rows.map((r) => (r.description.endsWith('7') ? row('review', ['950300'], [0.2]) : row('ok', ['610910'], [0.9])));
      return new Response(JSON.stringify({ request_id: `req-${calls}`, kind: 'classify', created_at: '', country: null, row_count: rows.length, rows }), { status: 200 });
    }) as unknown as typeof globalThis.fetch;
    return { fetch, seen, calls: () => calls };
  }

  test('fill blanks only: filled rows skipped; chunks of the given size; one write sync per chunk; a failure stops, retry resumes', async () => {
    const wb = book(25);
    wb.set('J5', 'ok'); // row 5 already has a status
    const data = await readSelection(wb.context, { header: true });
    const svc = service(new Set([2]));
    const excelRun = <T>(fn: (c: Excel.RequestContext) => Promise<T>) => fn(wb.context);
    const run = new ClassifyRun(excelRun, data, { mode: 'blanks', client: { fetch: svc.fetch }, chunkRows: 10 });
    expect(run.progress).toMatchObject({ total: 24, skipped: 1 });
    expect(run.chunks).toEqual([
      [0, 10],
      [10, 20],
      [20, 24],
    ]);
    wb.syncs = 0;
    const seenProgress: number[] = [];
    await expect(run.continue((p) => seenProgress.push(p.done))).rejects.toThrow(/^rows 13-22: the classification service .* cannot be reached: connection refused/);
    expect(run.next).toBe(1);
    expect(wb.syncs).toBe(1);
    expect(wb.get('C1')).toBe('HS code 1');
    expect(wb.get('J12')).toBe('ok');
    expect(wb.get('J13')).toBeUndefined(); // not written yet
    expect(await run.continue((p) => seenProgress.push(p.done))).toBe('done');
    expect(seenProgress).toEqual([10, 20, 24]);
    expect(wb.syncs).toBe(3);
    // The three chunks went out together; the third's answer (call 3) came back before the second failed and is
    // written without being asked for again; only the failed second chunk is sent again (call 4).
    expect(svc.calls()).toBe(4);
    expect(svc.seen).toEqual([10, 4, 10]);
    expect(wb.get('J5')).toBe('ok');
    expect(wb.get('K5')).toBeUndefined(); // skipped row untouched
    expect(wb.get('K16')).toBe('req-4#4'); // the 4th row of the second chunk's request
    expect(wb.get('K26')).toBe('req-3#4');
    expect(run.progress).toMatchObject({ done: 24, ok: 22, review: 2, error: 0, requestIds: ['req-1', 'req-4', 'req-3'] });
    expect(run.needsReview).toEqual([7, 17]); // "item 7" and "item 17" (sheet rows 8 and 18)
    expect(wb.fill('C8')).toBe(REVIEW_FILL);
    expect(run.finished).toBe(true);
  });

  test('cancel between chunks returns "cancelled"; continue resumes with the next chunk', async () => {
    const wb = book(30);
    const data = await readSelection(wb.context, { header: false, sel: undefined });
    const svc = service();
    const ctl = new AbortController();
    const run = new ClassifyRun((fn) => fn(wb.context), data, { mode: 'overwrite', client: { fetch: svc.fetch }, chunkRows: 10 });
    const outcome = await run.continue((p) => {
      if (p.done === 10) ctl.abort();
    }, ctl.signal);
    expect(outcome).toBe('cancelled');
    expect(run.progress.done).toBe(10);
    expect(wb.get('C10')).toBe('610910');
    expect(wb.get('C11')).toBeUndefined();
    expect(await run.continue()).toBe('done');
    // all four chunks were in flight when Cancel came (this double ignores the abort): the three unwritten ones are sent again
    expect(svc.seen).toEqual([10, 10, 10, 1, 10, 10, 1]);
    expect(wb.get('C31')).toBe('610910');
    expect(wb.get('C1')).toBe('610910'); // no header: the first row is data
  });
});
