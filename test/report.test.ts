import type { ReliabilityBin } from '../server/pipeline/calibrate';
import type { EvalReport, SourceMetrics } from '../server/eval/metrics';
import { escapeHtml, formatCount, formatEce, formatPercent, heldOutSection, nationalSection, renderReport } from '../server/eval/report';

const XSS = '<script>alert(1)</script> & "q"';
const LONG =
  'Automatic data processing machines, portable, weighing not more than 10 kg, consisting of at least a central processing unit, a keyboard and a display';

function bins(filled: Record<number, { n: number; meanConfidence: number; accuracy: number }>): ReliabilityBin[] {
  return Array.from({ length: 10 }, (_, i) => ({
    lo: i / 10,
    hi: (i + 1) / 10,
    ...(filled[i] ?? { n: 0, meanConfidence: 0, accuracy: 0 }),
  }));
}

const sourceA: SourceMetrics = {
  source: 'rulings',
  n: 1234,
  digits: {
    '2': { top1: 0.9, top3: 0.95 },
    '4': { top1: 0.7, top3: 0.8888 },
    '6': { top1: 0.5123, top3: 0.6789 },
  },
  ece: 0.04567,
  reliability: bins({
    3: { n: 10, meanConfidence: 0.35, accuracy: 0.3 },
    7: { n: 40, meanConfidence: 0.74, accuracy: 0.65 },
    9: { n: 100, meanConfidence: 0.95, accuracy: 0.9 },
  }),
  errors: 7,
  review: { share: 0.25, accuracy: 0.4, okShare: 0.7, okAccuracy: 0.6 },
  perChapter: [
    { chapter: '84', n: 50, top1: 0.62 },
    { chapter: '01', n: 3, top1: 1 },
    { chapter: '97', n: 2, top1: 0.5 },
    { chapter: '61', n: 12, top1: 0.25 },
  ],
  confusions: [
    { truth: '847130', predicted: '847150', n: 9 },
    { truth: '610910', predicted: '999999', n: 2 },
  ],
};

const sourceB: SourceMetrics = {
  source: 'catalogue & "web"',
  n: 40,
  digits: {
    '2': { top1: 0.8, top3: 0.9 },
    '4': { top1: 0.6, top3: 0.7 },
    '6': { top1: 0.4, top3: 0.5 },
  },
  ece: 0.1,
  reliability: bins({ 5: { n: 40, meanConfidence: 0.55, accuracy: 0.4 } }),
  errors: 0,
  review: { share: 0.1, accuracy: 0, okShare: 0.85, okAccuracy: 0.45 },
  perChapter: [
    { chapter: '39', n: 1, top1: 0 },
    { chapter: '22', n: 5, top1: 0.8 },
  ],
  confusions: [],
};

const report: EvalReport = {
  generatedAt: '2025-01-02T03:04:05.000Z',
  command: 'hs-eval --folds 5 --seed 42 --out "report.html"',
  seed: 42,
  folds: 5,
  versions: { classifier: '1.2.3', node: 'v20.11.0' },
  protocol: {
    rulings: '5-fold cross-validation over CROSS rulings.',
    'catalogue & "web"': 'Held out entirely <no training>.',
  },
  sources: [sourceA, sourceB],
  descriptions: {
    '847130': LONG,
    '847150': 'Processing units',
    '610910': XSS,
  },
  seconds: 12.345,
};

const html = renderReport(report);
const count = (haystack: string, needle: string | RegExp) =>
  (haystack.match(typeof needle === 'string' ? new RegExp(needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g') : needle) ?? [])
    .length;

/** The HTML of each per-source section, in order. */
function sections(doc: string): string[] {
  return doc
    .split('<section class="source"')
    .slice(1)
    .map((s) => s.slice(0, s.indexOf('</section>')));
}

function svgs(doc: string): string[] {
  return [...doc.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);
}

function summaryRow(doc: string, source: string): string[] {
  const start = doc.indexOf(`<tr data-source="${escapeHtml(source)}">`);
  expect(start).toBeGreaterThan(-1);
  const row = doc.slice(start, doc.indexOf('</tr>', start));
  return [...row.matchAll(/<td class="num">([^<]*)<\/td>/g)].map((m) => m[1]);
}

describe('formatters', () => {
  test('percentages use one decimal', () => {
    expect(formatPercent(0.5123)).toBe('51.2%');
    expect(formatPercent(1)).toBe('100.0%');
    expect(formatPercent(0)).toBe('0.0%');
    expect(formatPercent(NaN)).toBe('\u2014');
  });
  test('counts and ECE', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(7)).toBe('7');
    expect(formatEce(0.04567)).toBe('0.046');
  });
  test('escapeHtml escapes all five characters', () => {
    expect(escapeHtml(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
  });
});

describe('national section', () => {
  test('shows decided and likely shares of the rows whose HS 6 is right, and nothing without data', () => {
    const r = { national: { cross: { cases: 200, hs6Right: 80, decided: 20, decidedRight: 15, undecided: 60, likelyRight: 30, withoutLikely: 2 } } } as unknown as EvalReport;
    const cells = [...nationalSection(r).matchAll(/<td class="num">([^<]*)<\/td>/g)].map((m) => m[1]);
    expect(cells).toEqual(['200', '80', '25.0%', '75.0%', '50.0%', '56.3%']);
    expect(nationalSection({ national: {} } as unknown as EvalReport)).toBe('');
  });
});

describe('renderReport', () => {
  test('is one self-contained HTML document', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(count(html, /<!DOCTYPE/gi)).toBe(1);
    expect(count(html, /<html[\s>]/g)).toBe(1);
    expect(count(html, '</html>')).toBe(1);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(count(html, '<body>')).toBe(1);
    expect(count(html, '<style>')).toBe(1);
    // No scripts, no external resources.
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<link[\s>]|<img[\s>]|\ssrc=/i);
  });

  test('header carries title, time, command, seed, folds, versions and seconds', () => {
    expect(html).toContain('<h1>HS classifier evaluation</h1>');
    expect(html).toContain('2025-01-02T03:04:05.000Z');
    expect(html).toContain(escapeHtml(report.command));
    expect(html).not.toContain(report.command); // raw quotes would have leaked
    expect(html).toMatch(/<dt>Seed<\/dt><dd[^>]*>42<\/dd>/);
    expect(html).toMatch(/<dt>Folds<\/dt><dd[^>]*>5<\/dd>/);
    expect(html).toContain('classifier <code>1.2.3</code>');
    expect(html).toContain('node <code>v20.11.0</code>');
    expect(html).toContain('12.3 s');
  });

  test('summary table has one row per source with formatted numbers', () => {
    expect(count(html, /<tr data-source=/g)).toBe(2);
    expect(summaryRow(html, 'rulings')).toEqual([
      '1,234',
      '90.0%',
      '95.0%',
      '70.0%',
      '88.9%',
      '51.2%',
      '67.9%',
      '0.046',
      '7',
      '25.0%',
      '40.0%',
      '60.0%',
    ]);
    expect(summaryRow(html, 'catalogue & "web"')).toEqual([
      '40',
      '80.0%',
      '90.0%',
      '60.0%',
      '70.0%',
      '40.0%',
      '50.0%',
      '0.100',
      '0',
      '10.0%',
      '0.0%',
      '45.0%',
    ]);
  });

  test('protocol text is shown, escaped, for each source', () => {
    const protocol = html.slice(html.indexOf('<dl class="protocol">'), html.indexOf('</dl>', html.indexOf('<dl class="protocol">')));
    expect(protocol).toContain('<dt>rulings</dt><dd>5-fold cross-validation over CROSS rulings.</dd>');
    expect(protocol).toContain('<dt>catalogue &amp; &quot;web&quot;</dt><dd>Held out entirely &lt;no training&gt;.</dd>');
  });

  test('one section per source with exactly two SVG charts each', () => {
    const secs = sections(html);
    expect(secs).toHaveLength(2);
    expect(count(html, '<svg')).toBe(4);
    expect(count(html, '</svg>')).toBe(4);
    for (const s of secs) {
      expect(count(s, '<svg class="chart chapters"')).toBe(1);
      expect(count(s, '<svg class="chart reliability"')).toBe(1);
    }
    expect(secs[1]).toContain('<h2>catalogue &amp; &quot;web&quot;</h2>');
  });

  test('chapter chart keeps chapters with n >= 3, sorted, with n in a title', () => {
    const [a, b] = sections(html).map((s) => svgs(s).find((x) => x.includes('chart chapters'))!);
    const chapters = (svg: string) => [...svg.matchAll(/data-chapter="([^"]*)"/g)].map((m) => m[1]);
    expect(chapters(a)).toEqual(['01', '61', '84']);
    expect(chapters(b)).toEqual(['22']);
    expect(a).not.toContain('Chapter 97');
    expect(b).not.toContain('Chapter 39');
    expect(a).toContain('<title>Chapter 84: 62.0% top-1, n = 50</title>');
    expect(a).toContain('>100%</text>');
    expect(a).toContain('>0%</text>');
    // Bar heights follow top-1: chapter 01 (100%) is four times as tall as chapter 61 (25%).
    const height = (ch: string) => Number(a.match(new RegExp(`data-chapter="${ch}"[\\s\\S]*?height="([\\d.]+)"`))![1]);
    expect(height('01')).toBeCloseTo(4 * height('61'), 1);
    expect(height('01')).toBeGreaterThan(height('84'));
    expect(sections(html)[0]).toContain('1 chapter with fewer than 3 cases not shown');
  });

  test('reliability diagram skips empty bins, has the diagonal and sizes points by n', () => {
    const [a, b] = sections(html).map((s) => svgs(s).find((x) => x.includes('chart reliability'))!);
    const radii = (svg: string) => [...svg.matchAll(/<circle class="point bin"[^>]*\sr="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(radii(a)).toHaveLength(3);
    expect(radii(b)).toHaveLength(1);
    const [r10, r40, r100] = radii(a);
    expect(r10).toBeLessThan(r40);
    expect(r40).toBeLessThan(r100);
    expect(a).toContain('class="diag"');
    expect(a).toContain('Mean confidence');
    expect(a).toContain('Accuracy');
    expect(a).toContain('n = 40, mean confidence 74.0%, accuracy 65.0%');
  });

  test('confusion table shows codes, counts and escaped, truncated descriptions', () => {
    const [a, b] = sections(html);
    const table = a.slice(a.indexOf('<table class="confusions">'));
    expect(table).toContain('<td class="code">847130</td>');
    expect(table).toContain('<td class="code">847150</td>');
    expect(table).toMatch(/<td class="num">9<\/td><\/tr>/);
    // Position of rows follows the input (commonest first).
    expect(table.indexOf('847130')).toBeLessThan(table.indexOf('610910'));

    // Long description: truncated, full text in a title attribute.
    const long = table.match(/<td class="desc" title="([^"]*)">([^<]*)<\/td>/);
    expect(long).not.toBeNull();
    expect(long![1]).toBe(LONG);
    expect(Array.from(long![2]).length).toBeLessThanOrEqual(80);
    expect(long![2].endsWith('\u2026')).toBe(true);
    expect(LONG.startsWith(long![2].slice(0, -1))).toBe(true);
    expect(table).toContain('<td class="desc">Processing units</td>');

    // Hostile description: escaped, never raw. Missing description: a dash.
    expect(table).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot;');
    expect(html).not.toContain(XSS);
    expect(html).not.toContain('<script>');
    expect(table).toMatch(/<td class="code">999999<\/td><td class="desc muted">\u2014<\/td>/);

    expect(b).not.toContain('<table class="confusions">');
    expect(b).toContain('No confusions');
  });

  test('empty chapter data still yields a chart with a note', () => {
    const lone: EvalReport = {
      ...report,
      sources: [{ ...sourceB, perChapter: [{ chapter: '39', n: 2, top1: 1 }], reliability: bins({}) }],
    };
    const out = renderReport(lone);
    expect(count(out, '<svg')).toBe(2);
    expect(out).not.toContain('data-chapter=');
    expect(out).toContain('No chapter has 3 or more cases');
    expect(count(out, '<circle')).toBe(0);
  });

  test('the held-out table gives the share of rows marked ok, not of rows not in review (error rows are neither)', () => {
    const out = heldOutSection({ ...report, heldOutSources: [{ ...sourceB, errors: 5, review: { share: 0.1, accuracy: 0, okShare: 0.85, okAccuracy: 0.45 } }] });
    const cells = [...out.matchAll(/<td class="num">([^<]*)<\/td>/g)].map((m) => m[1]);
    expect(cells.slice(-2)).toEqual(['85.0%', '45.0%']);
  });
});
