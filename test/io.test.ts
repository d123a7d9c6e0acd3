import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ExcelJS from 'exceljs';
import { parse as parseCsv } from 'csv-parse/sync';
import {
  assertDistinctPaths,
  formulaSafe,
  InputError,
  openWriter,
  FLAT_COLUMNS,
  readRows,
  ResultRow,
} from '../server/cli/io';

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-io-test-'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function file(name: string, content?: string | Buffer): string {
  const p = path.join(dir, name);
  if (content !== undefined) fs.writeFileSync(p, content);
  return p;
}

async function expectInputError(p: Promise<unknown>, ...patterns: RegExp[]): Promise<InputError> {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(InputError);
  for (const re of patterns) expect((caught as Error).message).toMatch(re);
  return caught as InputError;
}

function result(id: string | number, description: string | null, extra: Partial<ResultRow> = {}): ResultRow {
  return {
    id,
    description,
    status: 'ok',
    candidates: [
      { hs6: '610910', code: '6109100012', confidence: 0.81, description: 'T-shirts, of cotton', examples: [] },
      { hs6: '610990', code: '6109901000', confidence: 0.12345, description: 'T-shirts, of other textiles', examples: [] },
      { hs6: '030617', code: '0306170000', confidence: 0.05, description: '=Shrimps', examples: [] },
    ],
    ...extra,
  };
}

describe('readRows: CSV', () => {
  test('comma-delimited, row numbers as ids, trimmed descriptions, blank description', async () => {
    const p = file('comma.csv', 'sku,Description\nA1,  Cotton T-shirt \nA2,\nA3,Frozen shrimp\n');
    const rows = await readRows(p, { column: 'Description' });
    expect(rows).toEqual([
      { id: 1, description: 'Cotton T-shirt' },
      { id: 2, description: null, problem: 'blank description' },
      { id: 3, description: 'Frozen shrimp' },
    ]);
  });

  test('semicolon delimiter, BOM, case-insensitive column, id column keeps leading zeros', async () => {
    const p = file('semi.csv', '\uFEFFItem No;  description  ;price\r\n00123;Steel bolts, M8;1,50\r\n0042;Wooden chair;12,00\r\n');
    const rows = await readRows(p, { column: 'DESCRIPTION', idColumn: 'item no' });
    expect(rows).toEqual([
      { id: '00123', description: 'Steel bolts, M8' },
      { id: '0042', description: 'Wooden chair' },
    ]);
  });

  test('tab delimiter', async () => {
    const p = file('tab.csv', 'id\tdesc\n7\tLaptop, 15 inch\n');
    expect(await readRows(p, { column: 'desc', idColumn: 'id' })).toEqual([{ id: '7', description: 'Laptop, 15 inch' }]);
  });

  test('quoted field containing newlines and delimiters', async () => {
    const p = file('quoted.csv', 'id,desc\n1,"Men\'s shirt,\nwoven ""cotton"""\n2,Socks\n');
    const rows = await readRows(p, { column: 'desc' });
    expect(rows).toEqual([
      { id: 1, description: 'Men\'s shirt,\nwoven "cotton"' },
      { id: 2, description: 'Socks' },
    ]);
  });

  test('exact column match wins over case-insensitive match', async () => {
    const p = file('exact.csv', 'Desc,desc\nupper,lower\n');
    expect((await readRows(p, { column: 'desc' }))[0].description).toBe('lower');
    expect((await readRows(p, { column: 'Desc' }))[0].description).toBe('upper');
  });

  test('missing column lists the available columns', async () => {
    const p = file('cols.csv', 'sku,Product Name,qty\n1,x,2\n');
    const err = await expectInputError(readRows(p, { column: 'description' }), /"description"/, /cols\.csv/);
    expect(err.message).toContain('Available columns: "sku", "Product Name", "qty"');
    await expectInputError(readRows(p, { column: 'Product Name', idColumn: 'code' }), /"code"/, /Available columns/);
  });
});

describe('readRows: XLSX', () => {
  async function makeWorkbook(name: string): Promise<string> {
    const wb = new ExcelJS.Workbook();
    const other = wb.addWorksheet('Notes');
    other.addRow(['nothing here']);
    const ws = wb.addWorksheet('Invoice');
    ws.addRow(['Part No', 'Goods Description', 'Qty']);
    ws.addRow(['000123', 'Plain text', 1]);
    ws.addRow(['000124', { richText: [{ text: 'Rich ', font: { bold: true } }, { text: 'text' }] }, 2]);
    ws.addRow(['000125', { formula: 'A2&" formula"', result: '000123 formula' }, 3]);
    ws.addRow([126, 4567, 4]);
    ws.addRow(['000127', { text: 'Linked goods', hyperlink: 'https://example.com' }, 5]);
    ws.addRow(['000128', new Date(Date.UTC(2024, 0, 31)), 6]);
    ws.addRow(['000129', null, 7]);
    ws.addRow([]);
    ws.addRow(['000131', { formula: '1/0', result: { error: '#DIV/0!' } }, 9]);
    const p = file(name);
    await wb.xlsx.writeFile(p);
    return p;
  }

  test('named sheet, rich text, formula result, numbers, hyperlinks, dates, text ids with leading zeros', async () => {
    const p = await makeWorkbook('in.xlsx');
    const rows = await readRows(p, { column: 'goods description', idColumn: 'Part No', sheet: 'Invoice' });
    expect(rows).toEqual([
      { id: '000123', description: 'Plain text' },
      { id: '000124', description: 'Rich text' },
      { id: '000125', description: '000123 formula' },
      { id: '126', description: '4567' },
      { id: '000127', description: 'Linked goods' },
      { id: '000128', description: '2024-01-31' },
      { id: '000129', description: null, problem: 'blank description' },
      { id: '000131', description: null, problem: 'cell error #DIV/0!' },
    ]);
  });

  test('row numbers as ids skip the header and keep sheet positions', async () => {
    const p = await makeWorkbook('in2.xlsx');
    const rows = await readRows(p, { column: 'Goods Description', sheet: 'invoice' });
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 9]);
  });

  test('first worksheet by default; missing column and missing sheet are InputErrors', async () => {
    const p = await makeWorkbook('in3.xlsx');
    await expectInputError(readRows(p, { column: 'Goods Description' }), /Available columns: "nothing here"/, /sheet "Notes"/);
    await expectInputError(readRows(p, { column: 'x', sheet: 'Nope' }), /"Nope"/, /Available sheets: "Notes", "Invoice"/);
    await expectInputError(readRows(p, { column: 'Goods Description', sheet: 'Invoice', idColumn: 'SKU' }), /"SKU"/, /"Part No"/);
  });

  test('corrupt xlsx (random bytes) is an InputError naming the file', async () => {
    const bytes = Buffer.alloc(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + 13) % 251;
    const p = file('corrupt.xlsx', bytes);
    await expectInputError(readRows(p, { column: 'desc' }), /corrupt\.xlsx/);
  });
});

describe('readRows: JSONL', () => {
  test('objects, malformed line, blank lines, non-object line, id field', async () => {
    const p = file(
      'in.jsonl',
      [
        '{"sku": "0001", "description": "Cotton shirt"}',
        '',
        '{"sku": "0002", "description": "broken',
        '{"sku": 3, "Description": "  Frozen prawns "}',
        '[1,2]',
        '{"sku": "0005", "description": ""}',
        '{"sku": "0006"}',
        '',
      ].join('\n'),
    );
    const rows = await readRows(p, { column: 'description', idColumn: 'sku' });
    expect(rows).toEqual([
      { id: '0001', description: 'Cotton shirt' },
      { id: 3, description: null, problem: 'line 3: invalid JSON' },
      { id: '3', description: 'Frozen prawns' },
      { id: 5, description: null, problem: 'line 5: not a JSON object' },
      { id: '0005', description: null, problem: 'blank description' },
      { id: '0006', description: null, problem: 'line 7: no "description" field' },
    ]);
  });

  test('line numbers as ids; column absent everywhere is an InputError', async () => {
    const p = file('ids.jsonl', '{"text": "a"}\n{"text": "b"}\n');
    expect(await readRows(p, { column: 'text' })).toEqual([
      { id: 1, description: 'a' },
      { id: 2, description: 'b' },
    ]);
    await expectInputError(readRows(p, { column: 'description' }), /"description"/, /Available columns: "text"/);
  });
});

describe('readRows: file errors', () => {
  test('missing file', async () => {
    await expectInputError(readRows(path.join(dir, 'nope.csv'), { column: 'd' }), /not found/, /nope\.csv/);
  });

  test('unsupported extension', async () => {
    const p = file('input.pdf', 'x');
    await expectInputError(readRows(p, { column: 'd' }), /Unsupported/, /\.pdf/, /\.csv/);
    await expectInputError(readRows(file('old.xls', 'x'), { column: 'd' }), /\.xlsx/);
  });

  test('empty CSV has no header', async () => {
    await expectInputError(readRows(file('empty.csv', ''), { column: 'd' }), /empty/);
  });
});

describe('formulaSafe', () => {
  test.each([
    ['=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'],
    ['+1', "'+1"],
    ['-2', "'-2"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
    ['Cotton shirt', 'Cotton shirt'],
    ['a=b', 'a=b'],
    ['', ''],
  ])('%j -> %j', (input, expected) => {
    expect(formulaSafe(input)).toBe(expected);
  });
});

describe('assertDistinctPaths', () => {
  test('same file through different spellings is rejected; different files pass', () => {
    const p = file('same.csv', 'a\n');
    const rel = path.relative(process.cwd(), p);
    expect(() => assertDistinctPaths(p, rel)).toThrow(InputError);
    expect(() => assertDistinctPaths(p, path.join(dir, '.', 'sub', '..', 'same.csv'))).toThrow(/same file/);
    expect(() => assertDistinctPaths(p, path.join(dir, 'out.csv'))).not.toThrow();
    const link = path.join(dir, 'same-link.csv');
    fs.symlinkSync(p, link);
    expect(() => assertDistinctPaths(p, link)).toThrow(InputError);
  });
});

const tricky: ResultRow[] = [
  result('00123', 'Cotton T-shirt'),
  { ...result(2, '=HYPERLINK("http://evil.example","click")'), status: 'review', reasoning: { summary: '=6109.10: GRI 1 (terms of heading 6109)' } },
  { id: 3, description: '+1', status: 'error', candidates: [], error: '-2 went wrong' },
  { id: '@SUM', description: null, status: 'error', candidates: [], error: 'blank description' },
];

describe('openWriter', () => {
  test('JSONL: exact row objects in order, key order, temp file renamed on close', async () => {
    const out = path.join(dir, 'out.jsonl');
    const w = await openWriter(out);
    await w.write({ ...result('00123', 'Cotton'), score: 1 } as ResultRow);
    await w.write({ extra: 'x', error: 'boom', candidates: [], status: 'error', description: null, id: 2 } as ResultRow);
    expect(fs.existsSync(out)).toBe(false);
    const temps = fs.readdirSync(dir).filter((f) => f.startsWith('.out.jsonl.') && f.endsWith('.tmp'));
    expect(temps).toHaveLength(1);
    await w.close();
    expect(fs.existsSync(out)).toBe(true);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.out.jsonl.'))).toEqual([]);
    const lines = fs.readFileSync(out, 'utf8').split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    const first = JSON.parse(lines[0]);
    expect(first).toEqual({ ...result('00123', 'Cotton'), score: 1 });
    expect(Object.keys(first)).toEqual(['id', 'description', 'status', 'candidates', 'score']);
    expect(Object.keys(JSON.parse(lines[1]))).toEqual(['id', 'description', 'status', 'candidates', 'error', 'extra']);
    await expect(w.write(result(3, 'late'))).rejects.toThrow(/closed/);
  });

  test('CSV: flat columns, decimal confidences, text codes, formula guard; readable back', async () => {
    const out = path.join(dir, 'out.csv');
    const w = await openWriter(out);
    for (const r of tricky) await w.write(r);
    expect(fs.existsSync(out)).toBe(false);
    await w.close();
    const text = fs.readFileSync(out, 'utf8');
    const records = parseCsv(text) as string[][];
    expect(records[0]).toEqual([
      'id', 'description', 'status',
      'hs_code_1', 'confidence_1', 'hs_description_1',
      'hs_code_2', 'confidence_2', 'hs_description_2',
      'hs_code_3', 'confidence_3', 'hs_description_3',
      'reasoning', 'error', 'likely_code', 'questions',
    ]);
    expect(records[1]).toEqual([
      '00123', 'Cotton T-shirt', 'ok',
      '6109100012', '0.81', 'T-shirts, of cotton',
      '6109901000', '0.1235', 'T-shirts, of other textiles',
      '0306170000', '0.05', "'=Shrimps",
      '', '', '', '',
    ]);
    expect(records[2][12]).toBe("'=6109.10: GRI 1 (terms of heading 6109)");
    expect(records[2].slice(0, 3)).toEqual(['2', '\'=HYPERLINK("http://evil.example","click")', 'review']);
    expect(records[3]).toEqual(['3', "'+1", 'error', '', '', '', '', '', '', '', '', '', '', "'-2 went wrong", '', '']);
    expect(records[4][0]).toBe("'@SUM");
    expect(records[4][1]).toBe('');
    expect(records).toHaveLength(5);
    // No field of the file starts with a formula character.
    for (const rec of records) for (const v of rec) expect(v).not.toMatch(/^[=+\-@\t\r]/);
    // The reader reads our own output back.
    const back = await readRows(out, { column: 'description', idColumn: 'id' });
    expect(back[0]).toEqual({ id: '00123', description: 'Cotton T-shirt' });
  });

  test('CSV and XLSX: the likely national line and the questions of an undecided first candidate', async () => {
    const row = {
      id: 1,
      description: 'MENS CREW NECK TEE 100% COTTON',
      status: 'review' as const,
      candidates: [{
        hs6: '610910', code: '610910', confidence: 0.4, description: 'T-shirts, of cotton', examples: [],
        likely: { code: '6109100012', basis: '3 of the 4 labelled examples...' },
        questions: ['Is it T-shirts, all white?', "Men's, or women's?"],
      }],
    };
    const csv = path.join(dir, 'likely.csv');
    let w = await openWriter(csv);
    await w.write(row);
    await w.close();
    const rec = (parseCsv(fs.readFileSync(csv, 'utf8')) as string[][])[1];
    expect(rec.slice(-2)).toEqual(['6109100012', "Is it T-shirts, all white? | Men's, or women's?"]);
    const xlsx = path.join(dir, 'likely.xlsx');
    w = await openWriter(xlsx);
    await w.write(row);
    await w.close();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsx);
    const cell = wb.worksheets[0].getRow(2).getCell(FLAT_COLUMNS.indexOf('likely_code') + 1);
    expect(cell.value).toBe('6109100012');
    expect(cell.numFmt).toBe('@');
  });

  test('XLSX: strings with @ for codes, numbers with 0.0% for confidences, bold frozen header, guard', async () => {
    const out = path.join(dir, 'out.xlsx');
    const w = await openWriter(out);
    for (const r of tricky) await w.write(r);
    expect(fs.existsSync(out)).toBe(false);
    await w.close();
    expect(fs.existsSync(out)).toBe(true);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    const ws = wb.worksheets[0];
    expect(ws.getRow(1).values).toEqual([
      undefined,
      'id', 'description', 'status',
      'hs_code_1', 'confidence_1', 'hs_description_1',
      'hs_code_2', 'confidence_2', 'hs_description_2',
      'hs_code_3', 'confidence_3', 'hs_description_3',
      'reasoning', 'error', 'likely_code', 'questions',
    ]);
    expect(ws.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.getColumn(2).width).toBeGreaterThanOrEqual(30);

    const r2 = ws.getRow(2);
    expect(r2.getCell(1).value).toBe('00123');
    expect(r2.getCell(1).numFmt).toBe('@');
    for (const [col, code] of [[4, '6109100012'], [7, '6109901000'], [10, '0306170000']] as const) {
      expect(r2.getCell(col).value).toBe(code);
      expect(typeof r2.getCell(col).value).toBe('string');
      expect(r2.getCell(col).numFmt).toBe('@');
    }
    for (const [col, conf] of [[5, 0.81], [8, 0.1235], [11, 0.05]] as const) {
      expect(r2.getCell(col).value).toBe(conf);
      expect(r2.getCell(col).numFmt).toBe('0.0%');
    }
    expect(r2.getCell(12).value).toBe("'=Shrimps");
    expect(ws.getRow(3).getCell(1).value).toBe(2);
    expect(ws.getRow(3).getCell(2).value).toBe('\'=HYPERLINK("http://evil.example","click")');
    expect(ws.getRow(4).getCell(2).value).toBe("'+1");
    expect(ws.getRow(3).getCell(13).value).toBe("'=6109.10: GRI 1 (terms of heading 6109)");
    expect(ws.getRow(4).getCell(14).value).toBe("'-2 went wrong");
    expect(ws.getRow(5).getCell(1).value).toBe("'@SUM");
    expect(ws.rowCount).toBe(5);

    // And our reader reads it back.
    const back = await readRows(out, { column: 'description', idColumn: 'id' });
    expect(back[0]).toEqual({ id: '00123', description: 'Cotton T-shirt' });
    expect(back[2]).toEqual({ id: '3', description: "'+1" });
  });

  test('XLSX streams many rows', async () => {
    const out = path.join(dir, 'many.xlsx');
    const w = await openWriter(out);
    for (let i = 1; i <= 5000; i++) await w.write(result(i, `item ${i}`));
    await w.close();
    const rows = await readRows(out, { column: 'hs_code_1' });
    expect(rows).toHaveLength(5000);
    expect(rows[4999]).toEqual({ id: 5000, description: '6109100012' });
  });

  test('writes issued without awaiting keep their order', async () => {
    const out = path.join(dir, 'concurrent.csv');
    const w = await openWriter(out);
    await Promise.all(Array.from({ length: 50 }, (_, i) => w.write(result(i + 1, `row ${i + 1}`))));
    await w.close();
    const records = parseCsv(fs.readFileSync(out, 'utf8')) as string[][];
    expect(records.slice(1).map((r) => r[1])).toEqual(Array.from({ length: 50 }, (_, i) => `row ${i + 1}`));
  });

  test('close replaces an existing output; abort leaves it untouched and removes the temp file', async () => {
    const out = file('existing.jsonl', 'old\n');
    const w = await openWriter(out);
    await w.write(result(1, 'new'));
    expect(fs.readFileSync(out, 'utf8')).toBe('old\n');
    await w.close();
    expect(JSON.parse(fs.readFileSync(out, 'utf8')).description).toBe('new');

    const w2 = await openWriter(out);
    await w2.write(result(2, 'discarded'));
    await w2.abort?.();
    expect(JSON.parse(fs.readFileSync(out, 'utf8')).description).toBe('new');
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.existing.jsonl.'))).toEqual([]);
  });

  test('unsupported output format and unwritable directory are InputErrors', async () => {
    await expectInputError(openWriter(path.join(dir, 'out.txt')), /Unsupported output/, /\.txt/);
    await expectInputError(openWriter(path.join(dir, 'no-such-dir', 'out.csv')), /Cannot write output file/, /out\.csv/);
  });
});
