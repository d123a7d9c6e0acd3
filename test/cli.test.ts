// The hs-classify command end to end, on the real reference data (HS_DATA_DIR or ../shared/hs-data).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { FLAT_COLUMNS } from '../server/cli/io';

const BIN = path.resolve(__dirname, '..', 'bin', 'hs-classify.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-cli-'));
const file = (name: string, content?: string) => {
  const p = path.join(dir, name);
  if (content !== undefined) fs.writeFileSync(p, content);
  return p;
};
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: path.resolve(__dirname, '..') });

const CSV = [
  'Item,Description,Qty',
  '007,mens 100% cotton knitted t-shirt,12',
  '008,,3',
  '009,lithium ion battery pack for laptop,1',
  '010,"frozen shrimp, peeled",40',
].join('\n');

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('hs-classify classify', () => {
  test('CSV in, JSONL out: one line per row in input order, ids from the id column, error rows for blanks', () => {
    const out = file('out.jsonl');
    const r = run('classify', '--input', file('in.csv', CSV), '--column', 'Description', '--id-column', 'Item', '--output', out);
    expect(r.status).toBe(0);
    const rows = fs.readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((x) => x.id)).toEqual(['007', '008', '009', '010']);
    expect(Object.keys(rows[0])).toEqual(['id', 'description', 'status', 'candidates', 'reasoning']);
    expect(rows[0].reasoning).toMatchObject({ gri: expect.stringMatching(/^GRI /), summary: expect.any(String) });
    expect(rows[0].reasoning.steps.at(-1)).toMatchObject({ action: 'decide', codes: [rows[0].candidates[0].hs6] });
    expect(rows[1]).toEqual({ id: '008', description: null, status: 'error', candidates: [], error: 'blank description' });
    for (const row of [rows[0], rows[2], rows[3]]) {
      expect(['ok', 'review']).toContain(row.status);
      expect(row.candidates.length).toBe(3);
      for (const c of row.candidates) {
        expect(c.hs6).toMatch(/^\d{6}$/);
        expect(c.code).toBe(c.hs6);
        expect(c.confidence).toBeGreaterThanOrEqual(0);
        expect(c.confidence).toBeLessThanOrEqual(1);
        expect(typeof c.description).toBe('string');
        expect(c.examples.length).toBeLessThanOrEqual(3);
      }
    }
    expect(rows[2].candidates.map((c: { hs6: string }) => c.hs6)).toContain('850760');
    expect(r.stderr).toMatch(/4 rows .* 1 error/);
  });

  test('--country US gives national lines or says what is missing', () => {
    const out = file('us.jsonl');
    const r = run('classify', '--input', file('in.csv', CSV), '--column', 'Description', '--country', 'US', '--output', out);
    expect(r.status).toBe(0);
    const rows = fs.readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((x) => x.id)).toEqual([1, 2, 3, 4]);
    for (const c of rows.flatMap((x) => x.candidates)) {
      if (c.code.length === 6) expect(c.missingDetail).toMatch(/does not say/);
      else {
        expect(c.code.startsWith(c.hs6)).toBe(true);
        expect([8, 10]).toContain(c.code.length);
        expect(c.nationalDescription).toBeTruthy();
      }
    }
  });

  test('XLSX out: codes as text, confidences as percentages', async () => {
    const out = file('out.xlsx');
    expect(run('classify', '--input', file('in.csv', CSV), '--column', 'Description', '--output', out).status).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    const ws = wb.worksheets[0];
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual([...FLAT_COLUMNS]);
    const code = ws.getRow(2).getCell(4);
    expect(typeof code.value).toBe('string');
    expect(code.numFmt).toBe('@');
    expect(ws.getRow(2).getCell(5).numFmt).toBe('0.0%');
    expect(ws.getRow(3).getCell(3).value).toBe('error');
  });

  test('CSV out, JSONL in with a malformed line: the run goes on', () => {
    const input = file('in.jsonl', ['{"desc": "stainless steel bolts"}', '{not json', '{"desc": "=HYPERLINK(\\"x\\")"}'].join('\n'));
    const out = file('out.csv');
    const r = run('classify', '--input', input, '--column', 'desc', '--output', out);
    expect(r.status).toBe(0);
    const rows = parse(fs.readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.map((x) => x.status)).toEqual([expect.stringMatching(/ok|review/), 'error', expect.stringMatching(/ok|review|error/)]);
    expect(rows[1].error).toMatch(/invalid JSON/);
    expect(rows[2].description.startsWith("'=")).toBe(true);
    expect(rows[0].hs_code_1).toMatch(/^\d{6}$/);
  });

  test('a missing column is a clear error with a non-zero exit, and nothing is written', () => {
    const out = file('never.jsonl');
    const r = run('classify', '--input', file('in.csv', CSV), '--column', 'Nope', '--output', out);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/Nope/);
    expect(r.stderr).toMatch(/Description/);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('an unreadable file, a missing file and output onto the input are errors', () => {
    const corrupt = file('bad.xlsx', 'this is not a zip file');
    expect(run('classify', '--input', corrupt, '--column', 'x', '--output', file('o.jsonl')).status).toBe(2);
    const missing = run('classify', '--input', file('missing.csv'), '--column', 'x', '--output', file('o.jsonl'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/missing\.csv/);
    const input = file('same.csv', CSV);
    expect(run('classify', '--input', input, '--column', 'Description', '--output', input).status).toBe(2);
    expect(fs.readFileSync(input, 'utf8')).toBe(CSV);
  });

  test('usage errors exit non-zero', () => {
    expect(run('classify', '--input', 'x.csv').status).toBe(2);
    expect(run('classify', '--input', 'x.csv', '--column', 'a', '--output', 'o.jsonl', '--country', 'FR').status).toBe(2);
  });
});
