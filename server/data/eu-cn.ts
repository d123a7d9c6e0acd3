import { z } from 'zod';
import type { HsTree, NationalLine } from '../types';
import { DataError } from './errors';
import { DATA_FILES, type FileLog, readDataJson, relativeName } from './files';

const codeRecord = (digits: number) =>
  z.object({
    code: z.string().regex(new RegExp(`^\\d{${digits}}$`), `code must be ${digits} digits`),
    name: z.string(),
  });
const cnCode = codeRecord(8).extend({ supplementaryUnit: z.string().nullable().optional() });

export interface EuCnStats {
  codes: number;
  /** 8-digit codes skipped because their HS 6 is not an HS 2022 subheading. */
  skippedNotInHs: number;
  /** Lines whose path fell back to the HS 2022 short text for the heading / subheading. */
  hsHeadingFallback: number;
  hsSubheadingFallback: number;
}

function parseRecords<T extends z.ZodType>(dir: string, rel: string, schema: T, log?: FileLog): z.infer<T>[] {
  const file = relativeName(dir, rel);
  const json = readDataJson(dir, rel, log);
  if (!Array.isArray(json)) throw new DataError(file, 'expected a JSON array of records');
  return json.map((item, i) => {
    const res = schema.safeParse(item);
    if (!res.success) {
      const issue = res.error.issues[0];
      const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
      const code = typeof (item as { code?: unknown })?.code === 'string' ? ` (code ${(item as { code: string }).code})` : '';
      throw new DataError(file, `record ${i + 1}${code}: ${where}${issue.message}`);
    }
    return res.data;
  });
}

function nameMap(dir: string, rel: string, digits: number, log?: FileLog): Map<string, string> {
  const file = relativeName(dir, rel);
  const map = new Map<string, string>();
  parseRecords(dir, rel, codeRecord(digits), log).forEach((r, i) => {
    if (map.has(r.code)) throw new DataError(file, `record ${i + 1}: duplicate code ${r.code}`);
    map.set(r.code, r.name.trim());
  });
  return map;
}

const norm = (s: string) => s.trim().replace(/[\s:.;]+$/, '').toLowerCase();

/**
 * Load the EU Combined Nomenclature 8-digit lines from nomenclature/eu-cn-2026/. Many CN names are just
 * "Other", so the path is rebuilt from the hierarchy: heading name (CN heading file), subheading name
 * (CN subheading file, else the HS 2022 subheading text; also when the CN subheading is named just "Other"),
 * then the code's own name; a part equal to the one before it (ignoring case and trailing punctuation) is dropped.
 *
 * Headings that the CN does not subdivide have no entry in the CN heading file: their text is then the CN
 * subheading "hhhh00" when present; when neither exists and the code is "hhhh0000", the code's own name is the
 * CN heading text and the path is just that name; otherwise the HS 2022 heading text is used.
 * (The data has no intermediate dash levels between the 6- and 8-digit codes, so those cannot be rebuilt.)
 */
export function loadEuCn(dir: string, hs: HsTree, log?: FileLog, stats?: Partial<EuCnStats>): NationalLine[] {
  const file = relativeName(dir, DATA_FILES.euCodes);
  const codes = parseRecords(dir, DATA_FILES.euCodes, cnCode, log);
  const headings = nameMap(dir, DATA_FILES.euHeadings, 4, log);
  const subheadings = nameMap(dir, DATA_FILES.euSubheadings, 6, log);

  const out: NationalLine[] = [];
  const seen = new Set<string>();
  let skippedNotInHs = 0;
  let hsHeadingFallback = 0;
  let hsSubheadingFallback = 0;
  codes.forEach((c, i) => {
    if (seen.has(c.code)) throw new DataError(file, `record ${i + 1}: duplicate code ${c.code}`);
    seen.add(c.code);
    const hs6 = c.code.slice(0, 6);
    const h4 = c.code.slice(0, 4);
    const sub = hs.nodes.get(hs6);
    if (!sub || sub.level !== 6) {
      skippedNotInHs++;
      return;
    }
    const own = c.name.trim();
    if (!own) throw new DataError(file, `record ${i + 1} (code ${c.code}): empty name`);

    let parts: string[];
    const cnHeading = headings.get(h4) ?? subheadings.get(`${h4}00`);
    const cnSub = subheadings.get(hs6);
    if (cnHeading === undefined && cnSub === undefined && c.code === `${h4}0000`) {
      parts = [own];
    } else {
      let heading = cnHeading;
      if (heading === undefined) {
        heading = hs.nodes.get(h4)?.description ?? sub.description;
        hsHeadingFallback++;
      }
      // A CN subheading named just "Other" (489 of them) says nothing without its dash-level parent, which the
      // data lacks: the self-contained HS 2022 subheading text is used instead.
      let subText = cnSub !== undefined && norm(cnSub) !== 'other' ? cnSub : undefined;
      if (subText === undefined) {
        subText = sub.description;
        hsSubheadingFallback++;
      }
      parts = [heading, subText, own];
    }
    const path: string[] = [];
    for (const p of parts) {
      const text = p.trim();
      if (text && (path.length === 0 || norm(path[path.length - 1]) !== norm(text))) path.push(text);
    }
    const unit = c.supplementaryUnit?.trim();
    out.push({
      country: 'EU',
      code: c.code,
      hs6,
      description: own,
      path,
      fullDescription: path.join(' > '),
      unit: unit ? unit : null,
      generalRate: null,
    });
  });
  if (stats) Object.assign(stats, { codes: codes.length, skippedNotInHs, hsHeadingFallback, hsSubheadingFallback });
  return out;
}
