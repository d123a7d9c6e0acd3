// Trust and input edge cases (issue 11): an edited record is never served; descriptions counted in characters, not
// UTF-16 units; descriptions in other scripts told that the classifier reads English; rows count against the rate
// limit; review moves references into a sheet whose name has double quotes, and classifies a merged description once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import ExcelJS from 'exceljs';
import type { Request, Response } from 'express';
import { openEngine, type OpenedEngine } from '../server/engine';
import { createApp, API, type ServiceConfig } from '../server/service/app';
import { SqliteStore } from '../server/audit/sqlite';
import { serviceConfig, StartupError } from '../server/service/main';
import { createRowLimiter, DEFAULT_RATE_LIMIT_ROWS, RowLimitError } from '../server/service/row-limit';
import { codePointLength, cutCodePoints, notEnglish, tooLong, MAX_DESCRIPTION_CHARS } from '../server/pipeline/description';
import { shiftFormula, splitStrings } from '../server/review/refs';
import { runReview, RESULT_COLUMNS } from '../server/review/run';
import { spawnSync } from 'node:child_process';
import { readRows } from '../server/cli/io';
import { tamperSql } from './support/tamper';
import { collectingLogger } from './support/log-lines';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-trust-'));
let opened: OpenedEngine;
const stores: SqliteStore[] = [];
beforeAll(() => {
  opened = openEngine();
});
afterAll(async () => {
  for (const s of stores) await s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function makeApp(rateLimit: ServiceConfig['rateLimit'] = { windowMs: 60_000, limit: 10_000 }) {
  const file = path.join(dir, `audit-${stores.length}.sqlite`);
  const store = new SqliteStore(file);
  stores.push(store);
  const { logger, lines } = collectingLogger();
  const app = createApp({ engine: opened.engine, versions: opened.versions, store, config: { apiKeys: [], allowedOrigins: [], rateLimit, staticDir: null }, logger });
  return { app, file, lines };
}

describe('an edited record is never served', () => {
  test('GET and reclassify answer 500 naming the request, and an error line is logged; other requests still read', async () => {
    const { app, file, lines } = makeApp();
    for (const id of ['read-check-0001', 'read-check-0002']) {
      await request(app).post(`${API}/classify`).set('X-Request-Id', id).send({ rows: [{ description: 'mens cotton knitted t-shirt' }, { description: 'steel bolts' }] }).expect(200);
    }
    await request(app).get(`${API}/classifications/read-check-0001`).expect(200);
    // The insider's edit: the answer of row 1 changed in the database.
    tamperSql(file, "UPDATE records SET payload = replace(payload, '\"status\":\"review\"', '\"status\":\"ok\"') WHERE request_id = 'read-check-0001' AND row_no = 1");
    tamperSql(file, "UPDATE records SET payload = payload || ' ' WHERE request_id = 'read-check-0001' AND row_no = 1");
    const message = 'stored record for request read-check-0001 failed its hash check (record 2: content does not match its hash): the audit store may have been tampered with';
    const got = await request(app).get(`${API}/classifications/read-check-0001`).set('X-Request-Id', 'reader-00000001').expect(500);
    expect(got.body).toEqual({ error: message, request_id: 'reader-00000001' });
    const re = await request(app).post(`${API}/classifications/read-check-0001/reclassify`).expect(500);
    expect(re.body.error).toBe(message);
    const errors = lines.map((l) => JSON.parse(l)).filter((l) => l.level === 50 && l.msg === message);
    expect(errors.length).toBe(2);
    expect(errors[0]).toMatchObject({ stored_request: 'read-check-0001', seq: 2 });
    await request(app).get(`${API}/classifications/read-check-0002`).expect(200);
  });
});

describe('descriptions: characters are code points', () => {
  test('1,013 characters with emoji (2,013 UTF-16 units) are accepted; 2,001 characters are refused, counted right', async () => {
    const desc = `${'👕'.repeat(1000)} cotton shirt`;
    expect(desc.length).toBe(2013);
    expect(codePointLength(desc)).toBe(1013);
    const { app } = makeApp();
    const ok = await request(app).post(`${API}/classify`).send({ rows: [{ description: desc }, { description: 'x'.repeat(2001) }, { description: `${'é'.repeat(1999)}👕` }] }).expect(200);
    expect(ok.body.rows[0].status).not.toBe('error');
    expect(ok.body.rows[0].candidates.length).toBeGreaterThan(0);
    expect(ok.body.rows[1]).toMatchObject({ status: 'error', error: `description is longer than ${MAX_DESCRIPTION_CHARS} characters (2001)` });
    expect(ok.body.rows[2].error ?? '').not.toMatch(/longer than/); // 2,000 characters exactly
  });

  test('cutting at the limit never splits a surrogate pair', () => {
    const s = `${'a'.repeat(1999)}👕👕`;
    expect(cutCodePoints(s)).toBe(`${'a'.repeat(1999)}👕`);
    expect(cutCodePoints('short')).toBe('short');
    expect(tooLong(`${'👕'.repeat(1001)}`)).toBeNull();
    expect(tooLong('a'.repeat(2001))).toMatch(/\(2001\)/);
  });
});

describe('descriptions in other scripts', () => {
  test('Arabic, Hebrew, Cyrillic and CJK get an error row saying the classifier reads English; mixed text is classified; codes only keep their message', async () => {
    const { app } = makeApp();
    const rows = [
      { description: 'قميص قطني للرجال', script: 'Arabic script' },
      { description: 'חולצת כותנה לגברים', script: 'Hebrew script' },
      { description: 'хлопковая футболка мужская', script: 'Cyrillic script' },
      { description: '棉质T恤', script: 'Chinese (Han) script' },
      { description: 'USB充电器', script: 'Chinese (Han) script' },
      { description: '綿のTシャツ', script: 'Japanese (kana) script' },
      { description: '면 티셔츠', script: 'Korean (Hangul) script' },
    ];
    const res = await request(app)
      .post(`${API}/classify`)
      .send({ rows: [...rows.map((r) => ({ description: r.description })), { description: 'mens cotton t-shirt (хлопок)' }, { description: 'SKU 12345 $4.50 x 12 pcs' }] })
      .expect(200);
    rows.forEach((r, i) => {
      expect(res.body.rows[i]).toMatchObject({ status: 'error', candidates: [] });
      expect(res.body.rows[i].error).toBe(`the classifier reads English descriptions only: this one is written in ${r.script}; translate it into English`);
    });
    expect(res.body.rows[7].status).not.toBe('error');
    expect(res.body.rows[7].candidates[0].hs6.slice(0, 2)).toBe('61');
    expect(res.body.rows[8].error).toMatch(/only codes, prices, quantities or units/);
  });

  test('accented Latin is English enough to try (it is Latin script)', () => {
    expect(notEnglish('Café crème, coton 100%')).toBeNull();
    expect(notEnglish('Größe 10 baumwolle')).toBeNull();
    expect(notEnglish('Ελληνικό λάδι')).toMatch(/Greek script/);
  });
});

describe('the rate limit counts rows', () => {
  test('a batch that would exceed RATE_LIMIT_ROWS is a 429 with Retry-After and a clear message, and nothing of it is recorded', async () => {
    const { app } = makeApp({ windowMs: 60_000, limit: 100, rows: 5 });
    const rows = (n: number) => ({ rows: Array.from({ length: n }, () => ({ description: 'steel bolts' })) });
    await request(app).post(`${API}/classify`).send(rows(3)).expect(200);
    const refused = await request(app).post(`${API}/classify`).set('X-Request-Id', 'over-the-limit-1').send(rows(3)).expect(429);
    expect(refused.body.error).toBe('too many rows: this request has 3 rows but only 2 of the 5 rows per 60 s per client are left; retry after 60 s or send fewer rows');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    await request(app).get(`${API}/classifications/over-the-limit-1`).expect(404);
    await request(app).post(`${API}/classify`).send(rows(2)).expect(200); // what is left still fits
    const big = await request(app).post(`${API}/classify`).send(rows(6)).expect(429);
    expect(big.body.error).toMatch(/this request has 6 rows and the limit is 5 rows per 60 s per client; send at most 5 rows per request/);
  });

  test('reclassify counts the stored rows', async () => {
    const { app } = makeApp({ windowMs: 60_000, limit: 100, rows: 4 });
    await request(app).post(`${API}/classify`).set('X-Request-Id', 'reclass-rows-01').send({ rows: [{ description: 'steel bolts' }, { description: 'frozen shrimp' }, { description: 'wool cardigan' }] }).expect(200);
    const r = await request(app).post(`${API}/classifications/reclass-rows-01/reclassify`).expect(429);
    expect(r.body.error).toMatch(/this request has 3 rows but only 1 of the 4 rows/);
  });

  test('the window: a client gets its budget back after it; clients are counted apart', () => {
    const limiter = createRowLimiter({ windowMs: 60_000, rows: 10 });
    const client = (ip: string) => ({ ip, socket: {} }) as unknown as Request;
    const headers: Record<string, string> = {};
    const res = { setHeader: (k: string, v: string) => (headers[k] = v) } as unknown as Response;
    limiter.take(client('10.0.0.1'), res, 10, 0);
    expect(() => limiter.take(client('10.0.0.1'), res, 1, 30_000)).toThrow(RowLimitError);
    expect(headers['Retry-After']).toBe('30');
    limiter.take(client('10.0.0.2'), res, 10, 30_000);
    limiter.take(client('10.0.0.1'), res, 10, 60_000);
  });

  test('RATE_LIMIT_ROWS: default and validation', () => {
    expect(serviceConfig({}).rateLimit.rows).toBe(DEFAULT_RATE_LIMIT_ROWS);
    expect(serviceConfig({ RATE_LIMIT_ROWS: '500' }).rateLimit.rows).toBe(500);
    expect(() => serviceConfig({ RATE_LIMIT_ROWS: 'lots' })).toThrow(StartupError);
    expect(() => serviceConfig({ RATE_LIMIT_ROWS: '0' })).toThrow(/RATE_LIMIT_ROWS must be a positive whole number/);
  });
});

describe('review: sheet names with quotes, merged descriptions', () => {
  const env = { ...process.env, SQLITE_PATH: path.join(dir, 'review.sqlite'), DATABASE_URL: '' };
  const review = (input: string, output: string, sheet?: string) =>
    runReview({ input, column: 'Description', output, sheet, env, opened, progress: false, log: () => undefined });

  test('the reference parser: a double quote inside a quoted sheet name is not a string; doubled quotes are escapes', () => {
    expect(splitStrings(`'Inv "Q1", x'!C2+1`)).toEqual([`'Inv "Q1", x'!C2+1`]);
    expect(splitStrings(`IF(A1="C2",'It''s'!C2,"a""b")`)).toEqual(['IF(A1=', '"C2"', `,'It''s'!C2,`, '"a""b"', ')']);
    expect(shiftFormula(`'Inv "Q1", x'!C2+1`, 'Totals', 'Inv "Q1", x', 3, 9)).toBe(`'Inv "Q1", x'!L2+1`);
    expect(shiftFormula(`'It''s "a"'!$C$2:D3&"'It''s ""a""'!C2"`, 'T', `It's "a"`, 3, 9)).toBe(`'It''s "a"'!$L$2:M3&"'It''s ""a""'!C2"`);
  });

  test('a formula on another sheet pointing into a sheet named Inv "Q1", x moves with the inserted columns', async () => {
    const wb = new ExcelJS.Workbook();
    const name = 'Inv "Q1", x';
    const ws = wb.addWorksheet(name);
    ws.addRow(['Line', 'Description', 'Qty']);
    ws.addRow([1, 'mens cotton knitted t-shirt', 12]);
    ws.addRow([2, 'steel bolts', 100]);
    const totals = wb.addWorksheet('Totals');
    totals.getCell('A1').value = { formula: `'Inv "Q1", x'!C2+1`, result: 13 };
    totals.getCell('A2').value = { formula: `SUM('Inv "Q1", x'!C2:C3)&"'x'!C2"`, result: '112' };
    const input = path.join(dir, 'quoted.xlsx');
    await wb.xlsx.writeFile(input);
    const output = path.join(dir, 'quoted-reviewed.xlsx');
    const res = await review(input, output, name);
    expect(res.firstResultCol).toBe(3);
    const out = new ExcelJS.Workbook();
    await out.xlsx.readFile(output);
    const q = 3 + RESULT_COLUMNS.length; // where Qty went
    const col = String.fromCharCode(64 + q);
    expect(out.getWorksheet('Totals')!.getCell('A1').formula).toBe(`'Inv "Q1", x'!${col}2+1`);
    expect(out.getWorksheet('Totals')!.getCell('A2').formula).toBe(`SUM('Inv "Q1", x'!${col}2:${col}3)&"'x'!C2"`);
    expect(out.getWorksheet(name)!.getCell(`${col}2`).value).toBe(12);
  });

  test('a description merged over three rows is classified once, on its first row; the rows it covers say so', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Lines');
    ws.addRow(['Line', 'Description', 'Qty']);
    ws.addRow([1, 'steel bolts', 10]);
    ws.addRow([2, 'mens cotton knitted t-shirt, assorted sizes', 5]);
    ws.addRow([3, null, 6]);
    ws.addRow([4, null, 7]);
    ws.addRow([5, 'frozen shrimp, peeled', 1]);
    ws.mergeCells('B3:B5');
    const input = path.join(dir, 'merged.xlsx');
    await wb.xlsx.writeFile(input);
    const output = path.join(dir, 'merged-reviewed.xlsx');
    const res = await review(input, output);
    expect(res.rows).toBe(3);
    const out = new ExcelJS.Workbook();
    await out.xlsx.readFile(output);
    const o = out.getWorksheet('Lines')!;
    const at = res.firstResultCol;
    const statusAt = at + RESULT_COLUMNS.indexOf('Status');
    const reasoningAt = at + RESULT_COLUMNS.indexOf('Reasoning');
    expect(RESULT_COLUMNS.indexOf('Status')).toBeGreaterThan(0);
    expect(String(o.getRow(3).getCell(at).value)).toMatch(/^61/);
    for (const r of [4, 5]) {
      expect(o.getRow(r).getCell(at).value).toBeNull();
      expect(o.getRow(r).getCell(statusAt).value).toBeNull();
      expect(o.getRow(r).getCell(reasoningAt).value).toBe('part of the merged description classified in row 3');
    }
    expect(o.getRow(6).getCell(statusAt).value).not.toBeNull();
    const store = new SqliteStore(env.SQLITE_PATH);
    stores.push(store);
    const stored = await store.getRequest(res.requestId);
    expect(stored!.rows.map((r) => JSON.parse(r).id)).toEqual([1, 2, 5]);
  });

  test('hs-classify classify: a merged description is classified once, the rows it covers are error rows saying where; other columns still read the merged value', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Lines');
    ws.addRow(['Line', 'Description', 'Origin']);
    ws.addRow(['L1', 'steel bolts', 'CN']);
    ws.addRow(['L2', 'mens cotton knitted t-shirt, assorted sizes', 'VN']);
    ws.addRow(['L3', null, null]);
    ws.addRow(['L4', null, null]);
    ws.addRow(['L5', 'frozen shrimp, peeled', 'TH']);
    ws.mergeCells('B3:B5');
    ws.mergeCells('C3:C5');
    const input = path.join(dir, 'merged-classify.xlsx');
    await wb.xlsx.writeFile(input);
    const output = path.join(dir, 'merged-classify.jsonl');
    const bin = path.resolve(__dirname, '..', 'bin', 'hs-classify.js');
    const r = spawnSync(process.execPath, [bin, 'classify', '--input', input, '--column', 'Description', '--id-column', 'Line', '--output', output], { encoding: 'utf8', env: { ...process.env, WORKERS: '0' } });
    expect(r.status).toBe(0);
    const rows = fs.readFileSync(output, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((x) => x.id)).toEqual(['L1', 'L2', 'L3', 'L4', 'L5']);
    expect(rows[1]).toMatchObject({ description: 'mens cotton knitted t-shirt, assorted sizes', status: expect.stringMatching(/^(ok|review)$/) });
    for (const x of [rows[2], rows[3]]) expect(x).toEqual({ id: x.id, description: null, status: 'error', candidates: [], error: 'part of the merged description classified in row L2' });
    expect(rows[4].description).toBe('frozen shrimp, peeled');
    expect(r.stderr).toMatch(/5 rows .* 2 error/);
    // a merged origin (or code) cell is one value for every row it covers, as before
    expect((await readRows(input, { column: 'Origin' })).map((x) => x.description)).toEqual(['CN', 'VN', 'VN', 'VN', 'TH']);
  });
});
