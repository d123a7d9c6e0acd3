// hs-classify review end to end on the committed sample workbooks and the real reference data: every added
// cell read back with exceljs, the original sheets kept, the Summary sheet, the audit record, the output
// opened by LibreOffice (PDF and a PNG of the first page in test-output/), and bad inputs.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import ExcelJS from 'exceljs';
import { openEngine, type OpenedEngine } from '../server/engine';
import { runReview, RESULT_COLUMNS, SUMMARY_SHEET, REVIEW_FILL, type ReviewOptions, type ReviewResult } from '../server/review/run';
import { shiftFormula, colName } from '../server/review/refs';
import { InputError } from '../server/cli/io';
import { main } from '../server/cli/main';
import { SqliteStore } from '../server/audit/sqlite';
import request from 'supertest';
import pino from 'pino';
import { createApp, API } from '../server/service/app';

const ROOT = path.resolve(__dirname, '..');
const SAMPLES = path.join(ROOT, 'samples');
const OUT_DIR = path.join(ROOT, 'test-output');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-review-'));
const auditFile = path.join(dir, 'audit.sqlite');
const env = { ...process.env, SQLITE_PATH: auditFile, DATABASE_URL: '' };
let opened: OpenedEngine;
const logs: string[] = [];

const sha = (f: string) => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const FORMULA_START = /^[=+\-@\t\r]/;

function review(o: Partial<ReviewOptions> & { input: string; column: string; output: string }): Promise<ReviewResult> {
  return runReview({ env, opened, progress: false, log: (m) => logs.push(m), ...o });
}

async function readBook(file: string): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  return wb;
}

/** Output column of an input column when `width` columns were inserted at `at`. */
const moved = (col: number, at: number) => (col >= at ? col + RESULT_COLUMNS.length : col);

function cfOf(ws: ExcelJS.Worksheet): Array<{ ref: string; rules: Array<{ type: string; formulae?: string[]; style?: { fill?: { bgColor?: { argb?: string } } } }> }> {
  return (ws as unknown as { conditionalFormattings: [] }).conditionalFormattings;
}

beforeAll(() => {
  opened = openEngine();
  fs.mkdirSync(OUT_DIR, { recursive: true });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('review of the mixed supplier invoice (title block, header on row 4, formulas right of the descriptions)', () => {
  const input = path.join(SAMPLES, 'northwind-invoice-mixed.xlsx');
  const output = path.join(dir, 'northwind-reviewed.xlsx');
  let res: ReviewResult;
  let before: string;
  let src: ExcelJS.Workbook;
  let out: ExcelJS.Workbook;

  beforeAll(async () => {
    before = sha(input);
    res = await review({ input, column: 'Description of goods', idColumn: 'Line', output });
    src = await readBook(input);
    out = await readBook(output);
  });

  test('the input is untouched and no temporary file is left', () => {
    expect(sha(input)).toBe(before);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('every original sheet is kept, in order, with the Summary sheet added last', () => {
    expect(out.worksheets.map((s) => s.name)).toEqual([...src.worksheets.map((s) => s.name), SUMMARY_SHEET]);
  });

  test('every original value, formula and format is kept, moved right of the inserted columns where needed', () => {
    const a = src.getWorksheet('Invoice 4471')!;
    const b = out.getWorksheet('Invoice 4471')!;
    const at = res.firstResultCol;
    expect(at).toBe(4); // right of column C
    let cells = 0;
    a.eachRow({ includeEmpty: false }, (row, r) => {
      row.eachCell({ includeEmpty: false }, (cell, c) => {
        const o = b.getRow(r).getCell(moved(c, at));
        cells++;
        if (cell.type === ExcelJS.ValueType.Formula) {
          expect(o.formula).toBe(shiftFormula(cell.formula, a.name, a.name, at, RESULT_COLUMNS.length));
          expect(o.result).toEqual(cell.result);
        } else if (cell.type !== ExcelJS.ValueType.Merge) {
          expect(o.value).toEqual(cell.value);
        }
        expect(o.numFmt).toEqual(cell.numFmt);
        expect(o.font).toEqual(cell.font);
        expect(o.fill).toEqual(cell.fill);
        expect(o.border).toEqual(cell.border);
      });
    });
    expect(cells).toBeGreaterThan(600);
    // The amount formula now multiplies the moved Qty and Unit price columns; the total sums the moved amounts.
    expect(b.getCell('P5').formula).toBe('M5*O5');
    expect(b.getCell('P79').formula).toBe('SUM(P5:P77)');
    // A formula on another sheet that points into the reviewed sheet follows it too.
    expect(out.getWorksheet('Terms')!.getCell('B4').formula).toBe("'Invoice 4471'!P79");
    // The title merge spans the inserted columns; column widths move with their columns.
    expect(Object.keys((b as unknown as { _merges: object })._merges)).toEqual(['A1']);
    expect(b.getCell('O1').isMerged).toBe(true);
    for (let c = 1; c <= 9; c++) expect(b.getColumn(moved(c, at)).width).toBe(a.getColumn(c).width);
  });

  test('every added cell: codes as text, confidences as percentages, reasoning, status and request id, matching the audit record', async () => {
    const ws = out.getWorksheet('Invoice 4471')!;
    const at = res.firstResultCol;
    RESULT_COLUMNS.forEach((name, i) => {
      const h = ws.getRow(4).getCell(at + i);
      expect(h.value).toBe(name);
      expect(h.font?.bold).toBe(true);
    });
    expect(res.requestId).toMatch(UUID);
    const store = new SqliteStore(auditFile);
    const stored = await store.getRequest(res.requestId);
    await store.close();
    expect(stored).not.toBeNull();
    const head = JSON.parse(stored!.head);
    expect(head).toMatchObject({ request_id: res.requestId, kind: 'classify', versions: opened.versions, row_count: res.rows, source: { via: 'hs-classify review', file: 'northwind-invoice-mixed.xlsx', sheet: 'Invoice 4471', header_row: 4 } });
    const rows = stored!.rows.map((r) => JSON.parse(r));
    expect(rows).toHaveLength(res.rows);
    expect(res.rows).toBe(74); // 72 goods lines, the freight line without a description, the total line

    const counts = { ok: 0, review: 0, error: 0 };
    rows.forEach((stored, k) => {
      const r = 5 + k + (k === 73 ? 1 : 0); // the total line comes after a blank row
      const row = ws.getRow(r);
      expect(String(stored.id)).toBe(String(ws.getRow(r).getCell(1).value ?? r - 4)); // Line, else the data row number
      counts[stored.status as 'ok']++;
      for (let i = 0; i < 3; i++) {
        const code = row.getCell(at + 2 * i);
        const conf = row.getCell(at + 2 * i + 1);
        expect(code.numFmt).toBe('@');
        expect(conf.numFmt).toBe('0.0%');
        const cand = stored.candidates[i];
        if (stored.status === 'error') {
          expect(code.value).toBeNull();
          expect(conf.value).toBeNull();
          continue;
        }
        expect(code.value).toBe(cand.code);
        expect(code.value).toMatch(/^\d{6}$/);
        expect(typeof conf.value).toBe('number');
        expect(conf.value).toBeCloseTo(cand.confidence, 4);
        if (i > 0) expect(conf.value as number).toBeLessThanOrEqual(row.getCell(at + 2 * i - 1).value as number);
      }
      const reasoning = row.getCell(at + 6).value;
      expect(reasoning).toBe(stored.status === 'error' ? stored.error : stored.reasoning.summary);
      expect(row.getCell(at + 7).value).toBe(stored.status);
      expect(row.getCell(at + 8).value).toBe(`${res.requestId}#${k + 1}`); // the request and the row within it, for feedback
      for (let i = 0; i < RESULT_COLUMNS.length; i++) {
        const v = row.getCell(at + i).value;
        if (typeof v === 'string') expect(v).not.toMatch(FORMULA_START);
      }
    });
    expect(counts).toEqual(res.counts);
    expect(res.counts.error).toBe(2);
    expect(rows.filter((r) => r.status === 'error').map((r) => r.error)).toEqual(['blank description', 'blank description']);
    // Codes that start with 0 keep their zero (chapters 01-09 appear in this invoice: cheese, coffee, tea, nuts).
    let zeros = 0;
    ws.eachRow((row, r) => {
      if (r > 4 && typeof row.getCell(at).value === 'string' && (row.getCell(at).value as string).startsWith('0')) zeros++;
    });
    expect(zeros).toBeGreaterThan(0);
  });

  test('review rows are highlighted by conditional formatting; header frozen; columns sized; landscape fit-to-width printing', () => {
    const ws = out.getWorksheet('Invoice 4471')!;
    const cf = cfOf(ws);
    const ours = cf.find((c) => c.ref === 'D5:L79');
    expect(ours).toBeDefined();
    expect(ours!.rules[0]).toMatchObject({ type: 'expression', formulae: ['$K5="review"'] });
    expect(ours!.rules[0].style?.fill?.bgColor?.argb).toBe(REVIEW_FILL);
    expect(ours!.rules[1]).toMatchObject({ type: 'expression', formulae: ['$K5="error"'] });
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 4 });
    const widths = [4, 5, 10, 11, 12].map((c) => ws.getColumn(c).width);
    expect(widths).toEqual([11, 12, 70, 10, 42]);
    expect(ws.pageSetup).toMatchObject({ orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '4:4' });
  });

  test('the Summary sheet: versions, request id, rows per status and chapter, lowest confidence first with links to the rows', () => {
    const ws = out.getWorksheet('Invoice 4471')!;
    const sum = out.getWorksheet(SUMMARY_SHEET)!;
    const rows: unknown[][] = [];
    sum.eachRow((r, n) => (rows[n] = (r.values as unknown[]).slice(1)));
    const fact = (k: string) => rows.find((r) => r?.[0] === k)?.[1];
    expect(fact('Request ID')).toBe(res.requestId);
    expect(fact('Model version')).toBe(opened.versions.model);
    expect(fact('Data version')).toBe(opened.versions.data);
    expect(fact('Config version')).toBe(opened.versions.config);
    expect(fact('Rules version')).toBe(opened.versions.rules);
    expect(fact('Audit trail')).toBe(`recorded (sqlite ${auditFile})`);
    expect(fact('Sheet / column')).toBe('Invoice 4471 / Description of goods');
    for (const st of ['ok', 'review', 'error'] as const) {
      const r = rows.find((x) => x?.[0] === st)!;
      expect(r[2]).toBe(res.counts[st]);
      expect(r[3]).toBeCloseTo(res.counts[st] / res.rows, 10);
    }
    // Chapters: the first two digits of HS code 1, counted from the sheet itself.
    const start = rows.findIndex((r) => r?.[0] === 'Chapter');
    const end = rows.findIndex((r, i) => i > start && (r === undefined || r.length === 0));
    const chapterRows = rows.slice(start + 1, end);
    const expected = new Map<string, number>();
    ws.eachRow((row, r) => {
      const v = row.getCell(4).value;
      if (r > 4 && typeof v === 'string') expected.set(v.slice(0, 2), (expected.get(v.slice(0, 2)) ?? 0) + 1);
    });
    expect(new Map(chapterRows.map((r) => [r[0] as string, r[2] as number]))).toEqual(expected);
    expect(chapterRows.every((r) => typeof r[1] === 'string' && (r[1] as string).length > 0)).toBe(true);
    // Lowest confidence first: error rows (no confidence) on top, then ascending; each links to its row.
    const li = rows.findIndex((r) => r?.[0] === 'Row');
    const listed = rows.slice(li + 1).filter(Boolean);
    expect(listed).toHaveLength(74);
    const confs = listed.map((r) => (typeof r[3] === 'number' ? r[3] : -1));
    expect(confs).toEqual([...confs].sort((x, y) => x - y));
    for (const r of listed) {
      const link = r[0] as { formula: string; result: string };
      const m = /^HYPERLINK\("#'Invoice 4471'!C(\d+)","Invoice 4471 row (\d+)"\)$/.exec(link.formula);
      expect(m).not.toBeNull();
      const target = Number(m![1]);
      expect(link.result).toBe(`Invoice 4471 row ${target}`);
      expect(String(ws.getCell(`C${target}`).value ?? '')).toBe(String(r[1] ?? ''));
      expect(r[2] ?? null).toEqual(ws.getCell(`D${target}`).value);
      expect(r[4]).toBe(ws.getCell(`K${target}`).value);
    }
    expect(sum.pageSetup).toMatchObject({ orientation: 'landscape', fitToWidth: 1 });
  });
});

describe('review with a country of origin: the duty columns beside the others', () => {
  const input = path.join(dir, 'origins.xlsx');
  const descriptions = ['laptop computer 14 inch', 'womens leather handbag', 'stainless steel hex bolts M8 x 40', 'fresh bananas']; // the first two decide their US line
  beforeAll(async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Lines');
    ws.addRow(['Line', 'Description', 'Origin', 'Qty']);
    ws.addRow(['L1', descriptions[0], 'CN', 10]);
    ws.addRow(['L2', descriptions[1], 'cn', 5]);
    ws.addRow(['L3', descriptions[2], 'ZZ', 1]); // not a country
    ws.addRow(['L4', descriptions[3], '', 2]); // no origin given
    await wb.xlsx.writeFile(input);
  });

  test('--origin-column: duty total (a percentage) and duties (text) after the request id; a bad or blank origin is an error row; recorded with the duty data version', async () => {
    const output = path.join(dir, 'origins-reviewed.xlsx');
    const res = await review({ input, column: 'Description', idColumn: 'Line', country: 'US', originColumn: 'Origin', date: '2026-05-01', output });
    const ws = (await readBook(output)).getWorksheet('Lines')!;
    const at = res.firstResultCol;
    expect(at).toBe(3);
    expect([...Array(11).keys()].map((i) => ws.getRow(1).getCell(at + i).value)).toEqual([...RESULT_COLUMNS, 'Duty total', 'Duties']);
    // The columns after the inserted ones moved by eleven: Origin and Qty.
    expect(ws.getRow(1).getCell(at + 11).value).toBe('Origin');
    expect(ws.getRow(2).getCell(at + 12).value).toBe(10);
    const store = new SqliteStore(auditFile);
    const stored = await store.getRequest(res.requestId);
    await store.close();
    const head = JSON.parse(stored!.head);
    expect(head).toMatchObject({ country: 'US', origin: null, entry_date: '2026-05-01', versions: { ...opened.versions, duties: expect.stringMatching(/^[0-9a-f]{8,}/), duties_revisions: expect.stringMatching(/^HTS 2026 Revision 4; HTSUS chapter 99, 2026 Revision 6 \(effective 2026-04-23\)/) } });
    const rows = stored!.rows.map((r) => JSON.parse(r));
    expect(rows.map((r) => r.status === 'error')).toEqual([false, false, true, true]);
    expect(rows[2].error).toMatch(/origin/i);
    expect(rows[2].error).toMatch(/ZZ/);
    expect(rows[3].error).toMatch(/origin: blank/);
    expect(res.counts.error).toBe(2);
    for (const k of [0, 1]) {
      const r = ws.getRow(k + 2);
      const top = rows[k].candidates[0];
      expect(rows[k].origin).toBe('CN');
      const total = r.getCell(at + 9);
      const line = r.getCell(at + 10);
      expect(total.numFmt).toBe('0.0%');
      expect(line.numFmt).toBe('@');
      expect(top.code).toMatch(/^\d{10}$/);
      expect(top.duties).toBeDefined();
      expect(typeof line.value).toBe('string');
      expect(line.value).toMatch(/^CN 2026-05-01: general /);
      expect(line.value).toMatch(/as of /);
      expect(line.value).not.toMatch(FORMULA_START);
      if (top.duties.total_ad_valorem !== null) expect(total.value).toBeCloseTo(top.duties.total_ad_valorem / 100, 6);
      else expect(total.value).toBeNull();
    }
    for (const k of [2, 3]) {
      const r = ws.getRow(k + 2);
      expect(r.getCell(at + 7).value).toBe('error');
      expect(r.getCell(at + 6).value).toBe(rows[k].error);
      expect(r.getCell(at + 9).value).toBeNull();
      expect(r.getCell(at + 10).value).toBeNull();
    }
    const sum = (await readBook(output)).getWorksheet(SUMMARY_SHEET)!;
    const facts = new Map<string, unknown>();
    sum.eachRow((row) => facts.set(String(row.getCell(1).value), row.getCell(2).value));
    expect(facts.get('Country of origin')).toBe('from column "Origin"');
    expect(facts.get('Entry date (duties)')).toBe('2026-05-01');
    expect(facts.get('Duty data version')).toBe(head.versions.duties);
    expect(facts.get('Duty data revisions')).toBe(head.versions.duties_revisions);
  });

  test('--origin CN for every row; without an origin the nine columns stay as they were; an unknown --origin or one without --country US is refused before anything runs', async () => {
    const output = path.join(dir, 'origins-fixed.xlsx');
    const res = await review({ input, column: 'Description', country: 'US', origin: 'CN', output });
    const ws = (await readBook(output)).getWorksheet('Lines')!;
    expect(ws.getRow(1).getCell(res.firstResultCol + 10).value).toBe('Duties');
    expect(res.counts.error).toBe(0);
    const plain = path.join(dir, 'origins-plain.xlsx');
    const res2 = await review({ input, column: 'Description', country: 'US', output: plain });
    const ws2 = (await readBook(plain)).getWorksheet('Lines')!;
    expect(ws2.getRow(1).getCell(res2.firstResultCol + 9).value).toBe('Origin');
    await expect(review({ input, column: 'Description', country: 'US', origin: 'XX', output: path.join(dir, 'never.xlsx') })).rejects.toThrow(/--origin/);
    await expect(review({ input, column: 'Description', origin: 'CN', output: path.join(dir, 'never.xlsx') })).rejects.toThrow(/--country US/);
    await expect(review({ input, column: 'Description', country: 'US', originColumn: 'Country', output: path.join(dir, 'never.xlsx') })).rejects.toThrow(/Column "Country" not found/);
    expect(fs.existsSync(path.join(dir, 'never.xlsx'))).toBe(false);
  });
});

describe('review applies the classification memory, as POST /classify serves it', () => {
  const input = path.join(dir, 'memory.xlsx');
  const CARDIGAN = 'Cardigans, knitted, wool, ladies';
  const file = path.join(dir, 'memory-audit.sqlite');
  beforeAll(async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Lines');
    ws.addRow(['Description']);
    ws.addRow([CARDIGAN]);
    ws.addRow(['cotton t-shirt for men']);
    ws.addRow([`  ${CARDIGAN.toUpperCase()} `]); // the same description as the memory keys it
    await wb.xlsx.writeFile(input);
  });

  test('a corrected description gets the remembered code, ok, with the reviewer named; other rows as the model answers; recorded so', async () => {
    const store = new SqliteStore(file);
    try {
      const app = createApp({ engine: opened.engine, versions: opened.versions, store, config: { apiKeys: [], allowedOrigins: [], rateLimit: { windowMs: 60_000, limit: 1000 }, staticDir: null }, logger: pino({ level: 'silent' }) });
      const first = await review({ input, column: 'Description', output: path.join(dir, 'memory-before.xlsx'), store });
      const before = JSON.parse((await store.getRequest(first.requestId))!.rows[0]);
      expect(before.memory).toBeUndefined();
      // a reviewer corrects row 1 of the review's own request to another cardigan subheading
      const code = before.candidates[0].hs6 === '611011' ? '611020' : '611011';
      await request(app).post(`${API}/feedback`).send({ request_id: first.requestId, row: 1, code }).expect(201);
      const served = await review({ input, column: 'Description', output: path.join(dir, 'memory-after.xlsx'), store });
      const rows = (await store.getRequest(served.requestId))!.rows.map((r) => JSON.parse(r));
      for (const k of [0, 2]) {
        // without API keys the reviewer is 'local' (with keys, the key's name)
        expect(rows[k]).toMatchObject({ status: 'ok', memory: { code, who: 'local', verdict: 'corrected' } });
        expect(rows[k].candidates[0].code).toBe(code);
        expect(rows[k].reasoning.steps[0]).toMatchObject({ rule: 'classification-memory', codes: [code] });
      }
      expect(rows[1].memory).toBeUndefined();
      // the same as the service answers the description now
      const api = await request(app).post(`${API}/classify`).send({ rows: [{ description: CARDIGAN }] }).expect(200);
      expect(api.body.rows[0].candidates.map((c: { code: string }) => c.code)).toEqual(rows[0].candidates.map((c: { code: string }) => c.code));
      const ws = (await readBook(path.join(dir, 'memory-after.xlsx'))).getWorksheet('Lines')!;
      const at = served.firstResultCol;
      const status = at + RESULT_COLUMNS.indexOf('Status');
      const reasoning = at + RESULT_COLUMNS.indexOf('Reasoning');
      for (const r of [2, 4]) {
        expect(ws.getRow(r).getCell(at).value).toBe(code);
        expect(ws.getRow(r).getCell(status).value).toBe('ok');
        expect(String(ws.getRow(r).getCell(reasoning).value)).toMatch(/classification memory/);
      }
      expect(served.counts.ok).toBeGreaterThanOrEqual(2);
      expect(logs.some((l) => /classification memory: 2 rows answered from it/.test(l))).toBe(true);
    } finally {
      await store.close();
    }
  });
});

describe('review of the other samples', () => {
  test('purchase order: item numbers with leading zeros, dates, auto filter and ids from the id column', async () => {
    const input = path.join(SAMPLES, 'contoso-po-electronics-hardware.xlsx');
    const output = path.join(dir, 'po.xlsx');
    const res = await review({ input, column: 'item description', idColumn: 'Item No', country: 'US', output });
    const out = await readBook(output);
    const ws = out.getWorksheet('PO lines')!;
    expect(res.firstResultCol).toBe(5);
    expect(ws.getCell('A2').value).toBe('00001');
    expect(ws.getCell('C2').value).toBeInstanceOf(Date);
    expect(ws.getCell('C2').numFmt).toBe('dd/mm/yyyy');
    expect(ws.getCell('Q2').formula).toBe('N2*P2'); // E*G before
    expect(ws.autoFilter).toBe('A1:Q1');
    const store = new SqliteStore(auditFile);
    const stored = await store.getRequest(res.requestId);
    await store.close();
    const rows = stored!.rows.map((r) => JSON.parse(r));
    expect(rows[0].id).toBe('00001');
    // With --country US the first code is the 10-digit line whenever the description decides it.
    rows.forEach((r, k) => expect(ws.getRow(k + 2).getCell(5).value).toBe(r.candidates[0]?.code ?? null));
    expect(rows.some((r) => r.candidates[0]?.code.length === 10)).toBe(true);
  });

  test('packing list: data validations move with their column; accented text kept', async () => {
    const input = path.join(SAMPLES, 'packing-list-food-apparel.xlsx');
    const output = path.join(dir, 'packing.xlsx');
    const res = await review({ input, column: 'Article', output });
    const ws = (await readBook(output)).getWorksheet('Packing list')!;
    expect(res.firstResultCol).toBe(3);
    expect(ws.getCell('N2').dataValidation).toMatchObject({ type: 'list', formulae: ['"pass,hold,fail"'] });
    expect(ws.getCell('E2').dataValidation).toBeUndefined();
    expect(ws.getCell('L63').formula).toBe('SUM(L2:L61)');
    expect(ws.getCell('B9').value).toBe('Crème brûlée dessert mix 250g');
  });

  test('CSV with semicolons in Windows-1252: read right; texts that look like formulas are guarded in the Summary', async () => {
    const input = path.join(dir, 'semicolon.csv');
    const lines = ['Ref;Beschreibung;Menge', '0012;-40C freezer gloves insulated;5', '0013;@home cotton bath towel;12', '0014;Crème fraîche 200g pot;30', '0015;=mens cotton t-shirt knitted;4'];
    fs.writeFileSync(input, Buffer.from(lines.join('\r\n'), 'latin1'));
    const output = path.join(dir, 'semicolon.xlsx');
    const res = await review({ input, column: 'Beschreibung', idColumn: 'Ref', output });
    const out = await readBook(output);
    expect(out.worksheets.map((s) => s.name)).toEqual(['semicolon', SUMMARY_SHEET]);
    const ws = out.worksheets[0];
    expect(ws.getCell('A2').value).toBe('0012'); // leading zeros kept
    expect(ws.getCell('B4').value).toBe('Crème fraîche 200g pot');
    expect(ws.getCell('L2').value).toBe(5); // Menge, moved right
    expect(res.counts.error).toBe(0);
    const sum = out.getWorksheet(SUMMARY_SHEET)!;
    const texts: string[] = [];
    sum.eachRow((r) => r.eachCell((c) => typeof c.value === 'string' && texts.push(c.value)));
    expect(texts).toEqual(expect.arrayContaining(["'-40C freezer gloves insulated", "'@home cotton bath towel", "'=mens cotton t-shirt knitted"]));
    for (const t of texts) expect(t).not.toMatch(FORMULA_START);
  });
});

test.each([
  ['packing-list-food-apparel.xlsx', 'Article', {}],
  ['northwind-invoice-mixed.xlsx', 'Description of goods', { idColumn: 'Line' }],
  ['contoso-po-electronics-hardware.xlsx', 'item description', { country: 'US' as const }],
])('big sheets are written row by row with the streaming writer, the cells moved and the results added on the way: the same cells, formulas, formats, merges, rules and print setup (%s)', async (file, column, extra) => {
  // streamFrom 0 sends this small sample down the path a 20,000-row sheet takes.
  const input = path.join(SAMPLES, file);
  const whole = path.join(dir, 'whole.xlsx');
  const streamed = path.join(dir, 'streamed.xlsx');
  await review({ input, column, output: whole, streamFrom: Number.MAX_SAFE_INTEGER, ...extra });
  await review({ input, column, output: streamed, streamFrom: 0, ...extra });
  const a = await readBook(whole);
  const b = await readBook(streamed);
  expect(b.worksheets.map((s) => s.name)).toEqual(a.worksheets.map((s) => s.name));
  for (const wa of a.worksheets) {
    const wb = b.getWorksheet(wa.name)!;
    let n = 0;
    wa.eachRow({ includeEmpty: false }, (row, r) => {
      row.eachCell({ includeEmpty: false }, (cell, c) => {
        const o = wb.getRow(r).getCell(c);
        n++;
        if (cell.type === ExcelJS.ValueType.Formula) expect([o.formula, o.result]).toEqual([cell.formula, cell.result]);
        else if (wa.name === SUMMARY_SHEET && /^\d{4}-\d\d-\d\d /.test(String(cell.value))) expect(typeof o.value).toBe('string'); // reviewed-at time
        else if (!(typeof cell.value === 'string' && UUID.test(cell.value.split('#')[0]))) expect(o.value).toEqual(cell.value); // request ids differ
        expect([o.numFmt, o.font, o.fill, o.border, o.alignment]).toEqual([cell.numFmt, cell.font, cell.fill, cell.border, cell.alignment]);
        expect(o.dataValidation).toEqual(cell.dataValidation);
      });
    });
    expect(n).toBeGreaterThan(0);
    let m = 0;
    wb.eachRow({ includeEmpty: false }, (row) => row.eachCell({ includeEmpty: false }, () => void m++));
    expect(m).toBe(n);
    const merges = (s: ExcelJS.Worksheet) => Object.keys((s as unknown as { _merges: object })._merges).sort();
    expect(merges(wb)).toEqual(merges(wa));
    expect(cfOf(wb).map((c) => c.ref)).toEqual(cfOf(wa).map((c) => c.ref));
    expect(wb.views).toEqual(wa.views);
    // (the streaming writer writes Excel's default margins where the whole-workbook writer leaves them out)
    const { margins: _ma, ...pa } = wa.pageSetup;
    const { margins: _mb, ...pb } = wb.pageSetup;
    expect(pb).toEqual(pa);
    for (let c = 1; c <= 14; c++) expect(wb.getColumn(c).width).toBe(wa.getColumn(c).width);
  }
});

describe('bad inputs give clear errors and never overwrite the input', () => {
  const sample = path.join(SAMPLES, 'northwind-invoice-mixed.xlsx');

  async function expectRefused(input: string, column: string, message: RegExp, extra: Partial<ReviewOptions> = {}) {
    const before = fs.existsSync(input) ? sha(input) : null;
    const output = extra.output ?? path.join(dir, `refused-${crypto.randomBytes(3).toString('hex')}.xlsx`);
    const err = await review({ input, column, output, ...extra }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(message);
    if (before) expect(sha(input)).toBe(before);
    if (output !== input) expect(fs.existsSync(output)).toBe(false);
    expect(fs.readdirSync(path.dirname(output)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }

  test('a missing column names the columns there are', () =>
    expectRefused(sample, 'Goods', /Column "Goods" not found in .*northwind-invoice-mixed\.xlsx \(sheet "Invoice 4471"\)\. Available columns: "Northwind Sourcing/));

  test('a missing id column or sheet', async () => {
    await expectRefused(sample, 'Description of goods', /Column "SKU" not found/, { idColumn: 'SKU' });
    await expectRefused(sample, 'Description of goods', /Worksheet "Lines" not found .* Available sheets: "Invoice 4471", "Terms"/, { sheet: 'Lines' });
  });

  test('an empty sheet, and a header without data rows', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Empty');
    const empty = path.join(dir, 'empty.xlsx');
    await wb.xlsx.writeFile(empty);
    await expectRefused(empty, 'Description', /Worksheet "Empty" in .* is empty: expected a header row/);
    const wb2 = new ExcelJS.Workbook();
    wb2.addWorksheet('Lines').addRow(['SKU', 'Description']);
    const headerOnly = path.join(dir, 'header-only.xlsx');
    await wb2.xlsx.writeFile(headerOnly);
    await expectRefused(headerOnly, 'Description', /has a header row but no data rows/);
  });

  test('a corrupt (truncated) workbook and a text file named .xlsx', async () => {
    const truncated = path.join(dir, 'truncated.xlsx');
    fs.writeFileSync(truncated, fs.readFileSync(sample).subarray(0, 4000));
    await expectRefused(truncated, 'Description of goods', /Cannot read .*truncated\.xlsx as an Excel \.xlsx workbook \(corrupt or truncated\)/);
    const text = path.join(dir, 'not-a-workbook.xlsx');
    fs.writeFileSync(text, 'Description\nhello\n');
    await expectRefused(text, 'Description', /not a zip package/);
  });

  test('a password-protected workbook (the Compound File container Office encrypts into; header bytes only, not a real encrypted workbook)', async () => {
    const enc = path.join(dir, 'protected.xlsx');
    fs.writeFileSync(enc, Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]));
    await expectRefused(enc, 'Description', /password-protected \(encrypted\).*remove the password/);
  });

  test('a CSV with an unsupported delimiter, and UTF-16 without a byte-order mark', async () => {
    const pipe = path.join(dir, 'pipe.csv');
    fs.writeFileSync(pipe, 'Item|Description|Qty\n1|mens cotton t-shirt|4\n');
    await expectRefused(pipe, 'Description', /Column "Description" not found .*Available columns: "Item\|Description\|Qty"; the header looks separated by "\|"/);
    const utf16 = path.join(dir, 'utf16.csv');
    fs.writeFileSync(utf16, Buffer.from('Item,Description\n1,mens cotton t-shirt\n', 'utf16le'));
    await expectRefused(utf16, 'Description', /UTF-16 text without a byte-order mark/);
  });

  test('a UTF-16 CSV with a byte-order mark (what Excel writes as "Unicode text") is read', async () => {
    const f = path.join(dir, 'utf16bom.csv');
    fs.writeFileSync(f, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Item\tDescription\n1\tJalapeño peppers pickled, jar\n', 'utf16le')]));
    const output = path.join(dir, 'utf16bom.xlsx');
    const res = await review({ input: f, column: 'Description', output });
    expect(res.rows).toBe(1);
    expect((await readBook(output)).worksheets[0].getCell('B2').value).toBe('Jalapeño peppers pickled, jar');
  });

  test('the output path is the input: refused, the input untouched', () => expectRefused(sample, 'Description of goods', /same file as the input/, { output: sample }));

  test('the command line exits with code 2 and a message on stderr', async () => {
    const write = process.stderr.write;
    const err: string[] = [];
    process.stderr.write = ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write;
    let code: number;
    try {
      code = await main(['node', 'hs-classify', 'review', sample, '--column', 'Nope', '--output', path.join(dir, 'cli.xlsx')]);
    } finally {
      process.stderr.write = write;
    }
    expect(code).toBe(2);
    expect(err.join('')).toMatch(/hs-classify: Column "Nope" not found/);
    expect(fs.existsSync(path.join(dir, 'cli.xlsx'))).toBe(false);
  });
});

test('without an audit store the review says so and goes on', async () => {
  const blocker = path.join(dir, 'a-file');
  fs.writeFileSync(blocker, 'x');
  const input = path.join(SAMPLES, 'packing-list-food-apparel.xlsx');
  const output = path.join(dir, 'unaudited.xlsx');
  logs.length = 0;
  const res = await review({ input, column: 'Article', output, env: { ...process.env, SQLITE_PATH: path.join(blocker, 'audit.sqlite'), DATABASE_URL: '' } });
  expect(res.audit).toBeNull();
  expect(logs.join('\n')).toMatch(/audit trail not available .*this review is NOT recorded; going on/);
  const sum = (await readBook(output)).getWorksheet(SUMMARY_SHEET)!;
  let audit: unknown;
  sum.eachRow((r) => r.getCell(1).value === 'Audit trail' && (audit = r.getCell(2).value));
  expect(audit).toBe('NOT recorded (audit store not available)');
});

test('references: only those to the reviewed sheet at or right of the insertion move; strings and names stay', () => {
  expect(shiftFormula('SUM(B2:D9)*$E$1+Other!D3+"D4"&LOG10(F2)', 'S', 'S', 4, 9)).toBe('SUM(B2:M9)*$N$1+Other!D3+"D4"&LOG10(O2)');
  expect(shiftFormula("'My Sheet'!C:D+VLOOKUP(A1,'My Sheet'!$A$1:$E$9,5,FALSE)", 'X', 'My Sheet', 3, 2)).toBe("'My Sheet'!E:F+VLOOKUP(A1,'My Sheet'!$A$1:$G$9,5,FALSE)");
  expect(colName(27)).toBe('AA');
});

// LibreOffice opens the reviewed workbook and prints it to PDF; the first page is kept as a PNG in test-output/.
const soffice = spawnSync('soffice', ['--version'], { encoding: 'utf8' });
const haveOffice = soffice.status === 0;
const officeTest = haveOffice || process.env.CI ? test : test.skip;
officeTest('LibreOffice opens the reviewed workbook and prints it: a PDF with the result columns, a PNG of page 1', async () => {
  expect(haveOffice).toBe(true); // in CI LibreOffice must be there
  const input = path.join(SAMPLES, 'northwind-invoice-mixed.xlsx');
  const output = path.join(OUT_DIR, 'review-northwind.xlsx');
  const res = await review({ input, column: 'Description of goods', output });
  const pdfDir = fs.mkdtempSync(path.join(dir, 'pdf-'));
  const profile = `file://${fs.mkdtempSync(path.join(dir, 'lo-profile-'))}`;
  const conv = spawnSync('soffice', [`-env:UserInstallation=${profile}`, '--headless', '--convert-to', 'pdf', '--outdir', pdfDir, output], { encoding: 'utf8', timeout: 120_000 });
  expect(conv.status).toBe(0);
  const pdf = path.join(pdfDir, 'review-northwind.pdf');
  expect(fs.statSync(pdf).size).toBeGreaterThan(1000);
  fs.copyFileSync(pdf, path.join(OUT_DIR, 'review-northwind.pdf'));
  const png = spawnSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', pdf, path.join(OUT_DIR, 'review-northwind-page1')]);
  expect(png.status).toBe(0);
  const pngFile = path.join(OUT_DIR, 'review-northwind-page1.png');
  expect(fs.readFileSync(pngFile).subarray(1, 4).toString()).toBe('PNG');
  // Page 1 is the reviewed sheet, landscape and fit to width: every result column header and the first row's
  // answer are on it; the Summary page carries the request id.
  const txt = spawnSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
  expect(txt.status).toBe(0);
  const pages = txt.stdout.split('\f');
  for (const h of RESULT_COLUMNS) expect(pages[0]).toContain(h);
  const first = (await readBook(output)).getWorksheet('Invoice 4471')!;
  expect(pages[0]).toContain(String(first.getCell('D5').value));
  expect(pages[0]).toContain(res.requestId);
  const info = spawnSync('pdfinfo', [pdf], { encoding: 'utf8' });
  const size = /Page size:\s+([\d.]+) x ([\d.]+)/.exec(info.stdout);
  expect(Number(size![1])).toBeGreaterThan(Number(size![2])); // landscape
  expect(txt.stdout).toContain('HS classification review');
});
