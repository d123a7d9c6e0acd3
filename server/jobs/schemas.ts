// The bulk jobs API's shapes (zod), registered for the OpenAPI document like the service's own.
import { z } from 'zod';
import { ClassifyRow, Country } from '../service/schemas';

/** Most rows one JSON job may carry. */
export const JOB_MAX_ROWS = 200_000;
/** Largest job body (JSON rows or an uploaded CSV/XLSX file), in bytes. */
export const JOB_MAX_BYTES = 50 * 1024 * 1024;
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const CSV_TYPES = ['text/csv', 'text/plain', 'text/tab-separated-values'];

export const JobRequest = z
  .object({
    rows: z.array(ClassifyRow).min(1).max(JOB_MAX_ROWS).meta({ description: `1 to ${JOB_MAX_ROWS} rows.` }),
    country: Country.optional(),
  })
  .meta({
    id: 'JobRequest',
    description: 'Rows to classify as a job (as POST /classify, more of them). A CSV or XLSX file can be sent instead as the raw body (see the route).',
    example: { rows: [{ description: 'mens 100% cotton knitted t-shirt', item_id: '007' }], country: 'US' },
  });

/** Query options of a file upload: the column options of `hs-classify review`. */
export const JobFileOptions = z.object({
  column: z.string().min(1).max(200),
  sheet: z.string().min(1).max(200).optional(),
  id_column: z.string().min(1).max(200).optional(),
  country: Country.optional(),
  file_name: z.string().min(1).max(200).optional(),
});

export const Job = z
  .object({
    job_id: z.string(),
    request_id: z.string().meta({ description: 'The audited request the job is recorded as, once completed (GET /classifications/{requestId}).' }),
    kind: z.enum(['rows', 'file']),
    state: z.enum(['queued', 'active', 'completed', 'failed']),
    progress: z.object({ done: z.number().int(), total: z.number().int().nullable() }),
    attempts: z.number().int(),
    worker: z.string().nullable().meta({ description: 'The service instance working the job (or that last did).' }),
    error: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    finished_at: z.string().nullable(),
    result: z.string().nullable().meta({ description: 'Where the result is, once completed: JSON Lines for rows, the reviewed workbook for a file.' }),
  })
  .meta({ id: 'Job' });
