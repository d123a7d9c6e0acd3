// The notes generator (server/rules/generate-notes.ts): its output is reproducible from the notes file, the
// clauses are parsed right, and every generated rule has the format of rules/README.md.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CORRECTIONS_FILE,
  NOTES_DIR,
  generate,
  loadNomenclature,
  phraseHeads,
  readCorrections,
  subjectPhrases,
  writeGenerated,
  type Generated,
  type Nomenclature,
  type RuleOut,
} from '../server/rules/generate-notes';

const DATA_DIR = path.resolve(process.env.HS_DATA_DIR ?? '../shared/hs-data');

let gen: Generated;
let raw: Generated;
let nom: Nomenclature;
const rule = (id: string): RuleOut => {
  const r = gen.rules.find((x) => x.name === id);
  if (!r) throw new Error(`no rule ${id}`);
  return r;
};

beforeAll(() => {
  gen = generate(DATA_DIR, readCorrections(CORRECTIONS_FILE));
  raw = generate(DATA_DIR, {});
  nom = loadNomenclature(DATA_DIR);
});

describe('reproducible output', () => {
  test('regenerating into a temp dir gives the committed rules/notes files byte for byte', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'notes-'));
    try {
      writeGenerated(dir, generate(DATA_DIR, readCorrections(CORRECTIONS_FILE)).files);
      const generated = fs.readdirSync(dir).sort();
      const committed = fs.readdirSync(NOTES_DIR).filter((f) => f !== 'corrections.json').sort();
      expect(generated).toEqual(committed);
      for (const f of generated) {
        expect({ f, bytes: fs.readFileSync(path.join(NOTES_DIR, f), 'utf8') }).toEqual({ f, bytes: fs.readFileSync(path.join(dir, f), 'utf8') });
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('writeGenerated removes chapter files that are no longer generated', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'notes-'));
    try {
      fs.writeFileSync(path.join(dir, 'ch77.json'), '{}');
      writeGenerated(dir, new Map([['ch01.json', 'x\n']]));
      expect(fs.readdirSync(dir).sort()).toEqual(['ch01.json']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the report adds up and names every left-out clause with a reason', () => {
    const r = gen.report;
    expect(r.clausesFound).toBe(gen.clauses.length);
    expect(r.encoded + r.leftOut).toBe(r.clausesFound);
    expect(r.leftOutClauses).toHaveLength(r.leftOut);
    expect(Object.values(r.leftOutByReason).reduce((a, b) => a + b, 0)).toBe(r.leftOut);
    for (const e of r.leftOutClauses) {
      expect(e.citation).toMatch(/^(Chapter \d+|Section [IVX]+) /);
      expect(e.reason.length).toBeGreaterThan(10);
    }
    expect(r.clausesFound).toBeGreaterThan(500);
    expect(r.encoded).toBeGreaterThan(300);
  });
});

describe('clauses parsed right', () => {
  test('Chapter 95 Note 1(p): unmanned aircraft -> heading 8806', () => {
    const r = rule('ch95-note1-p');
    expect(r.event.params.citation).toBe('Chapter 95 Note 1(p)');
    expect(r.event.params.exclude).toEqual(['95']);
    expect(r.event.params.include).toEqual(['8806']);
    const c = raw.clauses.find((x) => x.id === 'ch95-note1-p')!;
    expect(c.phrases).toEqual(['unmanned aircraft']);
    expect(r.conditions.all[0]).toEqual(expect.objectContaining({ fact: 'text', operator: 'mentionsAny', value: expect.arrayContaining(['unmanned aircraft', 'drone']) }));
    expect(r.conditions.all).toContainEqual({ fact: 'chapters', operator: 'contains', value: '95' });
  });

  test('Chapter 95 Note 1(d): sports bags -> headings 4202, 4303, 4304', () => {
    expect(rule('ch95-note1-d').event.params.include).toEqual(['4202', '4303', '4304']);
    expect(raw.clauses.find((x) => x.id === 'ch95-note1-d')!.phrases).toContain('sports bags');
  });

  test('a lettered (ij) item: Chapter 95 Note 1(ij) glass eyes -> 7018', () => {
    const r = rule('ch95-note1-ij');
    expect(r.event.params.citation).toBe('Chapter 95 Note 1(ij)');
    expect(r.event.params.include).toEqual(['7018']);
  });

  test('a section note: Section XV Note 1(k) excludes every chapter of section XV and points to chapter 94', () => {
    const r = rule('secxv-note1-k');
    expect(r.event.params.citation).toBe('Section XV Note 1(k)');
    expect(r.event.params.exclude).toEqual(['72', '73', '74', '75', '76', '78', '79', '80', '81', '82', '83']);
    expect(r.event.params.include).toEqual(['94']);
    const scope = r.conditions.all.find((c) => 'any' in c) as { any: { fact: string; value: string }[] };
    expect(scope.any.map((c) => c.value)).toEqual(r.event.params.exclude);
    expect(scope.any.every((c) => c.fact === 'chapters')).toBe(true);
    expect(rule('secxv-note1-k').conditions.all[0].value).toEqual(expect.arrayContaining(['furniture', 'luminaires']));
  });

  test('pointers: heading ranges, chapters, sections', () => {
    // "(headings 3207 to 3210, 3212, 3213 or 3215)"
    expect(raw.clauses.find((c) => c.id === 'secxv-note1-a')!.include).toEqual(['3207', '3208', '3209', '3210', '3212', '3213', '3215']);
    // "of chapter 61 or 62"
    expect(rule('ch95-note1-e').event.params.include).toEqual(['61', '62']);
    // "of section XVII" -> its chapters
    expect(raw.clauses.find((c) => c.id === 'ch95-note1-n')!.include).toEqual(['86', '87', '88', '89']);
    // "note 2 to section XV" is a reference, not a pointer; "(section XV)" and "(chapter 39)" are
    const k = raw.clauses.find((c) => c.id === 'ch95-note1-k')!;
    expect(k.include).toEqual(['39', '72', '73', '74', '75', '76', '78', '79', '80', '81', '82', '83']);
  });

  test('heading-scoped clauses exclude the heading ("Heading 9503 does not cover ... pet toys")', () => {
    const r = rule('ch95-note5');
    expect(r.event.params.exclude).toEqual(['9503']);
    expect(r.conditions.all).toContainEqual({ fact: 'headings', operator: 'contains', value: '9503' });
    // "The heading does not apply to:" resolves to the heading the note is about (Chapter 13 Note 1: heading 1302).
    expect(raw.clauses.find((c) => c.id === 'ch13-note1-b')!.exclude).toEqual(['1302']);
  });

  test('an item whose next-note number landed on its line is still read (Chapter 11 Note 1(f))', () => {
    const c = raw.clauses.find((x) => x.id === 'ch11-note1-f')!;
    expect(c.text).toMatch(/^Starches having the character of perfumery/);
    expect(c.include).toEqual(['33']);
  });

  test('subject phrases drop generic words and stop at pointers and qualifiers', () => {
    expect(subjectPhrases('Walking-sticks, whips, riding-crops or the like (heading 6602), or parts thereof (heading 6603)').phrases).toEqual([
      'walking-sticks',
      'whips',
      'riding-crops',
    ]);
    expect(subjectPhrases('Goods of chapter 71 (for example, precious metal alloys, base metal clad with precious metal, imitation jewelry)').phrases).toContain('imitation jewelry');
    const q = subjectPhrases('Pencils for cosmetic or toilet uses (chapter 33)');
    expect(q.phrases).toEqual([]);
    expect(q.qualified).toBe(true);
  });

  test('left-out clauses carry their reason (generic subjects, measures, hand review)', () => {
    const reason = (id: string) => gen.report.leftOutClauses.find((e) => e.id === id)?.reason;
    expect(reason('ch02-note1-a')).toMatch(/generic/);
    expect(reason('ch04-note5-b')).toMatch(/measure/);
    expect(reason('secxv-note1-f')).toMatch(/^hand review:/);
    expect(reason('ch04-subnote2')).toMatch(/subheading/);
  });

  test('corrections: a term-scoped clause gets its scope by hand (Chapter 88 Note 1: flying toys)', () => {
    expect(raw.clauses.find((c) => c.id === 'ch88-note1')!.scope).toBeNull();
    const r = rule('ch88-note1');
    expect(r.event.params.exclude).toEqual(['8806']);
    expect(r.event.params.include).toEqual(['9503']);
  });
});

describe('every generated rule has the format of rules/README.md', () => {
  const NAME = /^(ch\d{2}|sec[ivx]+)-(note|usnote)\d+[a-z]{0,2}(-[a-z]{1,2})?(-\d)?$/;
  test('names, priority, event, codes and conditions', () => {
    const names = new Set<string>();
    expect(gen.rules.length).toBeGreaterThan(0);
    for (const r of gen.rules) {
      expect(r.name).toMatch(NAME);
      expect(names.has(r.name)).toBe(false);
      names.add(r.name);
      expect(r.priority).toBe(100);
      expect(r.event.type).toBe('exclude');
      const p = r.event.params;
      expect(p.gri).toBe('GRI 1');
      expect(p.citation).toMatch(/^(Chapter \d{1,2}|Section [IVX]+) (Note|Additional U\.S\. Note) \d+(\([A-Za-z]{1,2}\))*$/);
      expect(p.detail).toMatch(/^(Chapter|Chapters|Section|Heading|Headings) .+\.$/);
      expect(p.exclude.length).toBeGreaterThan(0);
      for (const c of p.exclude) {
        // chapter and section notes exclude chapters; notes scoped to a heading ("Heading 9503 does not cover") exclude headings
        expect(c.length === 2 ? nom.chapters.has(c) : c.length === 4 && nom.headings.has(c)).toBe(true);
      }
      if (r.name.startsWith('sec') || /Chapter \d+ Note \d+\(/.test(p.citation) && p.exclude.every((c) => c.length === 2)) {
        for (const c of p.exclude) expect(c).toMatch(/^\d{2}$/);
      }
      for (const c of p.include) expect(c.length === 2 ? nom.chapters.has(c) : c.length === 4 && nom.headings.has(c)).toBe(true);
      const all = r.conditions.all;
      expect(all[0]).toEqual({ fact: 'text', operator: 'mentionsAny', value: expect.any(Array) });
      const phrases = all[0].value as string[];
      expect(phrases.length).toBeGreaterThan(0);
      for (const ph of phrases) expect(ph.trim()).toBe(ph);
      const scope = all[all.length - 1] as { fact?: string; value?: string; any?: { fact: string; value: string }[] };
      const leaves = scope.any ?? [scope as { fact: string; value: string }];
      expect(leaves.map((l) => l.value)).toEqual(p.exclude);
      for (const l of leaves) expect(l.fact).toBe(l.value.length === 2 ? 'chapters' : 'headings');
    }
  });

  test('section-note rules exclude every chapter of their section', () => {
    for (const r of gen.rules.filter((x) => x.name.startsWith('sec'))) {
      const sec = r.event.params.citation.split(' ')[1];
      expect(r.event.params.exclude).toEqual(nom.sectionChapters.get(sec));
    }
  });
});

describe('a generated rule concerns goods named by the clause, not goods that mention it', () => {
  test("the goods' nouns are the last words of the clause's phrases", () => {
    expect(phraseHeads(['sports bag', 'sports bags', 'gym bag', 'sports backpack'])).toEqual(['bag', 'bags', 'backpack']);
  });

  test('a clause about a property or about goods in general keeps firing on the mention alone', () => {
    expect(phraseHeads(['fur-lined', 'fur-trimmed'])).toEqual([]);
    expect(phraseHeads(['inflatable mattress', 'inflatable'])).toEqual([]);
    expect(phraseHeads(['other articles'])).toEqual([]);
  });

  test('the rules carry it: "sports bag" mentioned by a kit does not send the kit to 4202', () => {
    const bags = gen.rules.find((r) => r.name === 'ch95-note1-d')!;
    expect(bags.conditions.all).toContainEqual({ fact: 'head', operator: 'namedAny', value: expect.arrayContaining(['bag', 'backpack']) });
  });
});
