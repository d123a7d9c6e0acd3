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
