// Loaders for the labelled sources beyond the first four: EU BTI rulings, UK Advance Tariff Rulings,
// online-marketplace listings and HMRC's synthetic paraphrases. Each record becomes one Example whose HS 6
// is the first six digits of its (EU/UK CN or US HTS) code; a record that cannot be read is a DataError
// naming the file and line, a code that is not an HS 2022 subheading goes to `unmapped` with the reason.
import { z } from 'zod';
import type { Example, ExampleSource } from '../types';
import { DataError } from './errors';
import { DATA_FILES, type FileLog, readDataText, relativeName } from './files';

/** Parse a JSONL data file, validating each record; blank lines are skipped. */
export function readJsonl<T>(dir: string, rel: string, schema: z.ZodType<T>, log?: FileLog): { line: number; value: T }[] {
  const file = relativeName(dir, rel);
  const out: { line: number; value: T }[] = [];
  readDataText(dir, rel, log)
    .split(/\r?\n/)
    .forEach((raw, i) => {
      if (!raw.trim()) return;
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch (err) {
        throw new DataError(file, `line ${i + 1}: invalid JSON (${(err as Error).message})`);
      }
      const res = schema.safeParse(json);
      if (!res.success) {
        const issue = res.error.issues[0];
        throw new DataError(file, `line ${i + 1}: ${issue.path.join('.') || 'record'}: ${issue.message}`);
      }
      out.push({ line: i + 1, value: res.data });
    });
  return out;
}

const code = z.string().regex(/^\s*[\d.\s]{6,14}\s*$/, 'expected a commodity code of 6-10 digits');
const bti = z.object({ ref: z.string().min(1), description: z.string(), cn_code: code });
const atar = z.object({ ref: z.string().min(1), date: z.string().nullable().optional(), description: z.string(), facts: z.string().nullable().optional(), commodity_code: code });
const listing = z.object({
  id: z.string().min(1),
  product_name: z.string(),
  category: z.array(z.string()),
  attributes: z.record(z.string(), z.string()),
  hs_code: code,
});
const synthetic = z.object({
  description: z.string(),
  commodity_code: code,
  synthetic: z.literal(true),
  colloquial_terms: z.array(z.string()).default([]),
  synonyms: z.array(z.string()).default([]),
  official_description: z.string().nullable().optional(),
});

/** Seller attributes that say what the goods are (the rest are brand, packaging, logistics). */
const LISTING_ATTRIBUTES = /^(material|metals type|fabric type|item type|type|gender|craft of weaving|main material|upper material|sole material|outsole material|lining material|shell material|filling|power source|use|application|department name|fine or fashion|style)$/i;

/**
 * A marketplace listing as one description: the title, the category path (most specific last) and the seller
 * attributes that describe the goods ("Material: Metal; Metals Type: Zinc Alloy").
 */
export function listingText(r: { product_name: string; category: string[]; attributes: Record<string, string> }): string {
  const attrs = Object.entries(r.attributes)
    .filter(([k, v]) => LISTING_ATTRIBUTES.test(k.trim()) && v.trim() && !/^(none|no|other)$/i.test(v.trim()))
    .map(([k, v]) => `${k.trim()}: ${v.trim()}`);
  return [r.product_name.trim(), r.category.join(' > '), ...attrs].filter(Boolean).join('; ');
}

export type Placer = (base: Omit<Example, 'hs6'>, hs6: string) => void;

const digits = (c: string) => c.replace(/[\s.]/g, '');

/** Loads the four sources, handing each record to `place` (which maps or drops its HS 6) or to `empty`. */
export function loadMoreExamples(dir: string, place: Placer, empty: (s: ExampleSource) => void, log?: FileLog): void {
  const add = (source: ExampleSource, id: string, text: string, rawCode: string, extra: Partial<Example> = {}) => {
    const t = text.replace(/\s+/g, ' ').trim();
    if (!t) return empty(source);
    const c = digits(rawCode);
    place({ id, source, text: t, code: c, ...extra }, c.slice(0, 6));
  };
  for (const { value: r } of readJsonl(dir, DATA_FILES.euBti, bti, log)) add('eu-bti', `eu-bti:${r.ref}`, r.description, r.cn_code);
  for (const { value: r } of readJsonl(dir, DATA_FILES.ukAtar, atar, log)) {
    const facts = r.facts?.replace(/\s+/g, ' ').trim();
    add('uk-atar', `uk-atar:${r.ref}`, r.description, r.commodity_code, {
      ...(facts ? { detail: facts } : {}),
      ...(r.date?.trim() ? { date: r.date.trim() } : {}),
    });
  }
  for (const { value: r } of readJsonl(dir, DATA_FILES.marketplace, listing, log)) add('marketplace', `marketplace:${r.id}`, listingText(r), r.hs_code);
  for (const { line, value: r } of readJsonl(dir, DATA_FILES.ukSynthetic, synthetic, log)) {
    const words = [...r.colloquial_terms, ...r.synonyms].map((s) => s.trim()).filter(Boolean);
    add('uk-synthetic', `uk-synthetic:${line}`, r.description, r.commodity_code, words.length ? { detail: words.join('; ') } : {});
  }
}
