// The result columns written beside the descriptions: shared by the add-in (addin/excel.ts) and the
// workbook review (server/review/run.ts), so both give analysts the same columns. No Office or Node code.

/** The columns, in order. */
export const RESULT_COLUMNS = [
  'HS code 1',
  'Confidence 1',
  'HS code 2',
  'Confidence 2',
  'HS code 3',
  'Confidence 3',
  'Reasoning',
  'Status',
  'Request id',
] as const;
/** Number formats of those columns: codes and text as text ('@', leading zeros kept), confidences as percentages. */
export const RESULT_FORMATS = ['@', '0.0%', '@', '0.0%', '@', '0.0%', '@', '@', '@'] as const;

/** Offsets (0-based) within RESULT_COLUMNS of the cells read back for corrections. */
export const CODE_AT = 0;
export const STATUS_AT = 7;
export const REQUEST_AT = 8;

/**
 * The request id cell holds `request id#row`: the request the row was recorded in and its 1-based row number within
 * that request, which is what POST /api/v1/feedback needs. A request id never contains '#' (see REQUEST_ID_RE).
 */
export function requestCell(requestId: string, row: number): string {
  return `${requestId}#${row}`;
}

/** The request id and row of a request id cell, or null when the cell is not `id#row`. */
export function parseRequestCell(v: unknown): { requestId: string; row: number } | null {
  if (typeof v !== 'string') return null;
  const m = /^'?([A-Za-z0-9_-]{8,64})#([1-9]\d{0,5})$/.exec(v.trim());
  return m ? { requestId: m[1], row: Number(m[2]) } : null;
}

/** Appended after RESULT_COLUMNS when the rows have a country of origin (US lines): the duty total and the parts. */
export const DUTY_RESULT_COLUMNS = ['Duty total', 'Duties'] as const;
export const DUTY_RESULT_FORMATS = ['0.0%', '@'] as const;

/** The parts of a duty stack (server/duties/stack.ts) the cells show. */
export interface DutyStackCells {
  origin: string;
  date: string;
  duties: Array<{ kind: string; heading: string; rate: string; as_of: { revision: string; effective: string | null } }>;
  total_ad_valorem: number | null;
  total_note?: string | null;
  may_apply: Array<{ heading: string; rate: string; condition: string }>;
}

interface RowWithDuties {
  candidates: readonly unknown[];
  /** The country of origin the duties were asked for (absent when the row has none). */
  origin?: unknown;
}

const stackOf = (row: RowWithDuties): DutyStackCells | undefined => (row.candidates[0] as { duties?: DutyStackCells } | undefined)?.duties;

/** The first candidate's total ad valorem duty as a fraction (0.34 for 34%), or null when there is none or it cannot be summed. */
export function dutyTotal(row: RowWithDuties): number | null {
  const s = stackOf(row);
  return s && s.total_ad_valorem !== null ? Math.round(s.total_ad_valorem * 100) / 10000 : null;
}

/** Longest text written into one spreadsheet cell (Excel's limit is 32,767 characters). */
const CELL_MAX = 32_000;

/**
 * The first candidate's duty stack on one line: the parts, the conditional ones, what is not covered, the as-of. When
 * the row has an origin but its first candidate is not a US 10-digit line (the national line is undecided: HS 6 and
 * the likely line), why there are no duties.
 */
export function dutyLine(row: RowWithDuties): string {
  const s = stackOf(row);
  if (!s) {
    const top = row.candidates[0] as { code?: unknown; likely?: { code?: unknown } } | undefined;
    if (!top || typeof row.origin !== 'string' || typeof top.code !== 'string') return '';
    const likely = typeof top.likely?.code === 'string' ? `; the likely line ${top.likely.code} is not decided` : '';
    return `${row.origin}: no duties, HS code 1 ${top.code} is not a US 10-digit line${likely}`;
  }
  const parts = s.duties.map((x) => `${x.kind} ${x.rate}${x.kind === 'general' || x.kind === 'special' || x.kind === 'column2' ? '' : ` ${x.heading}`}`);
  const total = s.total_ad_valorem !== null ? `total ${s.total_ad_valorem}%` : (s.total_note ?? '');
  const may = s.may_apply.map((m) => `${m.heading} ${m.rate} (${m.condition.replace(/^may apply: /, '')})`);
  const asOf = [...new Set(s.duties.map((x) => `${x.as_of.revision}${x.as_of.effective ? ` (${x.as_of.effective})` : ''}`))];
  const text = [
    `${s.origin} ${s.date}: ${parts.join(' + ')}; ${total}`,
    may.length ? `may apply: ${may.join('; ')}` : '',
    `as of ${asOf.join(', ')}`,
  ]
    .filter(Boolean)
    .join(' | ');
  return text.length > CELL_MAX ? `${text.slice(0, CELL_MAX - 1)}…` : text;
}
