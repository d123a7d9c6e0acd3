// The bulk jobs routes of /api/v1, registered on the app itself (before its 5 MB JSON parser: jobs take more).
//   POST /jobs                 JSON rows, or a CSV/XLSX file as the raw body with ?column=&sheet=&id_column=&country=
//   GET  /jobs/:id             state and progress
//   GET  /jobs/:id/result      JSON Lines (rows jobs: the audited rows) or the reviewed workbook (file jobs)
import path from 'node:path';
import express, { type Express, type Request } from 'express';
import type { AuditStore } from '../audit/store';
import { cleanDescription } from '../service/rows';
import { zodIssues } from '../service/schemas';
import type { Jobs } from './runner';
import type { JobRecord } from './store';
import { CSV_TYPES, JOB_MAX_BYTES, JobFileOptions, JobRequest, XLSX_TYPE } from './schemas';

/** An error the app's error handler answers with its status and message. */
const fail = (status: number, message: string) => Object.assign(new Error(message), { status, expose: true });

export function jobView(api: string, j: JobRecord) {
  return {
    job_id: j.id,
    request_id: j.id,
    kind: j.kind,
    state: j.state,
    progress: { done: j.done, total: j.total },
    attempts: j.attempts,
    worker: j.worker,
    error: j.error,
    created_at: j.createdAt,
    updated_at: j.updatedAt,
    finished_at: j.finishedAt,
    result: j.state === 'completed' ? `${api}/jobs/${j.id}/result` : null,
  };
}

export function registerJobRoutes(app: Express, api: string, jobs: Jobs | undefined, store: AuditStore, idOf: (req: Request) => string): void {
  const need = (): Jobs => {
    if (!jobs) throw fail(404, 'bulk jobs are not enabled on this instance');
    return jobs;
  };
  const known = async (id: string): Promise<JobRecord> => {
    const j = await need().get(id);
    if (!j) throw fail(404, `unknown job ${id}`);
    return j;
  };

  app.post(
    `${api}/jobs`,
    express.json({ limit: JOB_MAX_BYTES, strict: true }),
    express.raw({ type: [XLSX_TYPE, ...CSV_TYPES, 'application/octet-stream'], limit: JOB_MAX_BYTES }),
    async (req, res) => {
      const j = need();
      const id = idOf(req);
      if ((await j.get(id)) || (await store.hasRequest(id))) throw fail(409, `request id ${id} is already taken: GET ${api}/jobs/${id} or ${api}/classifications/${id}`);
      let job: JobRecord;
      if (Buffer.isBuffer(req.body)) {
        const q = JobFileOptions.safeParse(req.query);
        if (!q.success) throw fail(400, `invalid request: ${zodIssues(q.error).map((i) => `${i.path}: ${i.message}`).join('; ')}`);
        if (req.body.length === 0) throw fail(400, 'invalid request: the uploaded file is empty');
        const isXlsx = req.is(XLSX_TYPE) !== false || req.body.subarray(0, 2).toString('latin1') === 'PK';
        const given = q.data.file_name ? path.basename(q.data.file_name).replace(/[^\w.\- ]/g, '_') : '';
        const ext = isXlsx ? '.xlsx' : '.csv';
        const fileName = given && path.extname(given).toLowerCase() === ext ? given : `${given ? path.basename(given, path.extname(given)) : 'upload'}${ext}`;
        job = await j.submitFile(id, req.body, { column: q.data.column, sheet: q.data.sheet, id_column: q.data.id_column, country: q.data.country, file_name: fileName });
      } else {
        const body = JobRequest.safeParse(req.body ?? undefined);
        if (!body.success) throw fail(400, `invalid request: ${zodIssues(body.error).map((i) => `${i.path}: ${i.message}`).join('; ')}`);
        const rows = body.data.rows.map((r, i) => ({ id: r.item_id ?? i + 1, description: cleanDescription(r.description) }));
        job = await j.submitRows(id, rows, body.data.country);
      }
      req.log.info({ job: id, kind: job.kind }, 'job queued');
      res.status(202).location(`${api}/jobs/${id}`).json(jobView(api, job));
    },
  );

  app.get(`${api}/jobs/:jobId`, async (req, res) => {
    res.json(jobView(api, await known(String(req.params.jobId))));
  });

  app.get(`${api}/jobs/:jobId/result`, async (req, res) => {
    const job = await known(String(req.params.jobId));
    if (job.state !== 'completed') throw fail(409, `job ${job.id} is ${job.state}${job.error ? ` (${job.error})` : ''}: its result is not ready`);
    if (job.kind === 'file') {
      const body = await need().result(job.id);
      if (!body) throw fail(404, `job ${job.id} has no stored workbook`);
      const name = (JSON.parse(job.options) as { file_name: string }).file_name.replace(/\.[^.]+$/, '');
      res.type(XLSX_TYPE).attachment(`${name}-reviewed.xlsx`).send(body);
      return;
    }
    const stored = await store.getRequest(job.id);
    if (!stored) throw fail(404, `job ${job.id} is not in the audit trail`);
    res.type('application/x-ndjson').send(stored.rows.map((r) => `${r}\n`).join(''));
  });
}
