// The OpenAPI 3.1 document of /api/v1. Component schemas are generated from the zod schemas the handlers use;
// the paths are written here and a test checks that they and the app's routes are the same set.
import { z } from 'zod';
import * as S from './schemas';
import * as J from '../jobs/schemas';

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (id: string, description: string) => ({ description, content: { 'application/json': { schema: ref(id) } } });
const err = (description: string) => json('Error', description);

const requestIdHeader = {
  'X-Request-Id': { description: 'The request id (the caller\'s when valid, else a new UUID).', schema: { type: 'string' } },
};
const requestIdParam = {
  name: 'X-Request-Id',
  in: 'header',
  required: false,
  description: 'Used as the request id when it is a UUID or 8-64 characters of A-Z, a-z, 0-9, - and _; otherwise a UUID is made.',
  schema: { type: 'string' },
};
const pathRequestId = { name: 'requestId', in: 'path', required: true, schema: { type: 'string' } };
const common = {
  '400': err('Malformed JSON, or fields that fail validation (each issue names its field).'),
  '401': err('Missing or wrong API key.'),
  '429': err('Too many requests (rate limiter), or for classify and reclassify too many rows (RATE_LIMIT_ROWS per minute and client); Retry-After says when to retry.'),
};
const tampered = err('A stored record failed its hash check: the audit store may have been tampered with (the message names the request).');
const forbidden = (role: string) => ({ '403': err(`The API key lacks the ${role} role.`) });
/** The query parameters of a GET, from the zod schema its handler validates with. */
function queryParameters(schemaOf: z.ZodType, id: string): unknown[] {
  const doc = z.toJSONSchema(schemaOf, { io: 'input' }) as { $defs?: Record<string, { properties: Record<string, Record<string, unknown>>; required?: string[] }> } & { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  const schema = doc.$defs?.[id] ?? (doc as { properties: Record<string, Record<string, unknown>>; required?: string[] });
  return Object.entries(schema.properties).map(([name, p]) => {
    const { description, ...rest } = p;
    return { name, in: 'query', required: schema.required?.includes(name) ?? false, description, schema: rest };
  });
}

function componentSchemas(): Record<string, unknown> {
  const all = z.toJSONSchema(z.globalRegistry, { uri: (id) => `#/components/schemas/${id}` }).schemas as Record<string, Record<string, unknown>>;
  const ids = [
    'ClassifyRow', 'ClassifyRequest', 'FeedbackRequest', 'Candidate', 'Memory', 'ResultRow', 'Versions',
    'ClassifyResponse', 'ChangedRow', 'ReclassifyResponse', 'FeedbackResponse', 'Error', 'Health', 'Ready',
    'DutiesQuery', 'DutyStack', 'JobRequest', 'Job', 'WithdrawRequest', 'FeedbackEvent', 'FeedbackList', 'Withdrawal',
    'ExamplesRequest', 'CompanyExample', 'ExamplesResponse',
  ];
  const out: Record<string, unknown> = {};
  for (const id of ids) {
    if (!all[id]) throw new Error(`schema ${id} is not registered`);
    const { $schema: _s, $id: _i, ...rest } = all[id];
    out[id] = rest;
  }
  return out;
}

export function openApiDocument(): Record<string, unknown> {
  void S; // the schemas register themselves (meta ids) when the module loads
  void J;
  return {
    openapi: '3.1.0',
    info: {
      title: 'hs-classify',
      version: '1.0.0',
      description:
        `HS 2022 classification of invoice descriptions, with an append-only, hash-chained audit trail. ` +
        `Limits: ${S.MAX_ROWS} rows and ${S.MAX_BODY_BYTES} bytes per request; descriptions up to ${S.MAX_DESCRIPTION_CHARS} characters. ` +
        `When API keys are configured, every route except health, ready and this document needs one (X-API-Key or Authorization: Bearer); ` +
        `keys have roles (classify, review, admin): feedback and company examples need review, withdrawing feedback admin.`,
    },
    servers: [{ url: '/' }],
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        bearer: { type: 'http', scheme: 'bearer' },
      },
    },
    security: [{ apiKey: [] }, { bearer: [] }],
    paths: {
      '/api/v1/classify': {
        post: {
          summary: 'Classify a batch of descriptions; the response is recorded in the audit trail.',
          parameters: [requestIdParam],
          requestBody: { required: true, content: { 'application/json': { schema: ref('ClassifyRequest') } } },
          responses: {
            '200': { ...json('ClassifyResponse', 'One result per row, in order; failing rows are error rows.'), headers: requestIdHeader },
            ...common,
            '409': err('The X-Request-Id is already recorded.'),
            '413': err(`Body larger than ${S.MAX_BODY_BYTES} bytes.`),
          },
        },
      },
      '/api/v1/classifications/{requestId}': {
        get: {
          summary: 'A recorded response, byte for byte as it was returned.',
          parameters: [pathRequestId],
          responses: {
            '200': {
              description: 'The recorded response (a ClassifyResponse or a ReclassifyResponse).',
              content: { 'application/json': { schema: { oneOf: [ref('ClassifyResponse'), ref('ReclassifyResponse')] } } },
            },
            '401': common['401'],
            '404': err('Unknown request id.'),
            '429': common['429'],
            '500': tampered,
          },
        },
      },
      '/api/v1/classifications/{requestId}/reclassify': {
        post: {
          summary: "Runs a recorded request's rows through today's model and returns the rows whose status or codes changed (recorded as a new request).",
          parameters: [pathRequestId, requestIdParam],
          responses: {
            '200': { ...json('ReclassifyResponse', 'The changed rows.'), headers: requestIdHeader },
            ...common,
            '404': err('Unknown request id.'),
            '409': err('The X-Request-Id is already recorded.'),
            '500': tampered,
          },
        },
      },
      '/api/v1/duties': {
        get: {
          summary:
            'The US duty stack of a 10-digit line for a country of origin and an entry date: base rate (general, special or column 2), Section 301, Section 232 and Section 122, each with its heading, citation and as-of revision; conditional provisions and what the data does not cover are listed.',
          parameters: queryParameters(S.DutiesQuery, 'DutiesQuery'),
          responses: {
            '200': json('DutyStack', 'The stack (with `versions.duties`, the content hash of the duty data).'),
            '400': common['400'],
            '401': common['401'],
            '429': common['429'],
            '503': err('The duty data is not loaded on this instance.'),
          },
        },
      },
      '/api/v1/feedback': {
        post: {
          summary:
            'A reviewer (review role; the reviewer is the API key\'s name) confirms or corrects a row. Once FEEDBACK_APPROVALS distinct reviewers agree on a code for a description, later requests with the same description (after normalisation) get it first, unless a Note excludes it. Recorded in the audit chain.',
          requestBody: { required: true, content: { 'application/json': { schema: ref('FeedbackRequest') } } },
          responses: {
            '201': json('FeedbackResponse', 'The recorded feedback, with where its code stands.'),
            ...common,
            ...forbidden('review'),
            '404': err('Unknown request id or row.'),
            '422': err('A Section or Chapter Note (or another exclusion rule) excludes the code for that description; nothing was recorded.'),
          },
        },
        get: {
          summary: 'The feedback events (review role), oldest first, each with its withdrawal if any; paginated.',
          parameters: queryParameters(S.FeedbackQuery, 'FeedbackQuery'),
          responses: { '200': json('FeedbackList', 'A page of events.'), ...common, ...forbidden('review') },
        },
      },
      '/api/v1/feedback/{feedbackId}/withdraw': {
        post: {
          summary: 'Withdraws one feedback event (admin role): a withdrawal record is appended (nothing is deleted) and the event no longer counts.',
          parameters: [{ name: 'feedbackId', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: { required: false, content: { 'application/json': { schema: ref('WithdrawRequest') } } },
          responses: {
            '201': json('Withdrawal', 'The recorded withdrawal.'),
            ...common,
            ...forbidden('admin'),
            '404': err('Unknown feedback id.'),
            '409': err('Already withdrawn.'),
          },
        },
      },
      '/api/v1/examples': {
        post: {
          summary:
            'Imports company examples (review role): rows of description, code (HS 6 or a US/EU national line, as text) and optional item id; the importer is the API key\'s name. All rows or none; recorded in the audit chain. Later classifications consult them first as nearest examples (`source: "company"`).',
          requestBody: { required: true, content: { 'application/json': { schema: ref('ExamplesRequest') } } },
          responses: { '201': json('ExamplesResponse', 'The imported examples.'), ...common, ...forbidden('review'), '413': err(`Body larger than ${S.MAX_BODY_BYTES} bytes.`) },
        },
        get: {
          summary: 'The live company examples (review role), oldest first.',
          parameters: [
            { name: 'offset', in: 'query', required: false, schema: { type: 'integer', minimum: 0 } },
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 5000 } },
          ],
          responses: { '200': json('ExamplesResponse', 'A page of examples; `next` is the offset of the next page.'), ...common, ...forbidden('review') },
        },
      },
      '/api/v1/examples/{exampleId}': {
        delete: {
          summary: 'Removes a company example (review role): a removal record is appended to the audit chain; later classifications no longer use it.',
          parameters: [{ name: 'exampleId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': { description: 'The removal and the example removed.', content: { 'application/json': { schema: { type: 'object' } } } },
            '401': common['401'],
            ...forbidden('review'),
            '404': err('Unknown or already removed example.'),
            '429': common['429'],
          },
        },
      },
      '/api/v1/jobs': {
        post: {
          summary:
            'Queues a bulk job: rows as JSON, or a CSV/XLSX supplier file as the raw body (Content-Type text/csv or the XLSX type) with the column options of `hs-classify review` in the query. ' +
            'With PostgreSQL any instance sharing the database works it (pg-boss); otherwise this instance does. The job is recorded as one audited request whose id is the job id (X-Request-Id when valid).',
          parameters: [
            requestIdParam,
            { name: 'column', in: 'query', required: false, description: 'File uploads: the description column (required for a file).', schema: { type: 'string' } },
            { name: 'sheet', in: 'query', required: false, description: 'File uploads: the worksheet (default the first).', schema: { type: 'string' } },
            { name: 'id_column', in: 'query', required: false, description: 'File uploads: a column whose values identify the rows.', schema: { type: 'string' } },
            { name: 'country', in: 'query', required: false, description: 'File uploads: US or EU national lines.', schema: { type: 'string', enum: ['US', 'EU'] } },
            { name: 'file_name', in: 'query', required: false, description: 'File uploads: the file\'s name, for the Summary sheet.', schema: { type: 'string' } },
          ],
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: ref('JobRequest') },
              'text/csv': { schema: { type: 'string', format: 'binary' } },
              [J.XLSX_TYPE]: { schema: { type: 'string', format: 'binary' } },
            },
          },
          responses: {
            '202': { ...json('Job', 'Queued; the Location header is the job.'), headers: requestIdHeader },
            ...common,
            '404': err('Bulk jobs are not enabled on this instance.'),
            '409': err('The X-Request-Id is already a job or a recorded request.'),
            '413': err(`Body larger than ${J.JOB_MAX_BYTES} bytes.`),
          },
        },
      },
      '/api/v1/jobs/{jobId}': {
        get: {
          summary: 'A job\'s state (queued, active, completed, failed), progress, attempts and the instance working it.',
          parameters: [{ name: 'jobId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': json('Job', 'The job.'), '401': common['401'], '404': err('Unknown job.'), '429': common['429'] },
        },
      },
      '/api/v1/jobs/{jobId}/result': {
        get: {
          summary: 'A completed job\'s result: the audited rows as JSON Lines (rows jobs), or the reviewed workbook (file jobs).',
          parameters: [{ name: 'jobId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': {
              description: 'The result.',
              content: { 'application/x-ndjson': { schema: { type: 'string' } }, [J.XLSX_TYPE]: { schema: { type: 'string', format: 'binary' } } },
            },
            '401': common['401'],
            '404': err('Unknown job.'),
            '409': err('The job is not completed (yet).'),
            '429': common['429'],
          },
        },
      },
      '/api/v1/health': {
        get: { summary: 'The process is up.', security: [], responses: { '200': json('Health', 'Up.') } },
      },
      '/api/v1/ready': {
        get: {
          summary: 'The engine is loaded and the audit store answers.',
          security: [],
          responses: { '200': json('Ready', 'Ready.'), '503': json('Ready', 'Not ready.') },
        },
      },
      '/api/v1/openapi.json': {
        get: { summary: 'This document.', security: [], responses: { '200': { description: 'OpenAPI 3.1 document.', content: { 'application/json': {} } } } },
      },
    },
  };
}
