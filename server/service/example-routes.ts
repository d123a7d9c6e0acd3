// /api/v1/examples: a company's own classified product list (review role). An import is one transaction of
// 'feedback' chain records (payload event "example"); a removal appends an "example-removal" record. Later
// classifications consult the live examples first as nearest examples (server/pipeline/company.ts).
import type express from 'express';
import type { Request } from 'express';
import type { Engine } from '../classifier';
import type { AuditStore } from '../audit/store';
import { ExamplesRequest } from './schemas';
import { HttpError, parse } from './http';
import { principalOf, requireRole } from './auth';
import { appendExamples, examplePayloads, type CompanyExampleSet, type ExampleRemovalPayload } from '../memory/examples';
import type { NationalIndex } from '../memory/codes';
import { API } from './paths';
import { z } from 'zod';

export interface ExampleDeps {
  engine: Engine;
  store: AuditStore;
  idx: NationalIndex;
  company: CompanyExampleSet;
  idOf: (req: Request) => string;
}

const ListQuery = z.object({
  offset: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(5000).optional(),
});

export function registerExampleRoutes(app: express.Express, d: ExampleDeps): void {
  app.post(`${API}/examples`, requireRole('review'), async (req, res) => {
    const body = parse(ExamplesRequest, req.body);
    const who = principalOf(req).who;
    const rows = body.rows.map((r) => ({ description: r.description, code: r.code, item_id: r.item_id === undefined ? null : String(r.item_id) }));
    const { payloads, errors } = examplePayloads(d.engine, d.idx, rows, who, new Date().toISOString());
    if (errors.length) {
      const issues = errors.map((e) => ({ path: `rows.${e.row - 1}.${e.field}`, message: e.message }));
      throw new HttpError(400, `invalid examples, nothing was imported: ${issues.slice(0, 20).map((i) => `${i.path}: ${i.message}`).join('; ')}${issues.length > 20 ? `; and ${issues.length - 20} more` : ''}`, issues);
    }
    await appendExamples(d.store, d.idOf(req), payloads);
    req.log.info({ examples: payloads.length, who }, 'company examples imported');
    res.status(201).json({ examples: payloads.map(({ event: _e, ...p }) => p) });
  });

  app.get(`${API}/examples`, requireRole('review'), async (req, res) => {
    const q = parse(ListQuery, req.query);
    const all = await d.company.list();
    const offset = q.offset ?? 0;
    const limit = q.limit ?? 1000;
    const page = all.slice(offset, offset + limit).map(({ event: _e, ...p }) => p);
    res.json({ examples: page, next: offset + limit < all.length ? offset + limit : null });
  });

  app.delete(`${API}/examples/:exampleId`, requireRole('review'), async (req, res) => {
    const id = String(req.params.exampleId);
    const live = await d.company.get(id);
    if (!live) throw new HttpError(404, `no company example ${id} (unknown, or already removed)`);
    const removal: ExampleRemovalPayload = { event: 'example-removal', example_id: id, who: principalOf(req).who, created_at: new Date().toISOString() };
    await appendExamples(d.store, d.idOf(req), [removal]);
    req.log.info({ example: id, who: removal.who }, 'company example removed');
    const { event: _e, ...response } = removal;
    res.json({ removed: response, example: (({ event: _x, ...p }) => p)(live) });
  });
}
