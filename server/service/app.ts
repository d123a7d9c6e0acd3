// The HTTP service: /api/v1 (classify, recorded classifications, reclassify, feedback, health, ready, OpenAPI).
// createApp takes everything it needs as arguments; nothing is global, so tests build apps on their own stores.
import crypto from 'node:crypto';
import fs from 'node:fs';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import cors from 'cors';
import { rateLimit } from 'express-rate-limit';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import type { Engine } from '../classifier';
import { DuplicateRequestError, type AuditStore } from '../audit/store';
import {
  ClassifyRequest,
  DutiesQuery,
  FeedbackRequest,
  MAX_BODY_BYTES,
  REQUEST_ID_RE,
  zodIssues,
  type ResultRowT,
  type VersionsT,
} from './schemas';
import { answerOf, cleanDescription, memoryKey, nationalCountry, nationalIndex, processRows, type FeedbackPayload } from './rows';
import { openApiDocument } from './openapi';
import type { DutyData } from '../duties/load';
import { addDuties, dutiesSignature } from '../duties/apply';
import { dutyStack, DutyInputError } from '../duties/stack';
import { InlineClassifier, type RowClassifier } from '../pool';
import type { Jobs } from '../jobs/runner';
import { registerJobRoutes } from '../jobs/routes';

export interface ServiceConfig {
  /** Accepted API keys; empty = no key needed (only allowed on a loopback address, see main.ts). */
  apiKeys: string[];
  /** Origins allowed by CORS (the add-in's own origin by default). */
  allowedOrigins: string[];
  /** Requests per window and client IP on /api/v1. */
  rateLimit: { windowMs: number; limit: number };
  /** Built add-in / web page to serve at /, when the directory exists (e.g. dist/addin). */
  staticDir?: string | null;
}

export interface AppDeps {
  engine: Engine;
  /** Where rows are classified: the worker pool (main.ts); default this thread with `engine`. */
  classifier?: RowClassifier;
  /** Bulk jobs (main.ts: pg-boss with DATABASE_URL, else in-process); without, the job routes answer 404. */
  jobs?: Jobs;
  versions: VersionsT;
  store: AuditStore;
  config: ServiceConfig;
  logger: Logger;
  /** The US duty data (GET /duties, `origin` on classify rows); without it those answer 503. */
  duties?: DutyData;
}

export const API = '/api/v1';

/** Where Office on the web frames task panes from (the add-in's page must allow being framed there). */
export const OFFICE_FRAME_ANCESTORS = [
  'https://*.officeapps.live.com',
  'https://*.office.com',
  'https://*.office365.com',
  'https://*.microsoft365.com',
  'https://*.cloud.microsoft',
  'https://*.sharepoint.com',
  'https://*.live.com',
];

/** A request id for this request: the caller's X-Request-Id when valid, else a new UUID. */
function requestIdOf(req: Request): string {
  const given = req.get('x-request-id');
  return given && REQUEST_ID_RE.test(given) ? given : crypto.randomUUID();
}

/** The response text of a recorded request: its head with the rows spliced in. Used when answering and when retrieving. */
export function assemble(head: string, rows: string[]): string {
  return `${head.slice(0, -1)},"rows":[${rows.join(',')}]}`;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues?: { path: string; message: string }[],
  ) {
    super(message);
  }
}

const sha256 = (s: string) => crypto.createHash('sha256').update(s, 'utf8').digest();

export function createApp(deps: AppDeps): express.Express {
  const { engine, versions, store, config, logger, duties } = deps;
  const classifier = deps.classifier ?? new InlineClassifier({ engine, versions });
  const idx = nationalIndex(engine);
  const keyDigests = config.apiKeys.map(sha256);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use((req, res, next) => {
    (req as Request & { id: string }).id = requestIdOf(req);
    res.setHeader('X-Request-Id', (req as Request & { id: string }).id);
    next();
  });
  app.use(
    pinoHttp({
      logger,
      genReqId: (req) => (req as unknown as { id: string }).id,
      // Method, path and status only: never headers (API keys), never bodies (descriptions).
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    }),
  );
  // Helmet's defaults, except: upgrade-insecure-requests off (it would break the static pages under HTTP=1, as in
  // tests); the task pane may be framed by Excel on the web (frame-ancestors, which replaces X-Frame-Options). Scripts,
  // styles, images and API calls stay 'self': office.js is served from the build, not from a CDN.
  app.use(
    helmet({
      contentSecurityPolicy: { directives: { upgradeInsecureRequests: null, frameAncestors: ["'self'", ...OFFICE_FRAME_ANCESTORS] } },
      xFrameOptions: false,
    }),
  );
  app.use(
    cors({
      origin: config.allowedOrigins,
      methods: ['GET', 'POST'],
      allowedHeaders: ['Content-Type', 'X-API-Key', 'Authorization', 'X-Request-Id'],
      exposedHeaders: ['X-Request-Id'],
      maxAge: 600,
    }),
  );

  // Open routes: no key, no rate limit.
  app.get(`${API}/health`, (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get(`${API}/ready`, async (_req, res) => {
    try {
      await store.ping();
      res.json({ status: 'ready', store: store.backend, versions });
    } catch {
      res.status(503).json({ status: 'not ready', store: store.backend, versions });
    }
  });
  app.get(`${API}/openapi.json`, (_req, res) => {
    res.json(openApiDocument());
  });

  app.use(
    API,
    rateLimit({
      windowMs: config.rateLimit.windowMs,
      limit: config.rateLimit.limit,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: (req, res) => {
        res.status(429).json({ error: 'too many requests: slow down and retry later', request_id: (req as Request & { id: string }).id });
      },
    }),
  );
  app.use(API, (req, _res, next) => {
    if (keyDigests.length === 0) return next();
    const auth = req.get('authorization');
    const key = req.get('x-api-key') ?? (auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined);
    if (key) {
      const d = sha256(key);
      if (keyDigests.some((k) => crypto.timingSafeEqual(k, d))) return next();
    }
    next(new HttpError(401, key ? 'wrong API key' : 'an API key is required (header X-API-Key or Authorization: Bearer)'));
  });
  const idOf = (req: Request) => (req as Request & { id: string }).id;
  // Before the 5 MB JSON parser: jobs carry more.
  registerJobRoutes(app, API, deps.jobs, store, idOf);
  app.use(API, express.json({ limit: MAX_BODY_BYTES, strict: true }));

  const parse = <T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: import('zod').ZodError } }, body: unknown): T => {
    const r = schema.safeParse(body ?? undefined);
    if (!r.success) {
      const issues = zodIssues(r.error);
      throw new HttpError(400, `invalid request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
    }
    return r.data;
  };
  /** Records head + rows in one transaction and sends exactly the recorded text. */
  const recordAndSend = async (res: Response, requestId: string, createdAt: string, head: object, rows: unknown[]) => {
    const headText = JSON.stringify(head);
    const rowTexts = rows.map((r) => JSON.stringify(r));
    try {
      await store.appendRequest({ requestId, createdAt, head: headText, rows: rowTexts });
    } catch (e) {
      if (e instanceof DuplicateRequestError) throw new HttpError(409, `request id ${requestId} is already recorded: GET ${API}/classifications/${requestId} retrieves it`);
      throw e;
    }
    res.type('application/json').send(assemble(headText, rowTexts));
  };
  const refuseDuplicate = async (requestId: string) => {
    if (await store.hasRequest(requestId)) {
      throw new HttpError(409, `request id ${requestId} is already recorded: GET ${API}/classifications/${requestId} retrieves it`);
    }
  };

  app.post(`${API}/classify`, async (req, res) => {
    const body = parse(ClassifyRequest, req.body);
    const requestId = idOf(req);
    await refuseDuplicate(requestId);
    const origins = body.rows.map((r) => r.origin ?? body.origin);
    const withOrigin = origins.some((o) => o !== undefined);
    if (withOrigin && body.country !== 'US') throw new HttpError(400, 'country: must be US when an origin is given (duties are for US 10-digit lines)', [{ path: 'country', message: 'must be US when an origin is given' }]);
    if ((withOrigin || body.entry_date) && !duties) throw new HttpError(503, 'the duty data is not loaded on this instance');
    const inputs = body.rows.map((r, i) => ({ id: r.item_id ?? i + 1, description: cleanDescription(r.description) }));
    const classified = await processRows(engine, classifier, idx, store, inputs, body.country);
    const rows = classified.map((r, i) => (origins[i] && duties ? addDuties(duties, r, { origin: origins[i]!, date: body.entry_date }) : r));
    const createdAt = new Date().toISOString();
    req.log.info({ rows: rows.length, errors: rows.filter((r) => r.status === 'error').length }, 'classified');
    const dutyHead = withOrigin ? { origin: body.origin ?? null, entry_date: body.entry_date ?? createdAt.slice(0, 10) } : {};
    await recordAndSend(res, requestId, createdAt, { request_id: requestId, kind: 'classify', created_at: createdAt, versions, country: body.country ?? null, ...dutyHead, row_count: rows.length }, rows);
  });

  app.get(`${API}/duties`, (req, res) => {
    if (!duties) throw new HttpError(503, 'the duty data is not loaded on this instance');
    const q = parse(DutiesQuery, req.query);
    try {
      res.json({ ...dutyStack(duties, q), versions: { duties: duties.version } });
    } catch (e) {
      if (e instanceof DutyInputError) throw new HttpError(400, `invalid request: ${e.message}`, [{ path: e.field, message: e.message.slice(e.field.length + 2) }]);
      throw e;
    }
  });

  app.get(`${API}/classifications/:requestId`, async (req, res) => {
    const stored = await store.getRequest(String(req.params.requestId));
    if (!stored) throw new HttpError(404, `unknown request id ${req.params.requestId}`);
    res.type('application/json').send(assemble(stored.head, stored.rows));
  });

  app.post(`${API}/classifications/:requestId/reclassify`, async (req, res) => {
    const from = String(req.params.requestId);
    const stored = await store.getRequest(from);
    if (!stored) throw new HttpError(404, `unknown request id ${from}`);
    const head = JSON.parse(stored.head) as { kind: string; country: 'US' | 'EU' | null; versions: VersionsT };
    if (head.kind !== 'classify') throw new HttpError(400, `request ${from} is a ${head.kind}, not a classification: reclassify its original request`);
    const requestId = idOf(req);
    await refuseDuplicate(requestId);
    const before = stored.rows.map((t) => JSON.parse(t) as ResultRowT);
    const classified = await processRows(engine, classifier, idx, store, before.map((r) => ({ id: r.id, description: r.description })), head.country ?? undefined);
    // Rows that had duties get them again for the same origin and entry date, with today's duty data.
    const after = classified.map((r, i) => {
      const { origin, entry_date } = before[i] as { origin?: string; entry_date?: string };
      return origin && duties ? addDuties(duties, r, { origin, date: entry_date }) : r;
    });
    const changed = before
      .map((b, i) => {
        const what: ('answer' | 'duties')[] = [];
        if (answerOf(b) !== answerOf(after[i])) what.push('answer');
        if (dutiesSignature(b) !== dutiesSignature(after[i])) what.push('duties');
        return { row: i + 1, changed: what, id: b.id, description: b.description, before: b, after: after[i] };
      })
      .filter((c) => c.changed.length > 0);
    const createdAt = new Date().toISOString();
    req.log.info({ from, rows: before.length, changed: changed.length }, 'reclassified');
    await recordAndSend(
      res,
      requestId,
      createdAt,
      {
        request_id: requestId,
        kind: 'reclassify',
        reclassified_from: from,
        created_at: createdAt,
        versions,
        original_versions: head.versions,
        country: head.country,
        row_count: before.length,
        changed_count: changed.length,
      },
      changed,
    );
  });

  app.post(`${API}/feedback`, async (req, res) => {
    const body = parse(FeedbackRequest, req.body);
    const rowText = await store.getRow(body.request_id, body.row);
    if (rowText === null) {
      const known = await store.hasRequest(body.request_id);
      throw new HttpError(404, known ? `request ${body.request_id} has no row ${body.row}` : `unknown request id ${body.request_id}`);
    }
    const row = JSON.parse(rowText) as Partial<ResultRowT>;
    if (!Array.isArray(row.candidates)) throw new HttpError(400, `request ${body.request_id} is not a classification: give feedback on the original request's rows`);
    if (!row.description) throw new HttpError(400, `request ${body.request_id} row ${body.row} has no description to remember`);
    const hs6 = body.code.slice(0, 6);
    if (engine.ds.hs.nodes.get(hs6)?.level !== 6) throw new HttpError(400, `code: ${hs6} is not an HS 2022 subheading`, [{ path: 'code', message: `${hs6} is not an HS 2022 subheading` }]);
    const country = body.code.length > 6 ? nationalCountry(idx, body.code) : null;
    if (body.code.length > 6 && country === null) {
      throw new HttpError(400, `code: ${body.code} is not a US HTS or EU CN line`, [{ path: 'code', message: `${body.code} is not a US HTS or EU CN line` }]);
    }
    const key = memoryKey(cleanDescription(row.description) ?? '');
    if (!key) throw new HttpError(400, `request ${body.request_id} row ${body.row} has no words to remember`);
    const top = row.candidates[0];
    const previous = top?.code ?? null;
    const same = top !== undefined && (body.code === top.code || (body.code.length === 6 && body.code === top.hs6));
    const createdAt = new Date().toISOString();
    const fb: FeedbackPayload = {
      feedback_id: crypto.randomUUID(),
      request_id: body.request_id,
      row: body.row,
      description: row.description,
      code: body.code,
      country,
      verdict: same ? 'confirmed' : 'corrected',
      previous_code: previous,
      who: body.who ?? 'unknown',
      comment: body.comment ?? null,
      created_at: createdAt,
    };
    await store.appendFeedback({ requestId: body.request_id, createdAt, lookupKey: key, payload: JSON.stringify(fb) });
    req.log.info({ feedback: fb.feedback_id, of: body.request_id, row: body.row, verdict: fb.verdict }, 'feedback recorded');
    const { country: _c, ...response } = fb;
    res.status(201).json(response);
  });

  // The add-in build and the web page (issue 5) are served from here when built: `config.staticDir`, e.g. dist/addin.
  if (config.staticDir && fs.existsSync(config.staticDir)) app.use(express.static(config.staticDir));

  app.use(API, (req, _res, next) => next(new HttpError(404, `no route ${req.method} ${req.path}`)));

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = err as { type?: string; status?: number; message?: string };
    let status = 500;
    let body: { error: string; issues?: { path: string; message: string }[]; request_id: string };
    const request_id = idOf(req);
    if (err instanceof HttpError) {
      status = err.status;
      body = { error: err.message, ...(err.issues ? { issues: err.issues } : {}), request_id };
    } else if (e.type === 'entity.parse.failed') {
      status = 400;
      body = { error: `malformed JSON: ${e.message}`, request_id };
    } else if (e.type === 'entity.too.large') {
      status = 413;
      body = { error: `request body larger than ${MAX_BODY_BYTES} bytes: send fewer rows per request`, request_id };
    } else if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      status = e.status;
      body = { error: e.message ?? 'bad request', request_id };
    } else {
      req.log.error({ err }, 'request failed');
      body = { error: 'internal error: nothing was recorded for this request', request_id };
    }
    res.status(status).json(body);
  });
  return app;
}
