// The US duty stack against known answers read from the reference data (chapter 99 2026 Revision 6, the Section 301
// and 232 lists, HTS 2026 Revision 4). Each case asserts the heading, the rate and the citation.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataError } from '../server/data/errors';
import { resolveDataDir } from '../server/data/files';
import { DUTY_FILES, loadDutyData, type DutyData } from '../server/duties/load';
import { dutyStack, DutyInputError, parseSpecial, type DutyStack } from '../server/duties/stack';
import { dutyLine, dutyTotal } from '../addin/columns';

let d: DutyData;
beforeAll(() => {
  d = loadDutyData();
});

const of = (s: DutyStack, kind: string) => s.duties.filter((x) => x.kind === kind);
const one = (s: DutyStack, kind: string) => {
  const xs = of(s, kind);
  expect(xs).toHaveLength(1);
  return xs[0];
};

describe('chapter 99 text', () => {
  test('heading rates are read from the 9903 tables', () => {
    const rate = (h: string) => d.ch99.headings.get(h)?.additional;
    expect(d.ch99.revision).toBe('2026 Revision 6');
    expect(rate('9903.03.01')).toBe(10);
    expect(rate('9903.82.02')).toBe(50);
    expect(rate('9903.82.04')).toBe(25);
    expect(rate('9903.82.05')).toBe(15);
    expect(rate('9903.82.06')).toBe(10);
    expect(rate('9903.82.09')).toBe(25);
    expect(rate('9903.82.12')).toBe(25);
    expect(rate('9903.82.14')).toBe(50);
    expect(rate('9903.85.67')).toBe(200);
    expect(rate('9903.94.05')).toBe(25);
    // The description ends at the dot leader, not with the next group's superior text ("Blue-mold cheese:").
    expect(d.ch99.headings.get('9903.03.11')?.description).toMatch(/CD ROMs, artworks and news wire feeds$/);
    expect(d.ch99.note16Totals.get('9903.82.07')).toBe(10);
    expect(d.ch99.note16Totals.get('9903.82.10')).toBe(15);
  });

  test('dates: Section 122 transit rule, exclusion window, four-year review, the 2026-04-06 metals system', () => {
    expect(d.ch99.s122Transit).toEqual({ loadedBefore: '2026-02-24', enteredBefore: '2026-02-28' });
    expect(d.ch99.headings.get('9903.88.69')).toMatchObject({ from: '2024-06-15', until: '2026-11-10' });
    expect(d.ch99.headings.get('9903.91.04')).toMatchObject({ from: '2025-01-01', until: '2026-01-01' });
    expect(d.ch99.metalsFrom).toBe('2026-04-06');
  });

  test('note 16(c) lists and note 2(aa) exemptions', () => {
    expect(d.ch99.note16.get('i')).toEqual(expect.arrayContaining(['7601', '7616995160']));
    expect(d.ch99.note16.get('iv')).toContain('73181580');
    expect(d.ch99.s122Exempt.has('84713001')).toBe(true);
    expect(d.ch99.s122Particular.get('08059001')).toBe('Etrogs');
  });

  test('a list row on the "U.S. Notes (con.)" header of a new page is read, not dropped as page furniture', () => {
    // Note 2(aa)(ii), page 99-III-53; note 2(aa)(iv), page 99-III-57; note 16(c)(iv), page 99-III-65.
    for (const c of ['27141000', '27149000', '27150000', '27160000']) expect(d.ch99.s122Exempt.has(c)).toBe(true);
    for (const c of ['39172200', '39172300', '39172900', '39173100']) expect(d.ch99.s122Aircraft.has(c)).toBe(true);
    expect(d.ch99.note16.get('iv')).toEqual(expect.arrayContaining(['73012010', '73012050', '73023000']));
  });

  test('note 16(c) page 99-III-65, set in two blocks: the rows right of a title that start above it belong to its list', () => {
    // (iii) is the articles-of-steel list alone; 7307.19.90 etc. begin the derivative steel list (iv) above its title.
    expect(d.ch99.note16.get('iii')).toEqual([
      ...['7206', '7207', '7208', '7209', '7210', '7211', '7212', '7213', '7214', '7215'],
      ...['72161000', '72162100', '72162200', '72163100', '72163200', '72163300', '72164000', '72165000', '72169900'],
      ...['7217', '7218', '7219', '7220', '7221', '7222', '7223', '7224', '7225', '7226', '7227', '7228', '7229'],
      ...['73011000', '730210', '73024000', '730290', '7304', '7305', '7306'],
    ]);
    expect(d.ch99.note16.get('iv')).toEqual(expect.arrayContaining(['73071990', '73072110', '73072150', '7216910010', '73181580', '76141010']));
    // Copper (chapter 74) is only in the copper lists: 7406.20.00, 7407.10.15 ... begin (v) above its title.
    const copper = ['i', 'ii', 'iii', 'iv', 'vi', 'vii', 'ix', 'x'].flatMap((s) => d.ch99.note16.get(s)!.filter((p) => p.startsWith('74')));
    expect(copper).toEqual([]);
    expect(d.ch99.note16.get('v')).toEqual(expect.arrayContaining(['74062000', '74071015', '74071030', '74072150', '74082210']));
    expect(d.ch99.note16.get('v')).toHaveLength(76);
  });

  test('special column parsing', () => {
    expect(parseSpecial('Free (A+,AU,BH,CL,CO,D,E*, IL,JO) 2.5% (KR)')).toEqual([
      { rate: 'Free', codes: ['A+', 'AU', 'BH', 'CL', 'CO', 'D', 'E*', 'IL', 'JO'] },
      { rate: '2.5%', codes: ['KR'] },
    ]);
  });
});

describe('known answers', () => {
  test('8471.30.01 laptops from China: List 4B is suspended, no Section 301 duty; Section 122 exempt by note 2(aa)(ii)', () => {
    const s = dutyStack(d, { code: '8471300100', origin: 'CN', date: '2026-05-01' });
    expect(of(s, 'section301')).toHaveLength(0);
    expect(s.not_applied).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'section301', heading: '9903.88.16', citation: 'U.S. note 20(u) to subchapter III of chapter 99', reason: expect.stringMatching(/List 4B .*suspended/) }),
        expect.objectContaining({ kind: 'section122', heading: '9903.03.01', reason: expect.stringContaining('9903.03.03'), citation: 'U.S. note 2(aa)(ii) to subchapter III of chapter 99' }),
      ]),
    );
    const g = one(s, 'general');
    expect([g.rate, g.heading, g.citation]).toEqual(['Free', '8471300100', 'General rate of duty of 8471.30.01.00']);
    expect(s.total_ad_valorem).toBe(0);
    // Exempt from Section 122, and the invalidated reciprocal duties are said not to apply rather than left unsaid.
    expect(s.not_applied).toContainEqual(
      expect.objectContaining({ kind: 'ieepa', heading: '9903.01.01-9903.02.91', citation: 'U.S. note 2 to subchapter III of chapter 99', reason: expect.stringMatching(/^the 2025 reciprocal and other IEEPA duties were invalidated on 2026-02-24/) }),
    );
  });

  test('a book (4901.99.00) takes the Section 122 surcharge, with the informational-materials exemption of 9903.03.11 as may apply', () => {
    const s = dutyStack(d, { code: '4901990093', origin: 'DE', date: '2026-05-01' });
    expect(one(s, 'section122').heading).toBe('9903.03.01');
    const m = s.may_apply.find((x) => x.heading === '9903.03.11');
    expect(m).toMatchObject({ kind: 'section122', effect: 'exempts', citation: 'U.S. note 2(aa)(i) to subchapter III of chapter 99' });
    expect(m!.condition).toBe('may apply: exempt if the goods are: "Articles that are informational materials, including but not limited to publications, films, posters, phonograph records, photographs, microfilms, microfiche, tapes, compact disks, CD ROMs, artworks and news wire feeds"');
    // Not offered for goods that cannot be informational materials.
    expect(dutyStack(d, { code: '6109100012', origin: 'DE', date: '2026-05-01' }).may_apply.some((x) => x.heading === '9903.03.11')).toBe(false);
  });

  test('6109.10.00 T-shirts from China: List 4A, 7.5%, 9903.88.15; plus the Section 122 surcharge', () => {
    const s = dutyStack(d, { code: '6109100012', origin: 'CN', date: '2026-05-01' });
    const x = one(s, 'section301');
    expect([x.heading, x.rate, x.ad_valorem]).toEqual(['9903.88.15', '+7.5%', 7.5]);
    expect(x.citation).toBe('U.S. note 20(s)(i) to subchapter III of chapter 99; heading 9903.88.15');
    expect(x.as_of).toEqual({ source: DUTY_FILES.s301, revision: 'parsed from chapter 99 notes 20 and 31, 2026 Revision 6', effective: '2026-04-23' });
    const g = one(s, 'general');
    expect([g.rate, g.citation]).toEqual(['16.5%', 'General rate of duty of 6109.10.00.12 (stated on 6109.10.00)']);
    const t = one(s, 'section122');
    expect([t.heading, t.rate, t.citation]).toEqual(['9903.03.01', '+10%', 'U.S. note 2(aa)(i) to subchapter III of chapter 99; heading 9903.03.01']);
    expect(s.total_ad_valorem).toBe(34);
    for (const item of s.duties) expect(item.as_of.revision).toBeTruthy();
  });

  test('a List 1 line (8483.50.90.40 grooved pulleys) with a product exclusion shown as may apply', () => {
    const s = dutyStack(d, { code: '8483509040', origin: 'CN', date: '2026-05-01' });
    const x = one(s, 'section301');
    expect([x.heading, x.rate, x.citation]).toEqual(['9903.88.01', '+25%', 'U.S. note 20(b) to subchapter III of chapter 99; heading 9903.88.01']);
    const ex = s.may_apply.find((m) => m.heading === '9903.88.69');
    expect(ex).toMatchObject({ effect: 'exempts', citation: 'U.S. note 20(vvv)(i) to subchapter III of chapter 99' });
    expect(ex!.condition).toMatch(/^may apply: excluded from 9903\.88\.01 if the goods are: "8483\.50\.9040"/);
    // The exclusion is never applied: the duty stays in the stack and in the total.
    expect(s.total_ad_valorem).toBe(s.duties.reduce((t, i) => t + i.ad_valorem!, 0));
    expect(s.total_ad_valorem).toBeGreaterThanOrEqual(2.8 + 25);
    // After the exclusions end (through 2026-11-09) it is no longer offered.
    const later = dutyStack(d, { code: '8483509040', origin: 'CN', date: '2026-12-01' });
    expect(later.may_apply.find((m) => m.heading === '9903.88.69')).toBeUndefined();
    expect(later.not_applied.some((n) => n.heading === '9903.88.69' && /before 2026-11-10/.test(n.reason))).toBe(true);
  });

  test('a List 3 line (7318.15.80 screws) and Section 232 on a steel derivative: 9903.82.02, +50%, on the full value (rev 6)', () => {
    const s = dutyStack(d, { code: '7318158020', origin: 'CN', date: '2026-05-01' });
    const x = one(s, 'section301');
    expect([x.heading, x.rate, x.citation]).toEqual(['9903.88.03', '+25%', 'U.S. note 20(f) to subchapter III of chapter 99; heading 9903.88.03']);
    const m = one(s, 'section232');
    expect([m.heading, m.rate, m.citation]).toEqual(['9903.82.02', '+50%', 'U.S. note 16(c)(iv) to subchapter III of chapter 99; heading 9903.82.02']);
    expect(m.basis).toMatch(/^Full customs value of the article \(U\.S\. note 16\(c\)\); chapter 73 articles regardless of metal weight/);
    expect(m.note).toMatch(/^Derivative steel of note 16\(c\)\(iv\)/);
    // Section 232 articles are exempt from the Section 122 surcharge (note 2(aa)(v)(1)).
    expect(of(s, 'section122')).toHaveLength(0);
    expect(s.not_applied.some((n) => n.kind === 'section122' && /9903\.03\.06/.test(n.reason))).toBe(true);
    expect(s.total_ad_valorem).toBe(8.5 + 25 + 50);
    // US-poured steel takes 9903.82.06 instead; the option is offered when the pour country is not given.
    expect(s.may_apply.some((a) => a.heading === '9903.82.06' && a.effect === 'replaces')).toBe(true);
    const us = dutyStack(d, { code: '7318158020', origin: 'CN', date: '2026-05-01', steel_pour_country: 'US' });
    expect([one(us, 'section232').heading, one(us, 'section232').rate]).toEqual(['9903.82.06', '+10%']);
  });

  test('7301.20.10 (fabricated angles) is a derivative steel article: 9903.82.02 +50%, and exempt from Section 122', () => {
    const s = dutyStack(d, { code: '7301201000', origin: 'DE', date: '2026-05-01' });
    const m = one(s, 'section232');
    expect([m.heading, m.rate, m.citation]).toEqual(['9903.82.02', '+50%', 'U.S. note 16(c)(iv) to subchapter III of chapter 99; heading 9903.82.02']);
    expect(of(s, 'section122')).toHaveLength(0);
  });

  test('copper of note 16(c)(v): the steel pour country does not move it to 9903.82.06', () => {
    const s = dutyStack(d, { code: '7407211500', origin: 'DE', date: '2026-05-01', steel_pour_country: 'US' });
    const m = one(s, 'section232');
    expect([m.heading, m.rate, m.citation]).toEqual(['9903.82.02', '+50%', 'U.S. note 16(c)(v) to subchapter III of chapter 99; heading 9903.82.02']);
    expect(m.note).toMatch(/^Article copper of note 16\(c\)\(v\)/);
  });

  test('2714.10.00 (petroleum bitumen, on the first row of a page of note 2(aa)(ii)) is exempt from Section 122 under 9903.03.03', () => {
    const s = dutyStack(d, { code: '2714100000', origin: 'DE', date: '2026-05-01' });
    expect(of(s, 'section122')).toHaveLength(0);
    expect(s.not_applied).toContainEqual(expect.objectContaining({ kind: 'section122', heading: '9903.03.01', reason: expect.stringContaining('9903.03.03'), citation: 'U.S. note 2(aa)(ii) to subchapter III of chapter 99' }));
  });

  test('Section 232 outside chapters 72-76: the 15 percent metal-weight condition is in the basis', () => {
    const code = [...d.schedule.keys()].find((c) => c.length === 10 && c.startsWith('7616') === false && d.ch99.note16.get('vii')!.some((p) => c.startsWith(p)) && !['72', '73', '74', '76'].includes(c.slice(0, 2)))!;
    const s = dutyStack(d, { code, origin: 'DE', date: '2026-05-01' });
    const m = one(s, 'section232');
    expect([m.heading, m.rate]).toEqual(['9903.82.09', '+25%']);
    expect(m.basis).toMatch(/only where the steel weighs at least 15 percent of the article; below that heading 9903\.82\.03 applies/);
  });

  test('the UK melt-and-pour rule uses steel_pour_country', () => {
    const given = dutyStack(d, { code: '7318158020', origin: 'GB', date: '2026-05-01', steel_pour_country: 'GB' });
    expect([one(given, 'section232').heading, one(given, 'section232').rate]).toEqual(['9903.82.04', '+25%']);
    const unknown = dutyStack(d, { code: '7318158020', origin: 'GB', date: '2026-05-01' });
    expect(one(unknown, 'section232').heading).toBe('9903.82.02');
    expect(unknown.may_apply.find((a) => a.heading === '9903.82.04')?.condition).toMatch(/95% of the steel was melted and poured in the United Kingdom/);
  });

  test('a column 2 country: North Korea pays the column 2 rate', () => {
    const s = dutyStack(d, { code: '6109100012', origin: 'KP', date: '2026-05-01' });
    const c = one(s, 'column2');
    expect([c.rate, c.heading, c.citation]).toEqual(['90%', '6109100012', 'General note 3(b); column 2 rate of 6109.10.00.12 (stated on 6109.10.00)']);
    expect(of(s, 'general')).toHaveLength(0);
  });

  test('Russia: column 2 and 9903.82.14 on steel', () => {
    const s = dutyStack(d, { code: '7318158020', origin: 'RU', date: '2026-05-01' });
    expect(one(s, 'column2').rate).toBe('45%');
    expect([one(s, 'section232').heading, one(s, 'section232').rate]).toEqual(['9903.82.14', '+50%']);
  });

  test('a special-programme origin: Australia, Free under AU with the rules-of-origin basis', () => {
    const s = dutyStack(d, { code: '6109100012', origin: 'AU', date: '2026-05-01' });
    const x = one(s, 'special');
    expect([x.heading, x.rate, x.citation]).toEqual(['6109100012', 'Free', 'General note 28; special column of 6109.10.00.12 (stated on 6109.10.00)']);
    expect(x.basis).toMatch(/United States-Australia Free Trade Agreement .*rules of origin \(general note 28\).*otherwise the general rate 16\.5% applies/);
    expect(one(s, 'section122').rate).toBe('+10%');
    expect(s.total_ad_valorem).toBe(10);
  });

  test('Mexico under the USMCA: special rate and the Section 122 exemption of note 2(aa)(vii)', () => {
    const s = dutyStack(d, { code: '6109100012', origin: 'MX', date: '2026-05-01' });
    expect([one(s, 'special').rate, one(s, 'special').citation]).toEqual(['Free', 'General note 11; special column of 6109.10.00.12 (stated on 6109.10.00)']);
    expect(of(s, 'section122')).toHaveLength(0);
    expect(s.not_applied.find((n) => n.kind === 'section122')).toMatchObject({ citation: 'U.S. note 2(aa)(vii) to subchapter III of chapter 99', reason: expect.stringContaining('9903.03.08') });
  });

  test('GSP is lapsed: never applied, and said so', () => {
    // 8501.10.20 lists A (GSP); India was a GSP beneficiary, but GSP lapsed on 2020-12-31.
    const s = dutyStack(d, { code: '8501102000', origin: 'IN', date: '2026-05-01' });
    expect(one(s, 'general').rate).toBe('6.7%');
    expect(s.not_covered.some((t) => /Special programmes .*A lapsed/.test(t))).toBe(true);
  });

  test('an entry date before a list took effect: List 4A from 2019-09-01', () => {
    const s = dutyStack(d, { code: '6109100012', origin: 'CN', date: '2019-08-01' });
    expect(of(s, 'section301')).toHaveLength(0);
    expect(s.not_applied).toContainEqual(
      expect.objectContaining({ heading: '9903.88.15', reason: 'List 4A applies to entries from 2019-09-01; not in force on 2019-08-01', citation: 'U.S. note 20(s)(i) to subchapter III of chapter 99' }),
    );
    // Neither the Section 122 surcharge (from 2026-02-24) nor a made-up IEEPA rate; the gaps are stated.
    expect(of(s, 'section122')).toHaveLength(0);
    expect(s.not_covered.some((t) => /IEEPA duties of U\.S\. note 2 .* not computed/.test(t))).toBe(true);
    expect(s.not_applied.some((n) => n.kind === 'ieepa')).toBe(false);
    expect(s.not_covered.some((t) => /base rates are those of HTS 2026 Revision 4/.test(t))).toBe(true);
    // List 4A's rate history: 15% until 2020-02-14.
    expect(one(dutyStack(d, { code: '6109100012', origin: 'CN', date: '2019-10-01' }), 'section301').rate).toBe('+15%');
  });

  test('Section 232 metals before 2026-04-06 are stated as not covered, not guessed', () => {
    const s = dutyStack(d, { code: '7318158020', origin: 'DE', date: '2026-03-01' });
    expect(of(s, 'section232')).toHaveLength(0);
    expect(s.not_covered.some((t) => /in force from 2026-04-06; the provisions in force on 2026-03-01 .* not computed/.test(t))).toBe(true);
    expect(s.may_apply.some((m) => m.kind === 'section122' && m.heading === '9903.03.06')).toBe(true);
  });

  test('partial Section 301 coverage is "may apply" with the note text', () => {
    const s = dutyStack(d, { code: '2931909010', origin: 'CN', date: '2026-05-01' });
    const p = s.may_apply.find((m) => m.heading === '9903.88.04');
    expect(p).toMatchObject({ kind: 'section301', rate: '+25%', effect: 'adds', citation: 'U.S. note 20(g) to subchapter III of chapter 99' });
    expect(p!.condition).toContain('"1. Other non-aromatic organo-inorganic compounds, provided for in 2931.90.90, except for such compounds provided for in statistical reporting number 2931.90.9051;"');
    expect(of(s, 'section301').some((x) => x.heading === '9903.88.04')).toBe(false);
  });

  test('a specific rate is listed, not summed', () => {
    const s = dutyStack(d, { code: '0201100510', origin: 'DE', date: '2026-05-01' });
    expect(one(s, 'general').rate).toBe('4.4¢/kg');
    expect(one(s, 'general').ad_valorem).toBeNull();
    expect(s.total_ad_valorem).toBeNull();
    expect(s.total_note).toMatch(/not summed: general 4\.4¢\/kg is not ad valorem/);
  });

  test('bad queries name the field', () => {
    expect(() => dutyStack(d, { code: '6109100012', origin: 'XX' })).toThrow(new DutyInputError('origin', '"XX" is not an ISO 3166-1 alpha-2 country code'));
    expect(() => dutyStack(d, { code: '6109100012', origin: '' })).toThrow(/^origin: is required/);
    expect(() => dutyStack(d, { code: '610910', origin: 'CN' })).toThrow(/^code: "610910" is not a 10-digit US HTS statistical line/);
    expect(() => dutyStack(d, { code: '6109100099', origin: 'CN' })).toThrow(/^code: 6109100099 is not a line of the US HTS/);
    expect(() => dutyStack(d, { code: '6109100012', origin: 'CN', date: '2026-02-30' })).toThrow(/^date: "2026-02-30" is not a date/);
    expect(() => dutyStack(d, { code: '7318158020', origin: 'CN', steel_pour_country: 'ZZ' })).toThrow(/^steel_pour_country: /);
  });
});

describe('data files', () => {
  test('a malformed Section 301 file is a DataError naming it and the line', () => {
    const src = resolveDataDir();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-duties-'));
    for (const rel of Object.values(DUTY_FILES)) {
      fs.mkdirSync(path.join(tmp, path.dirname(rel)), { recursive: true });
      if (rel !== DUTY_FILES.s301) fs.symlinkSync(path.join(src, rel), path.join(tmp, rel));
    }
    const lines = fs.readFileSync(path.join(src, DUTY_FILES.s301), 'utf8').split('\n');
    lines[3] = lines[3].replace('9903.88.01', '9903.88.x1');
    fs.writeFileSync(path.join(tmp, DUTY_FILES.s301), lines.join('\n'));
    expect(() => loadDutyData(tmp)).toThrow(DataError);
    expect(() => loadDutyData(tmp)).toThrow(/^tariff\/section301-2026r6\.csv: line 4: heading_9903 "9903\.88\.x1" is not a 9903\.xx\.xx heading$/);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('the versions name every file read, with a hash', () => {
    expect(d.files.map((f) => f.path)).toEqual(
      expect.arrayContaining([...Object.values(DUTY_FILES), 'server/duties/programmes.json', 'server/duties/countries.json']),
    );
    expect(d.version).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('spreadsheet cells', () => {
  test('duty total as a fraction and the parts on one line, starting with the origin (never a formula)', () => {
    const row = { origin: 'CN', candidates: [{ code: '6109100012', duties: dutyStack(d, { code: '6109100012', origin: 'CN', date: '2026-05-01' }) }] };
    expect(dutyTotal(row)).toBe(0.34);
    expect(dutyLine(row)).toBe('CN 2026-05-01: general 16.5% + section301 +7.5% 9903.88.15 + section122 +10% 9903.03.01; total 34% | as of HTS 2026 Revision 4, parsed from chapter 99 notes 20 and 31, 2026 Revision 6 (2026-04-23), HTSUS chapter 99, 2026 Revision 6 (2026-04-23)');
    const specific = { origin: 'DE', candidates: [{ code: '0201100510', duties: dutyStack(d, { code: '0201100510', origin: 'DE', date: '2026-05-01' }) }] };
    expect(dutyTotal(specific)).toBeNull();
    expect(dutyLine(specific)).toMatch(/; not summed: general 4\.4¢\/kg is not ad valorem \|/);
  });

  test('an origin without a US 10-digit line (HS 6, the likely line undecided) says why there are no duties', () => {
    const row = { origin: 'CN', candidates: [{ code: '610910', likely: { code: '6109100004', basis: 'most examples' } }] };
    expect(dutyTotal(row)).toBeNull();
    expect(dutyLine(row)).toBe('CN: no duties, HS code 1 610910 is not a US 10-digit line; the likely line 6109100004 is not decided');
    // Without an origin (or an error row) the cell stays empty.
    expect(dutyLine({ candidates: [{ code: '610910' }] })).toBe('');
    expect(dutyLine({ origin: 'CN', candidates: [] })).toBe('');
  });
});
