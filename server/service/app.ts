// The HTTP service: /api/v1 (classify, recorded classifications, reclassify, feedback and company examples (their own
// modules), health, ready, OpenAPI).
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
import { DuplicateRequestError, TamperedRecordError, type AuditStore } from '../audit/store';
import { createRowLimiter } from './row-limit';
import { DEFAULT_ROWS_IN_FLIGHT, RowGate } from './admission';
import { ClassifyRequest, DutiesQuery, MAX_BODY_BYTES, REQUEST_ID_RE, type ResultRowT, type VersionsT } from './schemas';
import { answerOf, cleanDescription, nationalIndex, processRows } from './rows';
import { HttpError, parse } from './http';
import { API } from './paths';
import { AuthError, authMiddleware, parseApiKeys } from './auth';
import { registerFeedbackRoutes } from './feedback-routes';
import { registerExampleRoutes } from './example-routes';
import { CompanyExampleSet } from '../memory/examples';
import { openApiDocument } from './openapi';
import { dutyVersions, type DutyData } from '../duties/load';
import { addDuties, dutiesSignature } from '../duties/apply';
import { dutyStack, DutyInputError } from '../duties/stack';
import { InlineClassifier, JsonRow, type RowClassifier } from '../pool';
import type { Jobs } from '../jobs/runner';
import { registerJobRoutes } from '../jobs/routes';

export interface ServiceConfig {
  /** API_KEYS entries: bare keys or name:role:key (see auth.ts); empty = no key needed (only allowed on a loopback address, see main.ts). */
  apiKeys: string[];
  /** FEEDBACK_APPROVALS: distinct reviewers who must agree before a code is served from the memory (default 1). */
  feedbackApprovals?: number;
  /** Origins allowed by CORS (the add-in's own origin by default). */
  allowedOrigins: string[];
  /** Requests per window and client IP on /api/v1; `rows`: rows classified per window and client (classify, reclassify), unlimited when absent. */
  rateLimit: { windowMs: number; limit: number; rows?: number };
  /** Built add-in / web page to serve at /, when the directory exists (e.g. dist/addin). */
  staticDir?: string | null;
  /** ROWS_IN_FLIGHT: rows of classify and reclassify requests worked on at once, the rest wait (admission.ts; default 1,000). */
  rowsInFlight?: number;
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

export { API };

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


export function createApp(deps: AppDeps): express.Express {
  const { engine, versions, store, config, logger, duties } = deps;
  const classifier = deps.classifier ?? new InlineClassifier({ engine, versions });
  const idx = nationalIndex(engine);
  const keys = parseApiKeys(config.apiKeys);
  const memory = { approvals: config.feedbackApprovals ?? 1, company: new CompanyExampleSet(store) };
  const rowLimit = config.rateLimit.rows === undefined ? null : createRowLimiter({ windowMs: config.rateLimit.windowMs, rows: config.rateLimit.rows });
  const gate = new RowGate(config.rowsInFlight ?? DEFAULT_ROWS_IN_FLIGHT);
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
      methods: ['GET', 'POST', 'DELETE'],
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
  // Every key has at least the classify role; feedback and examples need review, withdrawing admin (their routes say).
  app.use(API, authMiddleware(keys));
  const idOf = (req: Request) => (req as Request & { id: string }).id;
  // Before the 5 MB JSON parser: jobs carry more.
  registerJobRoutes(app, API, deps.jobs, store, idOf);
  app.use(API, express.json({ limit: MAX_BODY_BYTES, strict: true }));

  /** Records head + rows (JSON text each) in one transaction and sends exactly the recorded text. */
  const recordAndSend = async (res: Response, requestId: string, createdAt: string, head: object, rowTexts: string[]) => {
    const headText = JSON.stringify(head);
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
    rowLimit?.take(req, res, body.rows.length);
    const inputs = body.rows.map((r, i) => ({ id: r.item_id ?? i + 1, description: cleanDescription(r.description) }));
    // the rows are classified, recorded and sent within the gate: only so many requests' results are in memory at once
    await gate.run(inputs.length, async () => {
      const classified = await processRows(engine, classifier, idx, store, inputs, body.country, memory);
      const rows = classified.map((r, i) => (origins[i] && duties ? JsonRow.of(addDuties(duties, r.row, { origin: origins[i]!, date: body.entry_date })) : r));
      const createdAt = new Date().toISOString();
      req.log.info({ rows: rows.length, errors: rows.filter((r) => r.status === 'error').length }, 'classified');
      const dutyHead = withOrigin ? { origin: body.origin ?? null, entry_date: body.entry_date ?? createdAt.slice(0, 10) } : {};
      await recordAndSend(
        res,
        requestId,
        createdAt,
        { request_id: requestId, kind: 'classify', created_at: createdAt, versions, country: body.country ?? null, ...dutyHead, row_count: rows.length },
        rows.map((r) => r.json),
      );
    });
  });

  app.get(`${API}/duties`, (req, res) => {
    if (!duties) throw new HttpError(503, 'the duty data is not loaded on this instance');
    const q = parse(DutiesQuery, req.query);
    try {
      res.json({ ...dutyStack(duties, q), versions: dutyVersions(duties) });
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
    rowLimit?.take(req, res, stored.rows.length);
    await gate.run(stored.rows.length, async () => {
      const before = stored.rows.map((t) => JSON.parse(t) as ResultRowT);
      const classified = await processRows(engine, classifier, idx, store, before.map((r) => ({ id: r.id, description: r.description })), head.country ?? undefined, memory);
      // Rows that had duties get them again for the same origin and entry date, with today's duty data.
      const after = classified.map(({ row: r }, i) => {
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
        changed.map((c) => JSON.stringify(c)),
      );
    });
  });

  registerFeedbackRoutes(app, { engine, store, idx, approvals: memory.approvals, idOf });
  registerExampleRoutes(app, { engine, store, idx, company: memory.company, idOf });

  // The add-in build and the web page (issue 5) are served from here when built: `config.staticDir`, e.g. dist/addin.
  if (config.staticDir && fs.existsSync(config.staticDir)) app.use(express.static(config.staticDir));

  app.use(API, (req, _res, next) => next(new HttpError(404, `no route ${req.method} ${req.path}`)));

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = err as { type?: string; status?: number; message?: string };
    let status = 500;
    let body: { error: string; issues?: { path: string; message: string }[]; request_id: string };
    const request_id = idOf(req);
    if (err instanceof HttpError || err instanceof AuthError) {
      status = err.status;
      body = { error: err.message, ...(err instanceof HttpError && err.issues ? { issues: err.issues } : {}), request_id };
    } else if (err instanceof TamperedRecordError) {
      req.log.error({ err, stored_request: err.requestId, seq: err.seq }, err.message);
      body = { error: err.message, request_id };
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
