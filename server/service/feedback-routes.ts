// /api/v1/feedback: reviewers confirm or correct a row (review role), list the feedback (review), and an admin
// withdraws an event. Every event and withdrawal is a 'feedback' record of the audit chain; nothing is deleted.
// The reviewer is the name of the request's API key, never a field of the body.
import crypto from 'node:crypto';
import type express from 'express';
import type { Request } from 'express';
import { excludedBy, type Engine } from '../classifier';
import type { AuditStore } from '../audit/store';
import { FeedbackQuery, FeedbackRequest, WithdrawRequest, type ResultRowT } from './schemas';
import { HttpError, parse } from './http';
import { principalOf, requireRole } from './auth';
import { cleanDescription } from './rows';
import { checkCode, type NationalIndex } from '../memory/codes';
import { memoryEvents, memoryKey, memoryStates, type FeedbackPayload, type WithdrawalPayload } from '../memory/feedback';
import { API } from './paths';

export interface FeedbackDeps {
  engine: Engine;
  store: AuditStore;
  idx: NationalIndex;
  /** FEEDBACK_APPROVALS. */
  approvals: number;
  idOf: (req: Request) => string;
}

const PAGE = 100;

export function registerFeedbackRoutes(app: express.Express, d: FeedbackDeps): void {
  const { engine, store, idx } = d;

  app.post(`${API}/feedback`, requireRole('review'), async (req, res) => {
    const body = parse(FeedbackRequest, req.body);
    const who = principalOf(req).who;
    const rowText = await store.getRow(body.request_id, body.row);
    if (rowText === null) {
      const known = await store.hasRequest(body.request_id);
      throw new HttpError(404, known ? `request ${body.request_id} has no row ${body.row}` : `unknown request id ${body.request_id}`);
    }
    const row = JSON.parse(rowText) as Partial<ResultRowT>;
    if (!Array.isArray(row.candidates)) throw new HttpError(400, `request ${body.request_id} is not a classification: give feedback on the original request's rows`);
    if (!row.description) throw new HttpError(400, `request ${body.request_id} row ${body.row} has no description to remember`);
    const checked = checkCode(engine, idx, body.code);
    if ('error' in checked) throw new HttpError(400, `code: ${checked.error}`, [{ path: 'code', message: checked.error }]);
    const key = memoryKey(cleanDescription(row.description) ?? '');
    if (!key) throw new HttpError(400, `request ${body.request_id} row ${body.row} has no words to remember`);
    const rule = await excludedBy(engine, row.description, body.code);
    if (rule) {
      throw new HttpError(422, `code: ${rule.citation} excludes ${body.code} for "${row.description}" (${rule.detail.replace(/\.$/, '')}); nothing was recorded`, [
        { path: 'code', message: `excluded by ${rule.citation}` },
      ]);
    }
    const top = row.candidates[0];
    const same = top !== undefined && (body.code === top.code || (body.code.length === 6 && body.code === top.hs6));
    const createdAt = new Date().toISOString();
    const fb: FeedbackPayload = {
      event: 'feedback',
      feedback_id: crypto.randomUUID(),
      request_id: body.request_id,
      row: body.row,
      description: row.description,
      code: body.code,
      country: checked.country,
      verdict: same ? 'confirmed' : 'corrected',
      previous_code: top?.code ?? null,
      who,
      comment: body.comment ?? null,
      created_at: createdAt,
    };
    await store.appendFeedback({ requestId: body.request_id, createdAt, lookupKey: key, payload: JSON.stringify(fb) });
    const state = memoryStates(memoryEvents(await store.readFeedback({ keys: [key] })), d.approvals).get(key);
    const count = state?.votes.find((v) => v.code === body.code)?.approvals ?? 0;
    req.log.info({ feedback: fb.feedback_id, of: body.request_id, row: body.row, verdict: fb.verdict, who, approvals: count }, 'feedback recorded');
    const { country: _c, event: _e, ...response } = fb;
    res.status(201).json({ ...response, approvals: { code: body.code, count, needed: d.approvals, served: state?.answer?.code === body.code } });
  });

  app.get(`${API}/feedback`, requireRole('review'), async (req, res) => {
    const q = parse(FeedbackQuery, req.query);
    const limit = q.limit ?? PAGE;
    const since = q.since ? new Date(q.since).toISOString() : null;
    const all = await store.readFeedback({});
    const { events, withdrawn } = memoryEvents(all);
    const picked = events.filter(
      (e) => e.seq > (q.after ?? 0) && (!q.request_id || e.request_id === q.request_id) && (!q.code || e.code === q.code) && (!since || e.created_at >= since),
    );
    const page = picked.slice(0, limit).map(({ lookup_key: _k, event: _e, ...e }) => {
      const w = withdrawn.get(e.feedback_id);
      return { ...e, withdrawn: w ? { withdrawal_id: w.withdrawal_id, who: w.who, reason: w.reason, created_at: w.created_at } : null };
    });
    res.json({ events: page, next: picked.length > limit ? page[page.length - 1].seq : null });
  });

  app.post(`${API}/feedback/:feedbackId/withdraw`, requireRole('admin'), async (req, res) => {
    const id = String(req.params.feedbackId);
    const body = parse(WithdrawRequest, req.body ?? {});
    const { events, withdrawn } = memoryEvents(await store.readFeedback({}));
    const event = events.find((e) => e.feedback_id === id);
    if (!event) throw new HttpError(404, `unknown feedback id ${id}`);
    const already = withdrawn.get(id);
    if (already) throw new HttpError(409, `feedback ${id} was already withdrawn by ${already.who} on ${already.created_at}`);
    const w: WithdrawalPayload = {
      event: 'withdrawal',
      withdrawal_id: crypto.randomUUID(),
      feedback_id: id,
      who: principalOf(req).who,
      reason: body.reason ?? null,
      created_at: new Date().toISOString(),
    };
    await store.appendFeedback({ requestId: event.request_id, createdAt: w.created_at, lookupKey: event.lookup_key, payload: JSON.stringify(w) });
    req.log.info({ feedback: id, withdrawal: w.withdrawal_id, who: w.who }, 'feedback withdrawn');
    const { event: _e, ...response } = w;
    res.status(201).json(response);
  });
}
