import { z } from 'zod';
import type { Correlation, Example, ExampleSource, HsTree, UnmappedExample } from '../types';
import { DataError } from './errors';
import { DATA_FILES, type FileLog, readCsv, readDataJson, readDataText, relativeName } from './files';
import { loadMoreExamples, readJsonl } from './more-examples';

export interface ExampleStats {
  /** Examples kept, by source. */
  examples: Record<ExampleSource, number>;
  /** Examples that could not be placed in HS 2022, by source. */
  unmapped: Record<ExampleSource, number>;
  /** Rows skipped because their text is empty, by source. */
  emptyText: Record<ExampleSource, number>;
  /** Examples whose HS 6 came from the HS 2017 -> 2022 correlation, by source. */
  mapped: Record<ExampleSource, number>;
  /** CROSS codes repeating an HS 2022 subheading already taken from the same ruling (after mapping). */
  crossDuplicateHs6: number;
}

export const SOURCES: ExampleSource[] = ['uk-parcel', 'cross', 'atlas', 'uk-glossary', 'eu-bti', 'uk-atar', 'marketplace', 'uk-synthetic'];
const zeroes = (): Record<ExampleSource, number> =>
  Object.fromEntries(SOURCES.map((s) => [s, 0])) as Record<ExampleSource, number>;

/** Where an HS 6 goes in HS 2022: itself, or the single HS 2022 subheading an HS 2017 code maps to. */
type Placement = { hs6: string; mappedFrom?: string } | { reason: string };

/**
 * Place a source HS 6 in HS 2022. Codes that are not HS 2022 subheadings are mapped through the
 * HS 2017 -> HS 2022 correlation when they map to exactly one subheading.
 */
export function placeHs6(hs6: string, hs: HsTree, corr: Correlation): Placement {
  const node = hs.nodes.get(hs6);
  if (node && node.level === 6) return { hs6 };
  const chapter = hs6.slice(0, 2);
  if (chapter === '98' || chapter === '99') {
    return { reason: `${hs6} is a US chapter ${chapter} special provision, not an HS subheading` };
  }
  const targets = corr.from2017.get(hs6);
  if (!targets) return { reason: `HS 6 ${hs6} is neither an HS 2022 nor an HS 2017 subheading` };
  const valid = targets.filter((t) => hs.nodes.get(t)?.level === 6);
  if (valid.length === 1) return { hs6: valid[0], mappedFrom: hs6 };
  if (valid.length === 0) return { reason: `HS 2017 ${hs6} maps to no HS 2022 subheading` };
  return { reason: `HS 2017 ${hs6} maps to ${valid.length} HS 2022 subheadings (${valid.join(', ')})` };
}

/**
 * The ruling number as it is usually cited. Looking at the data:
 * - "N" + 6 digits (N271132): New York rulings since 2007 -> "NY N271132";
 * - one letter A-M or R + 5 digits (K87789, R01292): New York rulings of 1995-2007 -> "NY K87789";
 * - 6 digits starting with 8 (818029, 867319): New York rulings of 1989-1996 -> "NY 818029";
 * - other 6 digits (089319, 55xxxx, 95xxxx, 96xxxx): Headquarters rulings -> "HQ 964515";
 * - "H" or "W" + 6 digits (H308209, W968038): Headquarters rulings since 2005 -> "HQ H308209".
 * Anything else is kept as given.
 */
export function citeRuling(ruling: string): string {
  const r = ruling.trim();
  if (/^N\d{6}$/.test(r) || /^[A-MR]\d{5}$/.test(r) || /^8\d{5}$/.test(r)) return `NY ${r}`;
  if (/^\d{6}$/.test(r) || /^[HW]\d{6}$/.test(r)) return `HQ ${r}`;
  return r;
}

const digitsOnly = (code: string) => code.replace(/[\s.]/g, '');

const crossRecord = z.object({
  ruling: z.string().min(1),
  date: z.string().nullable().optional(),
  description: z.string().nullable(),
  hts_codes: z.array(z.string()),
  facts: z.string().nullable().optional(),
});

const glossary = z.record(z.string(), z.string());

/**
 * Load the labelled examples (UK parcel descriptions, CROSS rulings, ATLAS validation, UK search glossary,
 * EU BTI, UK ATaR, marketplace listings, synthetic paraphrases).
 * Examples whose code cannot be placed in HS 2022 go to `unmapped` with the reason; rows with empty text are
 * skipped and counted in `stats.emptyText`.
 */
export function loadExamples(
  dir: string,
  hs: HsTree,
  corr: Correlation,
  log?: FileLog,
  stats?: Partial<ExampleStats>,
): { examples: Example[]; unmapped: UnmappedExample[] } {
  const examples: Example[] = [];
  const unmapped: UnmappedExample[] = [];
  const st: ExampleStats = {
    examples: zeroes(),
    unmapped: zeroes(),
    emptyText: zeroes(),
    mapped: zeroes(),
    crossDuplicateHs6: 0,
  };
  const keep = (e: Example) => {
    examples.push(e);
    st.examples[e.source]++;
    if (e.mappedFrom) st.mapped[e.source]++;
  };
  const drop = (u: UnmappedExample) => {
    unmapped.push(u);
    st.unmapped[u.source]++;
  };
  /** Add an example for a code whose HS 6 is `hs6`, mapping it through the correlation when needed. */
  const place = (base: Omit<Example, 'hs6'>, hs6: string) => {
    const p = placeHs6(hs6, hs, corr);
    if ('reason' in p) drop({ id: base.id, source: base.source, text: base.text, code: base.code, reason: p.reason });
    else keep({ ...base, hs6: p.hs6, ...(p.mappedFrom ? { mappedFrom: p.mappedFrom } : {}) });
  };

  // UK parcel descriptions: `description,code`, code 8 or 10 digits (a 7-digit code lost its leading zero).
  {
    readCsv(dir, DATA_FILES.ukParcel, ['description', 'code'], log).forEach(({ values }, i) => {
      const id = `uk-parcel:${i + 1}`;
      const text = values.description.trim();
      if (!text) {
        st.emptyText['uk-parcel']++;
        return;
      }
      let code = digitsOnly(values.code.trim());
      if (!/^\d{7,10}$/.test(code)) {
        drop({ id, source: 'uk-parcel', text, code: values.code.trim(), reason: `code "${values.code.trim()}" is not 7-10 digits` });
        return;
      }
      if (code.length === 7) {
        const padded = `0${code}`;
        if (hs.nodes.get(padded.slice(0, 6))?.level !== 6) {
          drop({ id, source: 'uk-parcel', text, code, reason: `7-digit code ${code} padded to ${padded} is not an HS 2022 subheading` });
          return;
        }
        code = padded;
      }
      place({ id, source: 'uk-parcel', text, code }, code.slice(0, 6));
    });
  }

  // CROSS rulings: one example per distinct HS 6 among a ruling's codes.
  {
    for (const { value: r } of readJsonl(dir, DATA_FILES.cross, crossRecord, log)) {
      const ruling = r.ruling.trim();
      const text = (r.description ?? '').trim();
      if (!text) {
        st.emptyText.cross++;
        continue;
      }
      const facts = r.facts?.trim();
      const date = r.date?.trim();
      // Distinct source HS 6 in order of first appearance, with the first full code for each.
      const groups = new Map<string, string>();
      const bad: string[] = [];
      for (const c of r.hts_codes) {
        const code = digitsOnly(c);
        if (!/^\d{6,10}$/.test(code)) bad.push(c);
        else if (!groups.has(code.slice(0, 6))) groups.set(code.slice(0, 6), code);
      }
      const used = new Set<string>();
      let k = 0;
      for (const [hs6, code] of groups) {
        const id = `cross:${ruling}:${k++}`;
        const base = {
          id,
          source: 'cross' as const,
          text,
          ...(facts ? { detail: facts } : {}),
          code,
          ruling: citeRuling(ruling),
          ...(date ? { date } : {}),
        };
        const p = placeHs6(hs6, hs, corr);
        if ('reason' in p) {
          drop({ id, source: 'cross', text, code, reason: p.reason });
        } else if (used.has(p.hs6)) {
          st.crossDuplicateHs6++;
        } else {
          used.add(p.hs6);
          keep({ ...base, hs6: p.hs6, ...(p.mappedFrom ? { mappedFrom: p.mappedFrom } : {}) });
        }
      }
      for (const c of bad) {
        drop({ id: `cross:${ruling}:${k++}`, source: 'cross', text, code: c, reason: `code "${c}" is not 6-10 digits` });
      }
    }
  }

  // ATLAS validation split: hs6 column, code = hts_primary_digits.
  {
    const file = relativeName(dir, DATA_FILES.atlas);
    const seen = new Set<string>();
    for (const { line, values } of readCsv(dir, DATA_FILES.atlas, ['id', 'description', 'hts_primary_digits', 'hs6'], log)) {
      const rawId = values.id.trim();
      if (!rawId) throw new DataError(file, `line ${line}: empty id`);
      if (seen.has(rawId)) throw new DataError(file, `line ${line}: duplicate id ${rawId}`);
      seen.add(rawId);
      const id = `atlas:${rawId}`;
      const text = values.description.trim();
      if (!text) {
        st.emptyText.atlas++;
        continue;
      }
      const hs6 = values.hs6.trim();
      const code = digitsOnly(values.hts_primary_digits.trim()) || hs6;
      if (!/^\d{6}$/.test(hs6)) {
        drop({ id, source: 'atlas', text, code, reason: `hs6 "${hs6}" is not 6 digits` });
        continue;
      }
      place({ id, source: 'atlas', text, code }, hs6);
    }
  }

  // UK search glossary: { term: 10-digit code }.
  {
    const file = relativeName(dir, DATA_FILES.ukGlossary);
    const res = glossary.safeParse(readDataJson(dir, DATA_FILES.ukGlossary, log));
    if (!res.success) {
      const issue = res.error.issues[0];
      throw new DataError(file, `${issue.path.length ? `term "${issue.path.join('.')}": ` : ''}${issue.message}`);
    }
    for (const [term, rawCode] of Object.entries(res.data)) {
      const id = `uk-glossary:${term}`;
      const text = term.trim();
      if (!text) {
        st.emptyText['uk-glossary']++;
        continue;
      }
      const code = digitsOnly(rawCode.trim());
      if (!/^\d{6,10}$/.test(code)) {
        drop({ id, source: 'uk-glossary', text, code: rawCode, reason: `code "${rawCode}" is not 6-10 digits` });
        continue;
      }
      place({ id, source: 'uk-glossary', text, code }, code.slice(0, 6));
    }
  }

  // EU BTI, UK ATaR, marketplace listings, synthetic paraphrases.
  loadMoreExamples(dir, place, (s) => st.emptyText[s]++, log);

  if (stats) Object.assign(stats, st);
  return { examples, unmapped };
}
