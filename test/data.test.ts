import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import {
  citeRuling,
  DATA_FILES,
  DataError,
  loadCorrelation,
  loadDataset,
  loadDatasetWithReport,
  loadExamples,
  loadHsTree,
  loadUsHts,
  parseCsv,
  resolveDataDir,
} from '../server/data';
import type { Dataset, NationalLine } from '../server/types';

const DATA_DIR = path.resolve(process.env.HS_DATA_DIR ?? '../shared/hs-data');

/** Run `fn` and return the DataError it throws (fails the test when it throws nothing or something else). */
function dataError(fn: () => unknown): DataError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DataError) return err;
    throw err;
  }
  throw new Error('expected a DataError');
}

describe('real dataset', () => {
  let d: Dataset;
  let us: Map<string, NationalLine>;
  let eu: Map<string, NationalLine>;

  beforeAll(() => {
    const { dataset, report } = loadDatasetWithReport(DATA_DIR);
    d = dataset;
    us = new Map(d.us.map((l) => [l.code, l]));
    eu = new Map(d.eu.map((l) => [l.code, l]));
  });

  test('HS 2022 tree: 96 chapters, 1,228 headings, 5,612 subheadings, 21 sections', () => {
    const count = (level: number) => [...d.hs.nodes.values()].filter((n) => n.level === level).length;
    expect(count(2)).toBe(96);
    expect(count(4)).toBe(1228);
    expect(count(6)).toBe(5612);
    expect(d.hs.subheadings).toHaveLength(5612);
    expect(d.hs.subheadings).toEqual([...d.hs.subheadings].sort());
    expect(d.hs.sections.size).toBe(21);
    expect(d.hs.nodes.has('99')).toBe(false);
    expect(d.hs.nodes.has('999999')).toBe(false);
    expect(d.hs.nodes.has('TOTAL')).toBe(false);
    expect(d.hs.nodes.get('01')).toEqual({ code: '01', level: 2, description: 'Animals; live', parent: null, section: 'I' });
    expect(d.hs.nodes.get('010121')).toMatchObject({ level: 6, parent: '0101', section: 'I' });
    expect(d.hs.sections.get('I')).toEqual({ id: 'I', name: 'live animals; animal products' }); // BOM stripped
  });

  test('US HTS: leaf lines, no chapters 98-99, every HS 6 in HS 2022', () => {
    // 19,856 10-digit lines - 118 in chapters 98-99 = 19,738; plus 95 8-digit lines without 10-digit children.
    expect(d.us).toHaveLength(19833);
    expect(d.us.filter((l) => l.code.length === 10)).toHaveLength(19738);
    expect(d.us.filter((l) => l.code.length === 8)).toHaveLength(95);
    const bad = d.us.filter(
      (l) =>
        !/^\d{8}(\d{2})?$/.test(l.code) ||
        l.code.startsWith('98') ||
        l.code.startsWith('99') ||
        l.hs6 !== l.code.slice(0, 6) ||
        d.hs.nodes.get(l.hs6)?.level !== 6 ||
        l.fullDescription !== l.path.join(' > ') ||
        l.path[l.path.length - 1] !== l.description ||
        l.path.some((p) => p === '' || p.endsWith(':')) ||
        !l.generalRate,
    );
    expect(bad).toEqual([]);
    // 8-digit lines that have 10-digit children are not leaves.
    expect(us.has('01012100')).toBe(false);
  });

  test('US 10-digit line: ancestors by indent, unit, rate inherited from its 8-digit line', () => {
    expect(us.get('0102294024')).toEqual({
      country: 'US',
      code: '0102294024',
      hs6: '010229',
      description: 'Male',
      path: ['Live bovine animals', 'Cattle', 'Other', 'Other', 'Weighing less than 90 kg each', 'Male'],
      fullDescription: 'Live bovine animals > Cattle > Other > Other > Weighing less than 90 kg each > Male',
      unit: 'No., kg',
      generalRate: '1¢/kg',
    });
    const sweater = us.get('6110202079')!;
    expect(sweater.fullDescription).toBe(
      'Sweaters, pullovers, sweatshirts, waistcoats (vests) and similar articles, knitted or crocheted > Of cotton > Other > Other > Other > ' +
        "Women's or girls' > Other (339)",
    );
    expect(sweater.unit).toBe('doz., kg');
    expect(sweater.generalRate).toBe('16.5%');
    // A 10-digit line with its own rate keeps it.
    expect(us.get('0101300000')).toMatchObject({ generalRate: '6.8%', unit: 'No.', path: ['Live horses, asses, mules and hinnies', 'Asses'] });
    // A heading without its own row: the path starts at the 8-digit line at indent 0.
    expect(us.get('7311000030')!.path[0]).toBe('Containers for compressed or liquefied gas, of iron or steel');
  });

  test('US 8-digit leaf line keeps its own rate; no unit -> null', () => {
    expect(us.get('91011140')).toMatchObject({
      hs6: '910111',
      description: 'Having no jewels or only one jewel in the movement',
      unit: null,
      generalRate: '51¢ each + 6.25% on the case and strap, band or bracelet + 5.3% on the battery',
    });
    expect(us.get('91011140')!.path.slice(-2)).toEqual([
      'With mechanical display only',
      'Having no jewels or only one jewel in the movement',
    ]);
  });

  test('EU CN: every 8-digit code, paths rebuilt from the hierarchy', () => {
    expect(d.eu).toHaveLength(9791);
    const bad = d.eu.filter(
      (l) =>
        !/^\d{8}$/.test(l.code) ||
        l.generalRate !== null ||
        l.fullDescription !== l.path.join(' > ') ||
        l.path.some((p, i) => i > 0 && p.toLowerCase() === l.path[i - 1].toLowerCase()),
    );
    expect(bad).toEqual([]);
    // "Other" under a CN subheading also named "Other": the HS 2022 subheading text fills the gap.
    expect(eu.get('01012990')).toEqual({
      country: 'EU',
      code: '01012990',
      hs6: '010129',
      description: 'Other',
      path: ['Live horses, asses, mules and hinnies', 'Horses; live, other than pure-bred breeding animals', 'Other'],
      fullDescription: 'Live horses, asses, mules and hinnies > Horses; live, other than pure-bred breeding animals > Other',
      unit: 'PST',
      generalRate: null,
    });
    // CN subheading name used when informative.
    expect(eu.get('85171300')!.path.slice(1)).toEqual(['Telephone sets; smartphones for cellular or other wireless networks', 'Smartphones']);
    // Heading not subdivided in the CN: the code's own name is the heading text.
    expect(eu.get('04090000')!.path).toEqual(['Natural honey']);
    // Heading missing from the heading file: its text comes from the CN subheading hhhh00.
    expect(eu.get('11010011')!.path).toEqual(['Wheat or meslin flour', 'Of durum wheat']);
    expect(eu.get('15180099')!.unit).toBeNull();
  });

  test('correlation HS 2017 <-> HS 2022', () => {
    expect(d.correlation.from2017.get('741999')).toEqual(['741980']);
    expect(d.correlation.from2017.get('940540')).toEqual(['853951', '940541', '940542', '940549']);
    expect(d.correlation.to2017.get('010121')).toEqual(['010121']);
    expect(d.correlation.to2017.get('441241')).toEqual(['441299']);
  });

  test('examples per source', () => {
    const count = (xs: { source: string }[], s: string) => xs.filter((x) => x.source === s).length;
    expect(count(d.examples, 'uk-parcel')).toBe(1864);
    expect(count(d.examples, 'cross')).toBe(1867);
    expect(count(d.examples, 'atlas')).toBe(198);
    expect(count(d.examples, 'uk-glossary')).toBe(4006);
    expect(count(d.examples, 'eu-bti')).toBe(208);
    expect(count(d.examples, 'uk-atar')).toBe(121);
    expect(count(d.examples, 'marketplace')).toBe(102);
    expect(count(d.examples, 'uk-synthetic')).toBe(3312);
    expect(count(d.unmapped, 'uk-parcel')).toBe(11);
    expect(count(d.unmapped, 'cross')).toBe(69);
    expect(count(d.unmapped, 'eu-bti')).toBe(9);
    expect(count(d.unmapped, 'atlas')).toBe(2);
    expect(count(d.unmapped, 'uk-glossary')).toBe(0);
    expect(new Set(d.examples.map((e) => e.id)).size).toBe(d.examples.length);
    const bad = d.examples.filter(
      (e) => d.hs.nodes.get(e.hs6)?.level !== 6 || !/^\d{6,10}$/.test(e.code) || e.text !== e.text.trim() || e.text === '',
    );
    expect(bad).toEqual([]);
  });

  test('UK parcel examples', () => {
    const byId = new Map(d.examples.map((e) => [e.id, e]));
    expect(byId.get('uk-parcel:1')).toEqual({ id: 'uk-parcel:1', source: 'uk-parcel', text: '£5', code: '4907003000', hs6: '490700' });
    const broken = d.unmapped.find((u) => u.id === 'uk-parcel:901')!;
    expect(broken).toMatchObject({ text: 'loreal faux brw tnt', code: 'dark brun' });
    expect(broken.reason).toMatch(/not 7-10 digits/);
    expect(d.unmapped.find((u) => u.id === 'uk-parcel:907')!.reason).toMatch(/330490/);
  });

  test('CROSS examples: one per distinct HS 6, ruling cited, correlation mapping', () => {
    const byId = new Map(d.examples.map((e) => [e.id, e]));
    expect(byId.get('cross:N271132:0')).toMatchObject({
      source: 'cross',
      text: 'The tariff classification and country of origin marking of frozen cookie doughs from the United Kingdom',
      code: '1901206500', // first of 1901206500, 1901207000 (same HS 6)
      hs6: '190120',
      ruling: 'NY N271132',
      date: '2015-12-28',
    });
    expect(byId.has('cross:N271132:1')).toBe(false);
    // HS 2017 741999 was split; the correlation maps it to exactly one HS 2022 subheading.
    expect(byId.get('cross:N304232:1')).toMatchObject({ code: '7419995050', hs6: '741980', mappedFrom: '741999' });
    expect(d.examples.filter((e) => e.mappedFrom && e.source === 'cross').map((e) => e.id).sort()).toEqual([
      'cross:955711:0',
      'cross:957062:0',
      'cross:965265:0',
      'cross:N304232:1',
    ]);
    expect(byId.get('cross:965265:0')!.ruling).toBe('HQ 965265');
    // Facts kept as detail when present.
    expect(d.examples.filter((e) => e.source === 'cross' && e.detail).length).toBeGreaterThan(900);
    // Chapter 99 codes cited next to the goods code are unmapped, with a reason.
    const n350227 = d.unmapped.filter((u) => u.id.startsWith('cross:N350227:'));
    expect(n350227.map((u) => u.code)).toEqual(['99038190', '99030125']);
    expect(n350227[0].reason).toMatch(/chapter 99 special provision/);
    expect(d.unmapped.find((u) => u.id === 'cross:N246008:1')!.reason).toMatch(/maps to 4 HS 2022 subheadings/);
  });

  test('ATLAS and UK glossary examples', () => {
    const byId = new Map(d.examples.map((e) => [e.id, e]));
    expect(byId.get('atlas:atlas_validation_00000')).toMatchObject({ code: '3920620000', hs6: '392062' });
    expect(byId.get('uk-glossary:abalone')).toEqual({
      id: 'uk-glossary:abalone',
      source: 'uk-glossary',
      text: 'abalone',
      code: '0307810000',
      hs6: '030781',
    });
  });

  test('files: every file read, relative path and sha256, sorted', () => {
    expect(d.files.map((f) => f.path)).toEqual(Object.values(DATA_FILES).sort());
    for (const f of d.files) expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(d.dir).toBe(DATA_DIR);
  });

  test('the CSV parser agrees with csv-parse on every CSV file', () => {
    for (const rel of Object.values(DATA_FILES).filter((f) => f.endsWith('.csv'))) {
      const text = fs.readFileSync(path.join(DATA_DIR, rel), 'utf8');
      const expected = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true }) as string[][];
      expect(parseCsv(text).map((r) => r.fields)).toEqual(expected);
    }
  });
});

describe('helpers', () => {
  test('resolveDataDir', () => {
    expect(resolveDataDir({ HS_DATA_DIR: '/x/y' })).toBe('/x/y');
    expect(resolveDataDir({})).toBe(path.resolve('../shared/hs-data'));
  });

  test('citeRuling', () => {
    expect(citeRuling('N271132')).toBe('NY N271132');
    expect(citeRuling('K87789')).toBe('NY K87789');
    expect(citeRuling('818029')).toBe('NY 818029');
    expect(citeRuling('964515')).toBe('HQ 964515');
    expect(citeRuling('089319')).toBe('HQ 089319');
    expect(citeRuling('H308209')).toBe('HQ H308209');
    expect(citeRuling('XYZ')).toBe('XYZ');
  });

  test('parseCsv: quotes, CRLF, blank lines, line numbers', () => {
    const recs = parseCsv('\ufeffa,b\r\n"x ""q""","multi\nline"\r\n\r\n,last\n');
    expect(recs).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x "q"', 'multi\nline'] },
      { line: 5, fields: ['', 'last'] },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Error cases on small synthetic fixtures.

const FIXTURE: Record<string, string> = {
  [DATA_FILES.hsSections]: '\ufeffsection,name\nI,Live animals\nXXII,Special\n',
  [DATA_FILES.hs2022]: [
    'section,hscode,description,parent,level',
    'I,01,Animals; live,TOTAL,2',
    'I,0101,"Horses, asses; live",01,4',
    'I,010121,Horses; breeding,0101,6',
    'I,010129,Horses; other,0101,6',
    'I,010130,Asses; live,0101,6',
    'TOTAL,99,Not specified,TOTAL,2',
    'TOTAL,9999,Not specified,99,4',
    'TOTAL,999999,Not specified,9999,6',
    'TOTAL,TOTAL,Total,TOTAL,5',
  ].join('\n'),
  [DATA_FILES.usHts]:
    '\ufeffHTS Number,Indent,Description,Unit of Quantity,General Rate of Duty,Special Rate of Duty,Column 2 Rate of Duty,Quota Quantity,Additional Duties\n' +
    '"0101","0","Horses and asses:","","","","","",""\n' +
    '"","1","Horses:","","","","","",""\n' +
    '"0101.21.00","2","Breeding","","Free","","","",""\n' +
    '"0101.21.00.10","03","Males","[""No.""]","","","","",""\n' +
    '"0101.21.00.20","03","Females","[""No."",""kg""]","2%","","","",""\n' +
    '"0101.29.00","2","Other","[""No.""]","5%","","","",""\n' +
    '"0101.50.00.00","1","Not in HS","","1%","","","",""\n' +
    '"9801.00.10.00","0","Returned goods","","Free","","","",""\n',
  [DATA_FILES.euCodes]: JSON.stringify([
    { code: '01012100', name: 'Pure-bred', heading: '0101', supplementaryUnit: 'PST' },
    { code: '01012990', name: 'Other', heading: '0101', supplementaryUnit: null },
    { code: '01013000', name: 'Asses', heading: '0101', supplementaryUnit: null },
    { code: '02011000', name: 'Not in HS', heading: '0201', supplementaryUnit: null },
  ]),
  [DATA_FILES.euHeadings]: JSON.stringify([{ code: '0101', name: 'Live horses and asses' }]),
  [DATA_FILES.euSubheadings]: JSON.stringify([
    { code: '010129', name: 'Other' },
    { code: '010130', name: 'Asses' },
  ]),
  [DATA_FILES.correlation]: 'hs2022,hs2017,relationship\n010121,010120,1:n\n010129,010120,1:n\n010130,010140,1:1\n',
  [DATA_FILES.ukParcel]: 'description,code\nrace horse,01012100\n  ,01012100\npony,1012900\nbad,abc\n',
  [DATA_FILES.cross]:
    '{"ruling":"N000001","date":"2020-01-01","description":"Asses","hts_codes":["0101300000","0101300010","9903880300"],"facts":"Two asses.","full_text":null}\n' +
    '{"ruling":"123456","date":null,"description":"Old donkeys","hts_codes":["01014000"],"facts":null,"full_text":null}\n',
  [DATA_FILES.atlas]: 'id,split,description,answer_line,hts_codes,hts_primary_digits,hs6,reasoning\na1,validation,A horse,0101.29.00,0101.29.00,01012900,010129,because\n',
  [DATA_FILES.ukGlossary]: JSON.stringify({ pony: '0101290000', horse: '0101200000' }),
  [DATA_FILES.euBti]: '{"ref":"GB1","description":"A LIVE ASS","cn_code":"0101300000"}\n{"ref":"GB2","description":"Unknown code","cn_code":"0102400000"}\n',
  [DATA_FILES.ukAtar]: '{"ref":"6001","date":"1 Jan 2026","description":"A pure-bred breeding horse","facts":"Registered  in a stud book.","commodity_code":"0101210000"}\n',
  [DATA_FILES.marketplace]:
    '{"id":"hc1","product_name":"Cute Pony Toy","category":["Toys","Animals"],"attributes":{"Brand Name":"X","Material":"Plush","Origin":"CN"},"hs_code":"0101290000"}\n',
  [DATA_FILES.ukSynthetic]:
    '{"description":"Donkeys kept for work.","commodity_code":"0101300000","synthetic":true,"colloquial_terms":["donkey"],"synonyms":["burro"],"official_description":"Asses"}\n',
};

function writeFixture(overrides: Record<string, string | null> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-data-test-'));
  const files = { ...FIXTURE, ...overrides };
  for (const [rel, content] of Object.entries(files)) {
    if (content === null) continue;
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

describe('fixture dataset', () => {
  const dirs: string[] = [];
  const fixture = (overrides: Record<string, string | null> = {}) => {
    const dir = writeFixture(overrides);
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a valid fixture loads', () => {
    const d = loadDataset(fixture());
    expect(d.hs.subheadings).toEqual(['010121', '010129', '010130']);
    expect(d.hs.sections.get('I')).toEqual({ id: 'I', name: 'Live animals' });
    expect(d.us.map((l) => l.code)).toEqual(['0101210010', '0101210020', '01012900']);
    expect(d.us[0]).toMatchObject({ fullDescription: 'Horses and asses > Horses > Breeding > Males', unit: 'No.', generalRate: 'Free' });
    expect(d.us[1]).toMatchObject({ unit: 'No., kg', generalRate: '2%' });
    expect(d.us[2]).toMatchObject({ path: ['Horses and asses', 'Horses', 'Other'], unit: 'No.', generalRate: '5%' });
    expect(d.eu.map((l) => l.fullDescription)).toEqual([
      'Live horses and asses > Horses; breeding > Pure-bred',
      'Live horses and asses > Horses; other > Other',
      'Live horses and asses > Asses',
    ]);
    expect(d.examples.map((e) => [e.id, e.hs6, e.code, e.mappedFrom])).toEqual([
      ['uk-parcel:1', '010121', '01012100', undefined],
      ['uk-parcel:3', '010129', '01012900', undefined],
      ['cross:N000001:0', '010130', '0101300000', undefined],
      ['cross:123456:0', '010130', '01014000', '010140'],
      ['atlas:a1', '010129', '01012900', undefined],
      ['uk-glossary:pony', '010129', '0101290000', undefined],
      ['eu-bti:GB1', '010130', '0101300000', undefined],
      ['uk-atar:6001', '010121', '0101210000', undefined],
      ['marketplace:hc1', '010129', '0101290000', undefined],
      ['uk-synthetic:1', '010130', '0101300000', undefined],
    ]);
    const byId = new Map(d.examples.map((e) => [e.id, e]));
    // Marketplace listings: title, category path and the attributes that describe the goods (not the brand or origin).
    expect(byId.get('marketplace:hc1')!.text).toBe('Cute Pony Toy; Toys > Animals; Material: Plush');
    expect(byId.get('uk-atar:6001')).toMatchObject({ detail: 'Registered in a stud book.', date: '1 Jan 2026' });
    expect(byId.get('uk-synthetic:1')).toMatchObject({ source: 'uk-synthetic', detail: 'donkey; burro' });
    expect(d.examples[2]).toMatchObject({ ruling: 'NY N000001', date: '2020-01-01', detail: 'Two asses.' });
    expect(d.examples[3].ruling).toBe('HQ 123456');
    expect(d.examples[3].date).toBeUndefined();
    expect(d.unmapped.map((u) => u.id)).toEqual(['uk-parcel:4', 'cross:N000001:1', 'uk-glossary:horse', 'eu-bti:GB2']);
    expect(d.files).toHaveLength(Object.keys(DATA_FILES).length);
  });

  test('report counts skipped rows', () => {
    const { report } = loadDatasetWithReport(fixture());
    expect(report.us).toMatchObject({ skippedSpecial: 1, skippedNotInHs: 1 });
    expect(report.eu).toMatchObject({ skippedNotInHs: 1 });
    expect(report.examples.emptyText!['uk-parcel']).toBe(1);
  });

  test('missing data directory', () => {
    const err = dataError(() => loadDataset(path.join(os.tmpdir(), 'no-such-hs-data-dir')));
    expect(err.problem).toMatch(/data directory not found/);
  });

  test('missing file', () => {
    const err = dataError(() => loadDataset(fixture({ [DATA_FILES.usHts]: null })));
    expect(err.file).toBe('nomenclature/hts-us-2026r4.csv');
    expect(err.message).toBe('nomenclature/hts-us-2026r4.csv: file not found');
  });

  test('wrong header names the missing column', () => {
    const dir = fixture({ [DATA_FILES.hs2022]: 'section,code,description,parent,level\nI,01,Animals; live,TOTAL,2\n' });
    const err = dataError(() => loadHsTree(dir));
    expect(err.message).toMatch(/^nomenclature\/hs2022\.csv: missing column "hscode"/);
    const err2 = dataError(() => loadCorrelation(fixture({ [DATA_FILES.correlation]: 'hs2022,hs2017\n010121,010120\n' })));
    expect(err2.message).toMatch(/^nomenclature\/hs2022-hs2017-correlation\.csv: missing column "relationship"/);
  });

  test('malformed rows name the line', () => {
    const hs = (rows: string[]) => fixture({ [DATA_FILES.hs2022]: ['section,hscode,description,parent,level', ...rows].join('\n') });
    expect(dataError(() => loadHsTree(hs(['I,01,Animals,TOTAL,2', 'I,0101,Horses,01,3']))).message).toBe(
      'nomenclature/hs2022.csv: line 3: level "3" is not 2, 4 or 6',
    );
    expect(dataError(() => loadHsTree(hs(['I,01,Animals,TOTAL,2', 'I,01011,Horses,01,4']))).message).toBe(
      'nomenclature/hs2022.csv: line 3: code "01011" is not 4 digits (level 4)',
    );
    expect(dataError(() => loadHsTree(hs(['I,01,Animals,TOTAL,2', 'I,010121,Horses,0101,6']))).message).toBe(
      'nomenclature/hs2022.csv: line 3: parent 0101 of 010121 does not exist',
    );
    expect(dataError(() => loadHsTree(hs(['I,01,Animals,TOTAL,2', 'I,0101,Horses,01']))).message).toBe(
      'nomenclature/hs2022.csv: line 3: expected 5 fields, found 4',
    );
    expect(dataError(() => loadHsTree(hs(['I,01,Animals,TOTAL,2', 'I,0101,"Horses,01,4']))).message).toMatch(
      /^nomenclature\/hs2022\.csv: line 3: malformed CSV \(unterminated quoted field\)/,
    );
  });

  test('malformed HTS rows name the line', () => {
    const header = FIXTURE[DATA_FILES.usHts].split('\n')[0];
    const dir = fixture({ [DATA_FILES.usHts]: `${header}\n"0101","0","Horses","","","","","",""\n"0101.21.00","2","X","[No.]","Free","","","",""\n` });
    const hs = loadHsTree(dir);
    expect(dataError(() => loadUsHts(dir, hs)).message).toBe(
      'nomenclature/hts-us-2026r4.csv: line 3: unit of quantity "[No.]" is not a JSON array of strings',
    );
    const dir2 = fixture({ [DATA_FILES.usHts]: `${header}\n"0101","x","Horses","","","","","",""\n` });
    expect(dataError(() => loadUsHts(dir2, hs)).message).toBe('nomenclature/hts-us-2026r4.csv: line 2: indent "x" is not a number');
  });

  test('malformed JSON line in CROSS rulings names the line', () => {
    const good = FIXTURE[DATA_FILES.cross].split('\n')[0];
    const dir = fixture({ [DATA_FILES.cross]: `${good}\n{"ruling": "N1", "hts_codes": [\n` });
    const hs = loadHsTree(dir);
    const corr = loadCorrelation(dir);
    const err = dataError(() => loadExamples(dir, hs, corr));
    expect(err.file).toBe('examples/cross-rulings.jsonl');
    expect(err.message).toMatch(/^examples\/cross-rulings\.jsonl: line 2: invalid JSON/);
    const dir2 = fixture({ [DATA_FILES.cross]: `${good}\n{"ruling":"N2","description":"x","hts_codes":"0101"}\n` });
    expect(dataError(() => loadExamples(dir2, hs, corr)).message).toMatch(/^examples\/cross-rulings\.jsonl: line 2: hts_codes: /);
  });

  test('malformed records in the BTI, ATaR, marketplace and synthetic files name the file and line', () => {
    const hs = loadHsTree(fixture());
    const corr = loadCorrelation(fixture());
    const cases: [string, string, RegExp][] = [
      [DATA_FILES.euBti, '{"ref":"GB3","description":"x","cn_code":"01A1"}', /^examples\/eu-bti-rulings\.jsonl: line 3: cn_code: expected a commodity code/],
      [DATA_FILES.ukAtar, '{"ref":"1","description":"x"}', /^examples\/uk-atar-rulings\.jsonl: line 2: commodity_code: /],
      [DATA_FILES.marketplace, '{"id":"hc2","product_name":"x","category":"Toys","attributes":{},"hs_code":"0101290000"}', /^examples\/marketplace-listings\.jsonl: line 2: category: /],
      [DATA_FILES.ukSynthetic, '{"description":"x","commodity_code":"0101300000","synthetic":false}', /^examples\/uk-synthetic-descriptions\.jsonl: line 2: synthetic: /],
    ];
    for (const [file, bad, message] of cases) {
      const dir = fixture({ [file]: `${FIXTURE[file]}${bad}\n` });
      expect(dataError(() => loadExamples(dir, hs, corr)).message).toMatch(message);
    }
  });

  test('malformed EU record names the file and record', () => {
    const dir = fixture({ [DATA_FILES.euCodes]: JSON.stringify([{ code: '0101210', name: 'x' }]) });
    expect(dataError(() => loadDataset(dir)).message).toBe(
      'nomenclature/eu-cn-2026/cnCodes_2026.json: record 1 (code 0101210): code: code must be 8 digits',
    );
    const dir2 = fixture({ [DATA_FILES.euHeadings]: '[{"code": "0101", ' });
    expect(dataError(() => loadDataset(dir2)).message).toMatch(/^nomenclature\/eu-cn-2026\/cnHeadings_2026\.json: invalid JSON/);
  });
});
