// The task pane: thin wiring of the page to excel.ts (Excel I/O), api.ts (the service) and runner.ts (chunks,
// cancel, retry). Inside Excel it classifies the selection; in a plain browser (no Office host) the same page
// classifies one description and shows the candidates, the reasoning chain, examples and rulings.
import { classifyChunk, ServiceError, type ClientOptions } from './api';
import { getSelectionInfo, readSelection, selectRows, type SelectionInfo, type WriteMode } from './excel';
import { ClassifyRun, type ExcelRunner, type RunProgress } from './runner';
import type { Candidate, Country, ResultRow } from './types';
import { fixedOrigin, type OriginOption } from './origin';
import { addRun, markSent, planCorrections, type WrittenBlock } from './corrections';
import { sendPlans, sentLine, tally, type Plan, type SendOutcome } from './feedback';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el as T;
};
const show = (id: string, on: boolean) => $(id).toggleAttribute('hidden', !on);
const fmt = (n: number) => n.toLocaleString('en-US');
/** Sent rows listed one by one after Send corrections (the rest are counted). */
const SENT_LISTED = 50;
const pct = (c: number) => `${(c * 100).toFixed(1)}%`;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function clientOptions(): ClientOptions {
  const key = ($<HTMLInputElement>('api-key').value || $<HTMLInputElement>('api-key-web').value).trim();
  return key ? { apiKey: key } : {};
}

function countryOf(select: HTMLSelectElement): Country | undefined {
  return select.value === 'US' || select.value === 'EU' ? select.value : undefined;
}

/** The origin option of the pane (checked when the selection is read). */
function originOption(): OriginOption {
  if ($<HTMLInputElement>('origin-fixed').checked) return { kind: 'fixed', country: $<HTMLInputElement>('opt-origin').value };
  if ($<HTMLInputElement>('origin-column').checked) return { kind: 'column', column: $<HTMLInputElement>('opt-origin-column').value.trim() };
  return { kind: 'none' };
}

function errorText(e: unknown): string {
  if (e instanceof ServiceError) return e.message;
  const m = (e as { message?: string })?.message;
  return m ? `Excel: ${m}` : String(e);
}

// ------------------------------------------------------------------------------------------------ Excel mode

function startExcel(): void {
  document.body.dataset.mode = 'excel';
  show('excel-mode', true);
  show('web-mode', false);
  const excelRun: ExcelRunner = (fn) => Excel.run(fn);
  let sel: SelectionInfo | null = null;
  let run: ClassifyRun | null = null;
  let abort: AbortController | null = null;
  let busy = false;
  /** What the runs of this pane wrote, for Send corrections. */
  const writtenBlocks: WrittenBlock[] = [];

  const header = $<HTMLInputElement>('opt-header');
  const idColumn = $<HTMLInputElement>('opt-id-column');
  const country = $<HTMLSelectElement>('opt-country');
  const classifyBtn = $<HTMLButtonElement>('classify');

  const describeSelection = () => {
    if (!sel) {
      $('sel-address').textContent = '—';
      $('sel-rows').textContent = '';
      return;
    }
    const data = sel.rowCount - (header.checked ? 1 : 0);
    $('sel-address').textContent = sel.address;
    $('sel-rows').textContent = `${fmt(Math.max(0, data))} row${data === 1 ? '' : 's'}${header.checked ? ' + header' : ''}`;
    classifyBtn.disabled = busy || data < 1;
  };
  const refresh = async () => {
    try {
      sel = await excelRun((ctx) => getSelectionInfo(ctx));
    } catch (e) {
      sel = null;
      message('error', `Cannot read the selection: ${errorText(e)}`);
    }
    describeSelection();
  };
  header.addEventListener('change', describeSelection);
  $('opt-origin').addEventListener('input', () => ($<HTMLInputElement>('origin-fixed').checked = true));
  $('opt-origin-column').addEventListener('input', () => ($<HTMLInputElement>('origin-column').checked = true));
  $('refresh').addEventListener('click', () => void refresh());
  void excelRun(async (ctx) => {
    ctx.workbook.onSelectionChanged.add(async () => {
      if (!busy) await refresh();
    });
    await ctx.sync();
  }).catch(() => undefined);
  void refresh();

  const message = (kind: 'error' | 'info' | '', text: string, action?: string) => {
    const box = $('message');
    box.className = `message ${kind}`;
    $('message-text').textContent = text;
    show('message', kind !== '');
    const b = $<HTMLButtonElement>('retry');
    b.textContent = action ?? 'Retry';
    show('retry', !!action);
  };

  const setBusy = (on: boolean) => {
    busy = on;
    classifyBtn.disabled = on;
    for (const id of ['opt-header', 'opt-id-column', 'opt-country', 'mode-blanks', 'mode-overwrite', 'origin-none', 'origin-fixed', 'origin-column', 'opt-origin', 'opt-origin-column']) {
      $<HTMLInputElement>(id).disabled = on;
    }
    $<HTMLButtonElement>('send-corrections').disabled = on;
    show('progress', on);
    if (!on) describeSelection();
  };

  const onProgress = (p: RunProgress) => {
    const frac = p.total ? p.done / p.total : 1;
    $('progress-fill').style.width = `${(frac * 100).toFixed(1)}%`;
    $('progress-bar').setAttribute('aria-valuenow', String(Math.round(frac * 100)));
    $('progress-text').textContent = `${fmt(p.done)} of ${fmt(p.total)} rows`;
  };

  const summary = (p: RunProgress) => {
    for (const k of ['ok', 'review', 'error'] as const) {
      $(`sum-${k}`).textContent = fmt(p[k]);
      $(`sum-${k}`).parentElement!.classList.toggle('zero', p[k] === 0);
    }
    $('sum-note').textContent =
      `${fmt(p.done)} of ${fmt(p.total)} rows classified` +
      (p.skipped ? `; ${fmt(p.skipped)} already filled left alone` : '') +
      `; ${p.requestIds.length} request${p.requestIds.length === 1 ? '' : 's'} in the audit trail.`;
    const n = run ? run.needsReview.length : 0;
    const b = $<HTMLButtonElement>('select-review');
    b.textContent = `Select ${fmt(n)} row${n === 1 ? '' : 's'} needing review`;
    b.disabled = n === 0;
    show('summary', true);
    if (run) addRun(writtenBlocks, { sheet: run.data.sheet, outColumn: run.data.outColumn, written: run.written });
    show('corrections', writtenBlocks.some((w) => w.written.size > 0));
  };

  const reportCorrections = (plans: Plan[], outcomes: SendOutcome[]) => {
    const t = tally(plans, outcomes);
    const sent = t.corrections + t.confirmations;
    const parts = [
      sent
        ? `Sent ${fmt(t.corrections)} correction${t.corrections === 1 ? '' : 's'} and ${fmt(t.confirmations)} confirmation${t.confirmations === 1 ? '' : 's'}`
        : 'Nothing sent',
    ];
    if (t.refused) parts.push(`${fmt(t.refused)} refused by the service`);
    if (t.problems) parts.push(`${fmt(t.problems)} not sent (see below)`);
    if (!sent && !t.refused && !t.problems) parts.push('no HS code 1 differs from what was written and no row is marked confirmed');
    $('corrections-result').textContent = `${parts.join('; ')}.`;
    show('corrections-result', true);
    // what was sent, row by row (the first SENT_LISTED)
    const sentList = $('corrections-sent');
    sentList.replaceChildren();
    const ok = outcomes.filter((o) => o.answer);
    for (const o of ok.slice(0, SENT_LISTED)) sentList.append(el('li', '', sentLine(o)));
    if (ok.length > SENT_LISTED) sentList.append(el('li', '', `... and ${fmt(ok.length - SENT_LISTED)} more`));
    show('corrections-sent', ok.length > 0);
    const ul = $('corrections-problems');
    ul.replaceChildren();
    for (const o of outcomes) if (o.error) ul.append(el('li', '', `${o.plan.where} (${o.plan.item.code}): ${o.error}`));
    for (const p of plans) if (p.kind === 'problem') ul.append(el('li', '', `${p.where}: ${p.message}`));
    show('corrections-problems', ul.childElementCount > 0);
  };

  const go = async () => {
    if (!run) return;
    abort = new AbortController();
    setBusy(true);
    message('', '');
    onProgress(run.progress);
    try {
      const outcome = await run.continue(onProgress, abort.signal);
      summary(run.progress);
      if (outcome === 'cancelled') {
        message('info', `Cancelled after ${fmt(run.progress.done)} of ${fmt(run.progress.total)} rows. The rows written stay.`, 'Resume');
      } else if (run.progress.total === 0) {
        message('info', 'Every selected row already has results: choose "Overwrite" to classify them again.');
      }
    } catch (e) {
      summary(run.progress);
      message('error', `${errorText(e)}. The ${fmt(run.progress.done)} rows written stay; Retry continues from the next one.`, 'Retry');
    } finally {
      abort = null;
      setBusy(false);
    }
  };

  const start = async () => {
    message('', '');
    show('summary', false);
    show('confirm', false);
    const mode: WriteMode = $<HTMLInputElement>('mode-overwrite').checked ? 'overwrite' : 'blanks';
    const origin = originOption();
    if (origin.kind === 'column' && !origin.column) {
      message('error', 'Origin from column: type the letter of the column with the countries of origin (e.g. C).');
      return;
    }
    if (origin.kind === 'fixed') {
      try {
        fixedOrigin(origin.country);
      } catch (e) {
        message('error', (e as Error).message);
        return;
      }
    }
    if (origin.kind !== 'none' && countryOf(country) !== 'US') {
      message('error', 'A country of origin adds the US duties of each US line: choose "US HTS 10 digits" under Codes.');
      return;
    }
    let data;
    try {
      data = await excelRun((ctx) => readSelection(ctx, { header: header.checked, idColumn: idColumn.value.trim() || null, origin }));
    } catch (e) {
      message('error', `Cannot read the selection: ${errorText(e)}`);
      return;
    }
    sel = data;
    describeSelection();
    if (data.rows.length === 0) {
      message('error', 'The selection has no rows to classify.');
      return;
    }
    run = new ClassifyRun(excelRun, data, { country: countryOf(country), mode, client: clientOptions() });
    if (mode === 'overwrite' && (data.nonEmptyCells > 0 || (data.header && !data.headerBlank))) {
      $('confirm-text').textContent =
        `${fmt(data.nonEmptyCells)} cell${data.nonEmptyCells === 1 ? '' : 's'} in the ${data.width} columns beside the selection ` +
        `${data.nonEmptyCells === 1 ? 'is' : 'are'} not empty${data.header && !data.headerBlank ? ' (and the header row)' : ''}. Overwrite them?`;
      show('confirm', true);
      return;
    }
    await go();
  };

  classifyBtn.addEventListener('click', () => void start());
  $('confirm-yes').addEventListener('click', () => {
    show('confirm', false);
    void go();
  });
  $('confirm-no').addEventListener('click', () => {
    show('confirm', false);
    run = null;
  });
  $('cancel').addEventListener('click', () => abort?.abort());
  $('retry').addEventListener('click', () => void go());
  $('send-corrections').addEventListener('click', async () => {
    const btn = $<HTMLButtonElement>('send-corrections');
    btn.disabled = true;
    try {
      const plans: Plan[] = [];
      for (const b of writtenBlocks) plans.push(...(await excelRun((ctx) => planCorrections(ctx, b))));
      const outcomes = await sendPlans(plans, clientOptions());
      for (const b of writtenBlocks) markSent(b, outcomes);
      reportCorrections(plans, outcomes);
    } catch (e) {
      $('corrections-result').textContent = `Cannot read the corrections: ${errorText(e)}`;
      show('corrections-result', true);
    } finally {
      btn.disabled = false;
    }
  });
  $('select-review').addEventListener('click', async () => {
    if (!run) return;
    try {
      await excelRun((ctx) => selectRows(ctx, run!.data, run!.needsReview));
    } catch (e) {
      message('error', `Cannot select the rows: ${errorText(e)}`);
    }
  });
}

// ------------------------------------------------------------------------------------------------ Web mode

function candidateCard(c: Candidate, rank: number): HTMLElement {
  const card = el('article', 'card candidate');
  const head = el('div', 'cand-head');
  head.append(el('span', 'rank', String(rank)), el('span', 'code', c.code || c.hs6), el('span', 'conf', pct(c.confidence)));
  const bar = el('div', 'conf-bar');
  const fill = el('div', 'conf-fill');
  fill.style.width = `${Math.max(0, Math.min(1, c.confidence)) * 100}%`;
  bar.append(fill);
  card.append(head, bar, el('p', 'desc', c.description));
  if (c.nationalDescription) card.append(el('p', 'national', `${c.code}: ${c.nationalDescription}${c.generalRate ? ` (general rate ${c.generalRate})` : ''}`));
  if (c.missingDetail) card.append(el('p', 'muted', c.missingDetail));
  if (c.likely) card.append(el('p', 'likely', `Likely ${c.likely.code}: ${c.likely.basis}`));
  if (c.questions?.length) {
    card.append(el('h4', '', 'To decide'));
    const ul = el('ul', 'questions');
    for (const q of c.questions) ul.append(el('li', '', q));
    card.append(ul);
  }
  if (c.examples.length) {
    card.append(el('h4', '', 'Supporting examples'));
    const ul = el('ul', 'examples');
    for (const x of c.examples) {
      const li = el('li');
      li.append(el('span', '', `“${x.text}”`), el('span', 'muted', ` ${x.code}, ${x.source}${x.ruling ? ` ${x.ruling}` : ''} · similarity ${x.similarity.toFixed(2)}`));
      ul.append(li);
    }
    card.append(ul);
  }
  if (c.rulings?.length) {
    card.append(el('h4', '', 'Rulings'));
    const ul = el('ul', 'rulings');
    for (const r of c.rulings) ul.append(el('li', '', `${r.ruling}${r.date ? ` (${r.date})` : ''}: ${r.code}${r.subject ? `, ${r.subject}` : ''}${r.stale ? ' [code no longer current]' : ''}`));
    card.append(ul);
  }
  return card;
}

function renderResult(row: ResultRow, requestId: string): void {
  const out = $('web-result');
  out.replaceChildren();
  const status = el('div', `status-line status-${row.status}`);
  status.append(el('span', `badge ${row.status}`, row.status), el('span', 'muted', ` request ${requestId}`));
  out.append(status);
  if (row.status === 'error') {
    out.append(el('p', 'message error', row.error ?? 'error'));
    return;
  }
  row.candidates.slice(0, 3).forEach((c, i) => out.append(candidateCard(c, i + 1)));
  if (row.reasoning) {
    const sec = el('section', 'card reasoning');
    sec.append(el('h3', '', 'Reasoning'), el('p', 'summary', row.reasoning.summary));
    const ol = el('ol', 'steps');
    for (const s of row.reasoning.steps) {
      const li = el('li');
      li.append(el('strong', '', `${s.gri} · ${s.action} ${s.codes.join(', ')}`), el('div', 'muted', s.citation), el('div', '', s.detail));
      ol.append(li);
    }
    if (row.reasoning.steps.length) sec.append(ol);
    if (row.reasoning.rulings.length) sec.append(el('p', 'muted', `Precedents: ${row.reasoning.rulings.map((r) => `${r.ruling} (${r.code})`).join('; ')}`));
    out.append(sec);
  }
}

function startWeb(): void {
  document.body.dataset.mode = 'web';
  show('excel-mode', false);
  show('web-mode', true);
  const btn = $<HTMLButtonElement>('web-classify');
  const text = $<HTMLTextAreaElement>('web-text');
  const submit = async () => {
    const d = text.value.trim();
    if (!d) {
      text.focus();
      return;
    }
    btn.disabled = true;
    $('web-error').textContent = '';
    show('web-error', false);
    try {
      const res = await classifyChunk([{ description: d }], countryOf($<HTMLSelectElement>('web-country')), clientOptions());
      renderResult(res.rows[0], res.request_id);
    } catch (e) {
      $('web-error').textContent = errorText(e);
      show('web-error', true);
    } finally {
      btn.disabled = false;
    }
  };
  btn.addEventListener('click', () => void submit());
  text.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void submit();
  });
}

// ------------------------------------------------------------------------------------------------ start

function boot(): void {
  if (typeof Office === 'undefined' || typeof Office.onReady !== 'function') {
    startWeb();
    return;
  }
  let started = false;
  const once = (f: () => void) => {
    if (!started) {
      started = true;
      f();
    }
  };
  // Outside Office, office.js reports no host; if it never answers (blocked), fall back to the web page.
  const fallback = setTimeout(() => once(startWeb), 5000);
  Office.onReady((info) => {
    clearTimeout(fallback);
    once(info.host === Office.HostType.Excel ? startExcel : startWeb);
  });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
else boot();
