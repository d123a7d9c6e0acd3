// The duty stack through the service (GET /duties, origin on POST /classify, reclassify) and the CLI (duties, classify --origin).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { parse } from 'csv-parse/sync';
import { openEngine, type OpenedEngine } from '../server/engine';
import { createApp, API } from '../server/service/app';
import { SqliteStore } from '../server/audit/sqlite';
import { dutyVersions, loadDutyData, type DutyData } from '../server/duties/load';
import * as S from '../server/service/schemas';
import { main } from '../server/cli/main';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-duties-svc-'));
let opened: OpenedEngine;
let duties: DutyData;
let store: SqliteStore;
let app: ReturnType<typeof createApp>;

beforeAll(() => {
  opened = openEngine();
  duties = loadDutyData();
  store = new SqliteStore(path.join(dir, 'audit.sqlite'));
  app = createApp({
    engine: opened.engine,
    versions: { ...opened.versions, ...dutyVersions(duties) },
    store,
    config: { apiKeys: [], allowedOrigins: [], rateLimit: { windowMs: 60_000, limit: 10_000 }, staticDir: null },
    logger: pino({ level: 'silent' }),
    duties,
  });
});
afterAll(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('GET /duties', () => {
  test('6109.10.00 from China: List 4A 9903.88.15 +7.5%, validated by the response schema', async () => {
    const r = await request(app).get(`${API}/duties`).query({ code: '6109100012', origin: 'cn', date: '2026-05-01' }).expect(200);
    expect(S.DutyStack.parse(r.body)).toBeTruthy();
    const s301 = r.body.duties.find((x: { kind: string }) => x.kind === 'section301');
    expect([s301.heading, s301.rate, s301.citation]).toEqual(['9903.88.15', '+7.5%', 'U.S. note 20(s)(i) to subchapter III of chapter 99; heading 9903.88.15']);
    expect(r.body.origin).toBe('CN');
    expect(r.body.versions).toEqual({ duties: duties.version, duties_revisions: duties.revisions });
    expect(duties.revisions).toBe(
      'HTS 2026 Revision 4; HTSUS chapter 99, 2026 Revision 6 (effective 2026-04-23), with the Section 301 and 232 lists of that revision; programmes: reviewed table of the general notes, 2026-12-02',
    );
  });

  test('steel_pour_country US (US-melted steel) is accepted: 9903.82.06, +10%', async () => {
    const r = await request(app).get(`${API}/duties`).query({ code: '7318158020', origin: 'CN', date: '2026-05-01', steel_pour_country: 'us' }).expect(200);
    const m = r.body.duties.find((x: { kind: string }) => x.kind === 'section232');
    expect([m.heading, m.rate, m.citation]).toEqual(['9903.82.06', '+10%', 'U.S. note 16(c)(iv) to subchapter III of chapter 99; heading 9903.82.06']);
    const bad = await request(app).get(`${API}/duties`).query({ code: '7318158020', origin: 'CN', aluminum_smelt_country: 'QQ' }).expect(400);
    expect(bad.body.issues).toEqual([{ path: 'aluminum_smelt_country', message: 'must be an ISO 3166-1 alpha-2 country code' }]);
  });

  test('an unknown origin, a bad code or date is a 400 naming the field', async () => {
    const a = await request(app).get(`${API}/duties`).query({ code: '6109100012', origin: 'XX' }).expect(400);
    expect(a.body.error).toMatch(/origin: must be an ISO 3166-1 alpha-2 country code/);
    const b = await request(app).get(`${API}/duties`).query({ code: '6109100099', origin: 'CN' }).expect(400);
    expect(b.body.issues).toEqual([{ path: 'code', message: expect.stringContaining('is not a line of the US HTS') }]);
    await request(app).get(`${API}/duties`).query({ code: '6109100012', origin: 'CN', date: '2026-13-01' }).expect(400);
  });
});

describe('POST /classify with an origin', () => {
  const body = { rows: [{ description: 'laptop computer 14 inch', item_id: 'a' }, { description: 'laptop computer 14 inch', item_id: 'b', origin: 'MX' }], country: 'US', origin: 'CN', entry_date: '2026-05-01' };

  test('US lines get duties for the row origin or the request default; recorded and retrievable', async () => {
    const r = await request(app).post(`${API}/classify`).send(body).expect(200);
    expect(S.ClassifyResponse.parse(r.body)).toBeTruthy();
    const [a, b] = r.body.rows;
    expect([a.origin, b.origin, a.entry_date]).toEqual(['CN', 'MX', '2026-05-01']);
    const line = a.candidates.find((c: { code: string }) => c.code.length === 10);
    expect(line.duties.origin).toBe('CN');
    expect(line.duties.date).toBe('2026-05-01');
    expect(b.candidates.find((c: { code: string }) => c.code === line.code).duties.origin).toBe('MX');
    expect(r.body.versions).toMatchObject({ duties: duties.version, duties_revisions: duties.revisions });
    expect((await request(app).get(`${API}/classifications/${r.body.request_id}`).expect(200)).text).toBe(r.text);
  });

  test('an unknown origin is a 400; an origin without country US is a 400', async () => {
    const bad = await request(app).post(`${API}/classify`).send({ ...body, rows: [{ description: 'x', origin: 'ZZ' }] }).expect(400);
    expect(bad.body.issues[0].path).toBe('rows.0.origin');
    const eu = await request(app).post(`${API}/classify`).send({ ...body, country: 'EU' }).expect(400);
    expect(eu.body.error).toMatch(/country: must be US/);
  });

  test('reclassify reports rows whose duties changed', async () => {
    const r = await request(app).post(`${API}/classify`).send(body).expect(200);
    const same = await request(app).post(`${API}/classifications/${r.body.request_id}/reclassify`).expect(200);
    expect(same.body.changed_count).toBe(0);
    // Change the duty data under the recorded answer: the line's general rate.
    const code = r.body.rows[0].candidates.find((c: { code: string }) => c.code.length === 10).code as string;
    const h = duties.schedule.get(code)!;
    const was = h.general;
    h.general = '99%';
    try {
      const changed = await request(app).post(`${API}/classifications/${r.body.request_id}/reclassify`).expect(200);
      expect(S.ReclassifyResponse.parse(changed.body)).toBeTruthy();
      const rowA = changed.body.rows.find((x: { id: string }) => x.id === 'a');
      expect(rowA?.changed).toEqual(['duties']);
    } finally {
      h.general = was;
    }
  });
});

describe('CLI', () => {
  let out: string[];
  let err: string[];
  beforeEach(() => {
    out = [];
    err = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  });
  afterEach(() => jest.restoreAllMocks());

  test('hs-classify duties prints the stack as JSON', async () => {
    expect(await main(['node', 'hs-classify', 'duties', '--code', '7318158020', '--origin', 'CN', '--date', '2026-05-01'])).toBe(0);
    const s = JSON.parse(out.join(''));
    const m = s.duties.find((x: { kind: string }) => x.kind === 'section232');
    expect([m.heading, m.rate, m.citation]).toEqual(['9903.82.02', '+50%', 'U.S. note 16(c)(iv) to subchapter III of chapter 99; heading 9903.82.02']);
  });

  test('an unknown origin exits 2 with one line', async () => {
    expect(await main(['node', 'hs-classify', 'duties', '--code', '6109100012', '--origin', 'XX'])).toBe(2);
    expect(err.join('')).toBe('hs-classify: origin: "XX" is not an ISO 3166-1 alpha-2 country code\n');
  });

  test('classify --origin-column: duty columns in CSV, an error row for an unknown origin, nothing a formula', async () => {
    const input = path.join(dir, 'in.csv');
    const output = path.join(dir, 'out.csv');
    fs.writeFileSync(input, 'Item,Description,Origin\n1,laptop computer 14 inch,CN\n2,laptop computer 14 inch,XX\n3,laptop computer 14 inch,=1+2\n');
    expect(await main(['node', 'hs-classify', 'classify', '--input', input, '--column', 'Description', '--id-column', 'Item', '--country', 'US', '--origin-column', 'Origin', '--date', '2026-05-01', '--output', output])).toBe(0);
    const lines = fs.readFileSync(output, 'utf8').trim().split('\n');
    expect(lines[0].endsWith(',error,likely_code,questions,duty_total,duties')).toBe(true);
    expect(lines[1]).toMatch(/,"?CN 2026-05-01: general /);
    expect(lines[2]).toMatch(/,error,.*origin: ""XX"" is not an ISO 3166-1 alpha-2 country code/);
    // No cell can start a formula: the duties cell starts with the origin, an error with the field it names.
    const cells = (parse(fs.readFileSync(output, 'utf8'), { columns: true }) as Record<string, string>[]);
    expect(cells.map((c) => [c.status, c.error])).toEqual([
      [expect.stringMatching(/^(ok|review)$/), ''],
      ['error', 'origin: "XX" is not an ISO 3166-1 alpha-2 country code'],
      ['error', 'origin: "=1+2" is not an ISO 3166-1 alpha-2 country code'],
    ]);
    expect(cells[0].duties).toMatch(/^CN 2026-05-01: general /);
    for (const c of cells) for (const v of Object.values(c)) expect(v).not.toMatch(/^[=+\-@\t\r]/);
    expect(await main(['node', 'hs-classify', 'classify', '--input', input, '--column', 'Description', '--origin', 'CN', '--output', output])).toBe(2);
    expect(err.join('')).toMatch(/duties need the US 10-digit lines: add --country US/);
  });
});
