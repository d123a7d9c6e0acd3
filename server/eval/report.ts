// Renders an EvalReport as one self-contained HTML5 page: inline CSS, inline SVG, no scripts,
// no external resources. Everything that comes from data is HTML-escaped.
import type { ReliabilityBin } from '../pipeline/calibrate';
import type { EvalReport, SourceMetrics } from './metrics';

/** Chapters with fewer cases than this are left out of the per-chapter chart. */
export const MIN_CHAPTER_N = 3;
/** Descriptions longer than this are truncated (full text kept in a title attribute). */
export const DESCRIPTION_MAX = 80;

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for use in HTML element content and in quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const DASH = '\u2014';

/** 0.5123 -> "51.2%"; non-finite -> an em dash. */
export function formatPercent(x: number): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : DASH;
}

/** Integer with thousands separators, independent of locale: 12345 -> "12,345". */
export function formatCount(x: number): string {
  if (!Number.isFinite(x)) return DASH;
  const s = String(Math.round(Math.abs(x))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return x < 0 ? `-${s}` : s;
}

/** Expected calibration error with three decimals: 0.04567 -> "0.046". */
export function formatEce(x: number): string {
  return Number.isFinite(x) ? x.toFixed(3) : DASH;
}

function formatSeconds(x: number): string {
  if (!Number.isFinite(x)) return DASH;
  if (x < 60) return `${x.toFixed(1)} s`;
  const m = Math.floor(x / 60);
  return `${x.toFixed(1)} s (${m} min ${Math.round(x - m * 60)} s)`;
}

/** Numbers inside SVG attributes: at most two decimals, no trailing zeros. */
const n2 = (x: number) => String(Math.round(x * 100) / 100);

function truncate(text: string, max = DESCRIPTION_MAX): { short: string; truncated: boolean } {
  const chars = Array.from(text.replace(/\s+/g, ' ').trim());
  if (chars.length <= max) return { short: chars.join(''), truncated: false };
  return { short: `${chars.slice(0, max - 1).join('').trimEnd()}\u2026`, truncated: true };
}

function describe(report: EvalReport, code: string): string | undefined {
  return report.descriptions[code] ?? report.descriptions[code.slice(0, 6)];
}

function descriptionCell(report: EvalReport, code: string): string {
  const full = describe(report, code);
  if (full === undefined || full.trim() === '') return `<td class="desc muted">${DASH}</td>`;
  const { short, truncated } = truncate(full);
  return truncated
    ? `<td class="desc" title="${escapeHtml(full)}">${escapeHtml(short)}</td>`
    : `<td class="desc">${escapeHtml(short)}</td>`;
}

const CSS = `
:root { --fg:#1f2937; --muted:#6b7280; --line:#e5e7eb; --soft:#f9fafb; --accent:#2563eb; --accent-soft:#dbeafe; --warn:#b45309; }
* { box-sizing: border-box; }
body { margin:0; color:var(--fg); background:#fff; font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif; }
main { max-width:1100px; margin:0 auto; padding:24px 28px 48px; }
h1 { font-size:24px; margin:0 0 4px; }
h2 { font-size:19px; margin:36px 0 10px; padding-bottom:6px; border-bottom:1px solid var(--line); }
h3 { font-size:15px; margin:22px 0 8px; }
p { margin:6px 0; }
.muted { color:var(--muted); }
code, .code { font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; font-size:13px; }
dl.meta { display:grid; grid-template-columns:max-content 1fr; gap:2px 16px; margin:12px 0 0; }
dl.meta dt { color:var(--muted); }
dl.meta dd { margin:0; overflow-wrap:anywhere; }
table { border-collapse:collapse; width:100%; margin:8px 0; }
th, td { padding:5px 8px; border-bottom:1px solid var(--line); text-align:left; vertical-align:top; }
thead th { background:var(--soft); font-weight:600; font-size:13px; }
th.group { text-align:center; border-bottom:1px solid var(--line); }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
td.desc { color:var(--fg); max-width:380px; }
td.desc[title] { cursor:help; text-decoration:underline dotted var(--muted); text-underline-offset:3px; }
tbody tr:hover { background:var(--soft); }
.scroll { overflow-x:auto; }
.protocol dt { font-weight:600; margin-top:8px; }
.protocol dd { margin:2px 0 0; white-space:pre-wrap; }
figure { margin:0; }
figcaption { color:var(--muted); font-size:12px; margin-top:4px; max-width:720px; }
svg { max-width:100%; height:auto; display:block; font-family:inherit; }
svg .grid { stroke:var(--line); stroke-width:1; }
svg .axis { stroke:#9ca3af; stroke-width:1; }
svg .tick { fill:var(--muted); font-size:11px; }
svg .label { fill:var(--fg); font-size:12px; }
svg .bar { fill:var(--accent); }
svg .bar:hover, svg .point:hover { fill:#1d4ed8; }
svg .binbar { fill:var(--accent-soft); }
svg .point { fill:var(--accent); fill-opacity:.75; stroke:#fff; stroke-width:1; }
svg .diag { stroke:var(--muted); stroke-dasharray:4 4; stroke-width:1; }
svg .ref { stroke:var(--warn); stroke-dasharray:6 3; stroke-width:1.2; }
svg .reftext { fill:var(--warn); font-size:11px; }
svg .empty { fill:var(--muted); font-size:13px; }
@media print { main { max-width:none; padding:0; } h2 { break-before:page; } tbody tr:hover { background:none; } }
`;

function header(report: EvalReport): string {
  const versions = Object.entries(report.versions)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${escapeHtml(k)} <code>${escapeHtml(v)}</code>`)
    .join(', ');
  return `<header>
<h1>HS classifier evaluation</h1>
<dl class="meta">
<dt>Generated</dt><dd><time datetime="${escapeHtml(report.generatedAt)}">${escapeHtml(report.generatedAt)}</time></dd>
<dt>Command</dt><dd><code>${escapeHtml(report.command)}</code></dd>
<dt>Seed</dt><dd class="code">${escapeHtml(report.seed)}</dd>
<dt>Folds</dt><dd class="code">${escapeHtml(report.folds)}</dd>
<dt>Versions</dt><dd>${versions || DASH}</dd>
<dt>Total time</dt><dd>${escapeHtml(formatSeconds(report.seconds))}</dd>
</dl>
</header>`;
}

const sourceId = (i: number) => `source-${i + 1}`;

function summary(report: EvalReport): string {
  const rows = report.sources
    .map((s, i) => {
      const cells = [
        formatCount(s.n),
        formatPercent(s.digits['2'].top1),
        formatPercent(s.digits['2'].top3),
        formatPercent(s.digits['4'].top1),
        formatPercent(s.digits['4'].top3),
        formatPercent(s.digits['6'].top1),
        formatPercent(s.digits['6'].top3),
        formatEce(s.ece),
        formatCount(s.errors),
        formatPercent(s.review.share),
        formatPercent(s.review.accuracy),
        formatPercent(s.review.okAccuracy),
      ];
      return `<tr data-source="${escapeHtml(s.source)}"><th scope="row"><a href="#${sourceId(i)}">${escapeHtml(
        s.source,
      )}</a></th>${cells.map((c) => `<td class="num">${escapeHtml(c)}</td>`).join('')}</tr>`;
    })
    .join('\n');

  const protoKeys = [
    ...report.sources.map((s) => s.source),
    ...Object.keys(report.protocol).filter((k) => !report.sources.some((s) => s.source === k)),
  ];
  const protocol = protoKeys
    .map((k) => {
      const text = report.protocol[k];
      return `<dt>${escapeHtml(k)}</dt><dd>${
        text === undefined || text.trim() === '' ? `<span class="muted">${DASH}</span>` : escapeHtml(text)
      }</dd>`;
    })
    .join('\n');

  return `<section id="summary">
<h2>Summary</h2>
<div class="scroll"><table class="summary">
<thead>
<tr><th rowspan="2">Source</th><th rowspan="2" class="num">n</th><th colspan="2" class="group">2 digits</th><th colspan="2" class="group">4 digits</th><th colspan="2" class="group">6 digits</th><th rowspan="2" class="num" title="Expected calibration error of the top-1 confidence (6 digits)">ECE</th><th rowspan="2" class="num">Errors</th><th rowspan="2" class="num">Review share</th><th rowspan="2" class="num" title="Top-1 accuracy (6 digits) of rows flagged for review">Review acc.</th><th rowspan="2" class="num" title="Top-1 accuracy (6 digits) of rows marked ok">OK acc.</th></tr>
<tr><th class="num">top-1</th><th class="num">top-3</th><th class="num">top-1</th><th class="num">top-3</th><th class="num">top-1</th><th class="num">top-3</th></tr>
</thead>
<tbody>
${rows || `<tr><td colspan="13" class="muted">No sources evaluated.</td></tr>`}
</tbody>
</table></div>
<p class="muted">Accuracy is the share of cases whose truth code matches the first (top-1) or any of the first three (top-3) predictions at the given number of digits. Error rows count as wrong.</p>
<h3>Protocol</h3>
<dl class="protocol">
${protocol || `<dd class="muted">${DASH}</dd>`}
</dl>
</section>`;
}

function yGrid(left: number, top: number, plotW: number, plotH: number, ticks: number[]): string {
  return ticks
    .map((t) => {
      const y = top + plotH * (1 - t);
      return `<line class="grid" x1="${n2(left)}" y1="${n2(y)}" x2="${n2(left + plotW)}" y2="${n2(y)}"/><text class="tick" x="${n2(
        left - 6,
      )}" y="${n2(y + 4)}" text-anchor="end">${Math.round(t * 100)}%</text>`;
    })
    .join('');
}

/** Bar chart of top-1 accuracy per chapter (chapters with n >= MIN_CHAPTER_N). */
export function chapterChart(s: SourceMetrics): string {
  const chapters = s.perChapter
    .filter((c) => c.n >= MIN_CHAPTER_N)
    .sort((a, b) => a.chapter.localeCompare(b.chapter, 'en', { numeric: true }));
  const left = 52;
  const right = 16;
  const top = 16;
  const plotH = 200;
  const maxPlotW = 1040 - left - right;
  const plotW = chapters.length ? Math.max(300, Math.min(maxPlotW, 48 * chapters.length)) : 300;
  const slot = chapters.length ? plotW / chapters.length : 0;
  const rotate = slot < 20;
  const bottom = rotate ? 56 : 46;
  const W = left + plotW + right;
  const H = top + plotH + bottom;
  const title = `Top-1 accuracy per chapter, ${s.source}`;

  const parts: string[] = [];
  parts.push(yGrid(left, top, plotW, plotH, [0, 0.25, 0.5, 0.75, 1]));
  chapters.forEach((c, i) => {
    const acc = Math.max(0, Math.min(1, Number.isFinite(c.top1) ? c.top1 : 0));
    const bw = Math.max(2, slot * 0.72);
    const cx = left + slot * (i + 0.5);
    const h = plotH * acc;
    const labelY = top + plotH + 14;
    const label = rotate
      ? `<text class="tick" x="${n2(cx + 3)}" y="${n2(labelY - 8)}" text-anchor="end" transform="rotate(-90 ${n2(cx + 3)} ${n2(
          labelY - 8,
        )})">${escapeHtml(c.chapter)}</text>`
      : `<text class="tick" x="${n2(cx)}" y="${n2(labelY)}" text-anchor="middle">${escapeHtml(c.chapter)}</text>`;
    parts.push(
      `<g class="chapter" data-chapter="${escapeHtml(c.chapter)}"><title>Chapter ${escapeHtml(c.chapter)}: ${escapeHtml(
        formatPercent(c.top1),
      )} top-1, n = ${escapeHtml(formatCount(c.n))}</title><rect class="bar" x="${n2(cx - bw / 2)}" y="${n2(
        top + plotH - h,
      )}" width="${n2(bw)}" height="${n2(h)}"/>${label}</g>`,
    );
  });
  if (chapters.length) {
    const overall = s.digits['6'].top1;
    if (Number.isFinite(overall)) {
      const y = top + plotH * (1 - Math.max(0, Math.min(1, overall)));
      parts.push(
        `<g><title>Overall top-1 (6 digits): ${escapeHtml(formatPercent(overall))}</title><line class="ref" x1="${n2(
          left,
        )}" y1="${n2(y)}" x2="${n2(left + plotW)}" y2="${n2(y)}"/><text class="reftext" x="${n2(left + plotW - 2)}" y="${n2(
          y - 4,
        )}" text-anchor="end">overall ${escapeHtml(formatPercent(overall))}</text></g>`,
      );
    }
  } else {
    parts.push(
      `<text class="empty" x="${n2(left + plotW / 2)}" y="${n2(top + plotH / 2)}" text-anchor="middle">No chapter has ${MIN_CHAPTER_N} or more cases</text>`,
    );
  }
  parts.push(
    `<line class="axis" x1="${left}" y1="${top + plotH}" x2="${n2(left + plotW)}" y2="${top + plotH}"/>`,
    `<line class="axis" x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}"/>`,
    `<text class="label" x="${n2(left + plotW / 2)}" y="${H - 8}" text-anchor="middle">Chapter (n \u2265 ${MIN_CHAPTER_N})</text>`,
    `<text class="label" x="14" y="${n2(top + plotH / 2)}" text-anchor="middle" transform="rotate(-90 14 ${n2(
      top + plotH / 2,
    )})">Top-1 accuracy</text>`,
  );
  return `<svg class="chart chapters" width="${n2(W)}" height="${H}" viewBox="0 0 ${n2(W)} ${H}" role="img" aria-label="${escapeHtml(
    title,
  )}"><title>${escapeHtml(title)}</title>${parts.join('')}</svg>`;
}

/** Reliability diagram: accuracy against mean confidence per bin, points sized by n. */
export function reliabilityChart(s: SourceMetrics): string {
  const bins: ReliabilityBin[] = s.reliability.filter(
    (b) => b.n > 0 && Number.isFinite(b.meanConfidence) && Number.isFinite(b.accuracy),
  );
  const left = 52;
  const right = 16;
  const top = 16;
  const bottom = 46;
  const plot = 300;
  const W = left + plot + right;
  const H = top + plot + bottom;
  const x = (v: number) => left + plot * Math.max(0, Math.min(1, v));
  const y = (v: number) => top + plot * (1 - Math.max(0, Math.min(1, v)));
  const ticks = [0, 0.2, 0.4, 0.6, 0.8, 1];
  const maxN = Math.max(1, ...bins.map((b) => b.n));
  const title = `Reliability diagram, ${s.source}`;

  const parts: string[] = [];
  parts.push(yGrid(left, top, plot, plot, ticks));
  for (const t of ticks) {
    parts.push(
      `<line class="grid" x1="${n2(x(t))}" y1="${top}" x2="${n2(x(t))}" y2="${top + plot}"/><text class="tick" x="${n2(
        x(t),
      )}" y="${top + plot + 16}" text-anchor="middle">${Math.round(t * 100)}%</text>`,
    );
  }
  // Bin extents as light bars (height = accuracy), then the points on top.
  for (const b of bins) {
    const x0 = x(b.lo);
    const x1 = x(b.hi);
    parts.push(
      `<rect class="binbar" x="${n2(x0 + 1)}" y="${n2(y(b.accuracy))}" width="${n2(Math.max(0, x1 - x0 - 2))}" height="${n2(
        top + plot - y(b.accuracy),
      )}"/>`,
    );
  }
  parts.push(
    `<line class="diag" x1="${n2(x(0))}" y1="${n2(y(0))}" x2="${n2(x(1))}" y2="${n2(y(1))}"><title>Perfect calibration</title></line>`,
  );
  for (const b of bins) {
    const r = 3 + 11 * Math.sqrt(b.n / maxN);
    parts.push(
      `<circle class="point bin" cx="${n2(x(b.meanConfidence))}" cy="${n2(y(b.accuracy))}" r="${n2(r)}"><title>Confidence ${escapeHtml(
        formatPercent(b.lo),
      )}\u2013${escapeHtml(formatPercent(b.hi))}: n = ${escapeHtml(formatCount(b.n))}, mean confidence ${escapeHtml(
        formatPercent(b.meanConfidence),
      )}, accuracy ${escapeHtml(formatPercent(b.accuracy))}</title></circle>`,
    );
  }
  if (!bins.length) {
    parts.push(`<text class="empty" x="${n2(left + plot / 2)}" y="${n2(top + plot / 2 - 12)}" text-anchor="middle">No scored cases</text>`);
  }
  parts.push(
    `<line class="axis" x1="${left}" y1="${top + plot}" x2="${left + plot}" y2="${top + plot}"/>`,
    `<line class="axis" x1="${left}" y1="${top}" x2="${left}" y2="${top + plot}"/>`,
    `<text class="label" x="${left + plot / 2}" y="${H - 8}" text-anchor="middle">Mean confidence (top-1)</text>`,
    `<text class="label" x="14" y="${top + plot / 2}" text-anchor="middle" transform="rotate(-90 14 ${top + plot / 2})">Accuracy (6 digits)</text>`,
  );
  return `<svg class="chart reliability" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(
    title,
  )}"><title>${escapeHtml(title)}</title>${parts.join('')}</svg>`;
}

function sharedLevel(truth: string, predicted: string): string {
  if (truth.slice(0, 4) === predicted.slice(0, 4)) return 'heading';
  if (truth.slice(0, 2) === predicted.slice(0, 2)) return 'chapter';
  return DASH;
}

function confusionTable(report: EvalReport, s: SourceMetrics): string {
  if (!s.confusions.length) return `<p class="muted">No confusions: every answered case was right at 6 digits.</p>`;
  const rows = s.confusions
    .map(
      (c) =>
        `<tr><td class="code">${escapeHtml(c.truth)}</td>${descriptionCell(report, c.truth)}<td class="code">${escapeHtml(
          c.predicted,
        )}</td>${descriptionCell(report, c.predicted)}<td>${escapeHtml(sharedLevel(c.truth, c.predicted))}</td><td class="num">${escapeHtml(
          formatCount(c.n),
        )}</td></tr>`,
    )
    .join('\n');
  return `<div class="scroll"><table class="confusions">
<thead><tr><th>Truth</th><th>Description</th><th>Predicted</th><th>Description</th><th>Same</th><th class="num">Count</th></tr></thead>
<tbody>
${rows}
</tbody>
</table></div>`;
}

function levelConfusionTable(report: EvalReport, s: SourceMetrics, d: '2' | '4'): string {
  const list = s.levelConfusions?.[d] ?? [];
  if (!list.length) return `<p class="muted">None.</p>`;
  const rows = list
    .map(
      (c) =>
        `<tr><td class="code">${escapeHtml(c.truth)}</td>${descriptionCell(report, c.truth)}<td class="code">${escapeHtml(c.predicted)}</td>${descriptionCell(
          report,
          c.predicted,
        )}<td class="num">${escapeHtml(formatCount(c.n))}</td><td>${c.examples.map((e) => escapeHtml(e)).join('<br>')}</td></tr>`,
    )
    .join('\n');
  return `<div class="scroll"><table class="confusions">
<thead><tr><th>Truth</th><th>Description</th><th>Predicted</th><th>Description</th><th class="num">Count</th><th>Example rows</th></tr></thead>
<tbody>
${rows}
</tbody>
</table></div>`;
}

function sourceSection(report: EvalReport, s: SourceMetrics, i: number): string {
  const shown = s.perChapter.filter((c) => c.n >= MIN_CHAPTER_N).length;
  const hidden = s.perChapter.length - shown;
  return `<section class="source" id="${sourceId(i)}" data-source="${escapeHtml(s.source)}">
<h2>${escapeHtml(s.source)}</h2>
<p class="muted">n = ${escapeHtml(formatCount(s.n))} \u00b7 top-1 (6 digits) ${escapeHtml(
    formatPercent(s.digits['6'].top1),
  )} \u00b7 ECE ${escapeHtml(formatEce(s.ece))} \u00b7 review share ${escapeHtml(formatPercent(s.review.share))}</p>
<h3>Top-1 accuracy per chapter</h3>
<figure>${chapterChart(s)}
<figcaption>Top-1 accuracy at 6 digits, by the chapter of the true code. Hover a bar for its case count. ${
    hidden > 0
      ? `${escapeHtml(formatCount(hidden))} chapter${hidden === 1 ? '' : 's'} with fewer than ${MIN_CHAPTER_N} cases not shown.`
      : ''
  }</figcaption></figure>
<h3>Calibration</h3>
<figure>${reliabilityChart(s)}
<figcaption>Each point is a confidence bin (empty bins skipped): x = mean top-1 confidence, y = accuracy, area proportional to the number of cases. Points below the diagonal are overconfident. ECE ${escapeHtml(
    formatEce(s.ece),
  )}.</figcaption></figure>
<h3>Commonest confusions</h3>
${confusionTable(report, s)}
<h3>Wrong chapter: the commonest confusions</h3>
${levelConfusionTable(report, s, '2')}
<h3>Right chapter, wrong heading: the commonest confusions</h3>
${levelConfusionTable(report, s, '4')}
</section>`;
}

/** Renders the evaluation report as a single self-contained HTML5 document. */
/** Top-1 and top-3 at 6 digits with the rules and without them, per source. */
export function rulesEffect(report: EvalReport): string {
  if (!report.withoutRules?.length) return '';
  const rows = report.sources
    .map((s) => {
      const w = report.withoutRules!.find((x) => x.source === s.source);
      if (!w) return '';
      const d = (a: number, b: number) => `${a >= b ? '+' : ''}${((a - b) * 100).toFixed(1)}`;
      return `<tr><td>${escapeHtml(s.source)}</td><td class="num">${formatPercent(w.digits['6'].top1)}</td><td class="num">${formatPercent(s.digits['6'].top1)}</td><td class="num">${d(s.digits['6'].top1, w.digits['6'].top1)}</td><td class="num">${formatPercent(w.digits['6'].top3)}</td><td class="num">${formatPercent(s.digits['6'].top3)}</td><td class="num">${d(s.digits['6'].top3, w.digits['6'].top3)}</td></tr>`;
    })
    .join('');
  return `<section><h2>Effect of the rules</h2><table><thead><tr><th>Source</th><th>top-1 without</th><th>top-1 with</th><th>points</th><th>top-3 without</th><th>top-3 with</th><th>points</th></tr></thead><tbody>${rows}</tbody></table><p class="note">Accuracy at 6 digits of the same cases classified by the statistics alone and with the GRI and Note rules applied.</p></section>`;
}

/** Accuracy when a whole source is held out (the model learnt nothing from that kind of text). */
export function heldOutSection(report: EvalReport): string {
  if (!report.heldOutSources?.length) return '';
  const rows = report.heldOutSources
    .map(
      (s) =>
        `<tr><td>${escapeHtml(s.source)}</td><td class="num">${escapeHtml(formatCount(s.n))}</td><td class="num">${formatPercent(s.digits['2'].top1)}</td><td class="num">${formatPercent(
          s.digits['4'].top1,
        )}</td><td class="num">${formatPercent(s.digits['6'].top1)}</td><td class="num">${formatPercent(s.digits['6'].top3)}</td><td class="num">${formatPercent(s.review.okShare)}</td><td class="num">${formatPercent(
          s.review.okAccuracy,
        )}</td></tr>`,
    )
    .join('');
  return `<section><h2>Whole sources held out</h2><table><thead><tr><th>Source</th><th class="num">n</th><th>top-1 @2</th><th>top-1 @4</th><th>top-1 @6</th><th>top-3 @6</th><th>ok share</th><th>ok precision</th></tr></thead><tbody>${rows}</tbody></table><p class="note">Each source scored by a model trained on everything except that source: how the engine does on a kind of text it has not seen.</p></section>`;
}

/** US 10-digit lines: decided by stated attributes, else the likely line (rows whose HS 6 is right). */
export function nationalSection(report: EvalReport): string {
  const entries = Object.entries(report.national ?? {});
  if (!entries.length) return '';
  const share = (a: number, b: number) => (b ? formatPercent(a / b) : '–');
  const rows = entries
    .map(
      ([source, t]) =>
        `<tr><td>${escapeHtml(source)}</td><td class="num">${escapeHtml(formatCount(t.cases))}</td><td class="num">${escapeHtml(formatCount(t.hs6Right))}</td><td class="num">${share(t.decided, t.hs6Right)}</td><td class="num">${share(t.decidedRight, t.decided)}</td><td class="num">${share(t.likelyRight, t.undecided)}</td><td class="num">${share(t.decidedRight + t.likelyRight, t.hs6Right)}</td></tr>`,
    )
    .join('');
  return `<section><h2>US 10-digit lines</h2><table><thead><tr><th>Source</th><th class="num">cases</th><th class="num">HS 6 right</th><th>decided</th><th>decided right</th><th>likely right</th><th>10-digit top-1</th></tr></thead><tbody>${rows}</tbody></table><p class="note">Cases whose code is a current US 10-digit line, classified for country US. Of the rows whose HS 6 is right: the share where the stated attributes decided a line and how often it is right, how often the <code>likely</code> line of the others is right, and 10-digit top-1 counting the decided line, else the likely one.</p></section>`;
}

export function renderReport(report: EvalReport): string {
  const body = [header(report), summary(report), rulesEffect(report), heldOutSection(report), nationalSection(report), ...report.sources.map((s, i) => sourceSection(report, s, i))].join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>HS classifier evaluation \u2014 ${escapeHtml(report.generatedAt)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}
