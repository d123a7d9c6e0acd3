// Applies the duty stack to classification results, after the engine: every candidate that is a US 10-digit line
// gets `duties` for the row's origin and entry date. Also the spreadsheet cells (a total and a one-line list) and
// the signature reclassify compares.
import type { DutyData } from './load';
import { checkDate, dutyStack, type DutyStack } from './stack';
import { dutyLine, dutyTotal } from '../../addin/columns';
export { checkOrigin, DutyInputError } from './stack';
// The cells are formatted in addin/columns.ts, so the add-in writes the same text as the CLI and review.
export { dutyTotal, dutyLine };

export interface DutyOptions {
  origin: string;
  /** Entry date (YYYY-MM-DD); default today. */
  date?: string;
  steel_pour_country?: string;
  aluminum_smelt_country?: string;
}

interface RowLike {
  status: string;
  candidates: Array<{ code: string; duties?: DutyStack }>;
  error?: string;
  [k: string]: unknown;
}

/**
 * Returns the row with `origin`, `entry_date` and, on each candidate that is a US 10-digit line, `duties`.
 * Candidates that are not 10-digit lines (HS 6 only, or EU lines) are left as they are. Error rows are unchanged.
 */
export function addDuties<R extends RowLike>(d: DutyData, row: R, o: DutyOptions): R {
  if (row.status === 'error') return row;
  const date = checkDate(o.date);
  const candidates = row.candidates.map((c) => {
    if (!/^\d{10}$/.test(c.code) || !d.schedule.has(c.code)) return c;
    return { ...c, duties: dutyStack(d, { code: c.code, origin: o.origin, date, steel_pour_country: o.steel_pour_country, aluminum_smelt_country: o.aluminum_smelt_country }) };
  });
  return { ...row, origin: o.origin, entry_date: date, candidates };
}

/** What reclassify compares: for each candidate, its duty parts (kind, heading, rate) and the conditional ones. */
export function dutiesSignature(row: RowLike): string {
  return JSON.stringify(
    row.candidates.map((c) => (c.duties ? [c.duties.duties.map((x) => [x.kind, x.heading, x.rate]), c.duties.may_apply.map((m) => [m.heading, m.rate, m.effect])] : null)),
  );
}

/** The two duty columns of the flat CSV/XLSX output and of the reviewed workbook: the total (as a percentage) and the parts. */
export const DUTY_COLUMNS = [
  { name: 'duty_total', value: dutyTotal, numFmt: '0.0%', width: 11 },
  { name: 'duties', value: dutyLine, width: 80 },
];
