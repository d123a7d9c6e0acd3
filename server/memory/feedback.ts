// The classification memory: what reviewers confirmed or corrected, kept as 'feedback' records of the audit chain.
// A feedback event is one reviewer's code for one normalised description; a withdrawal (an admin's) takes one event
// out of the count, never out of the chain. A code becomes the memory answer for a description once
// `approvals` distinct reviewers' latest events agree on it; when more than one code qualifies, the one that
// qualified last wins (later corrections supersede earlier ones). Everything here is plain data in, plain data out.
import { cutCodePoints } from '../pipeline/description';
import { normalise } from '../pipeline/normalise';
import type { ChainRecord } from '../audit/store';
import type { Country } from '../types';

/**
 * The key under which feedback is remembered. The memory matches near-exactly: the same classifying words,
 * whatever their order, case, plural, punctuation, SKUs, prices or quantities ("Men's T-Shirts cotton, 12 pcs"
 * matches "mens cotton t-shirt"). Whether the match was also exact is told apart in the row's `memory.match`.
 */
export function memoryKey(description: string): string {
  return [...new Set(normalise(cutCodePoints(description)).tokens)].sort().join(' ');
}

/** A feedback event (the payload of a 'feedback' chain record; records written before events had kinds have no `event`). */
export interface FeedbackPayload {
  event?: 'feedback';
  feedback_id: string;
  request_id: string;
  row: number;
  description: string;
  code: string;
  /** The country whose national line `code` is, when it has more than 6 digits. */
  country: Country | null;
  verdict: 'confirmed' | 'corrected';
  previous_code: string | null;
  /** The reviewer: the name of the API key that sent it ("api-key" for a bare key, "local" without keys). */
  who: string;
  comment: string | null;
  created_at: string;
}

/** An admin's withdrawal of one feedback event (its record has the event's lookup key). */
export interface WithdrawalPayload {
  event: 'withdrawal';
  withdrawal_id: string;
  feedback_id: string;
  who: string;
  reason: string | null;
  created_at: string;
}

export interface FeedbackEvent extends FeedbackPayload {
  seq: number;
  lookup_key: string;
}

export interface MemoryEvents {
  /** Feedback events in chain order. */
  events: FeedbackEvent[];
  /** Withdrawals by the feedback id they withdraw. */
  withdrawn: Map<string, WithdrawalPayload>;
}

/** Reads the feedback events and withdrawals out of 'feedback' records (other payloads, e.g. company examples, are skipped). */
export function memoryEvents(records: ChainRecord[]): MemoryEvents {
  const events: FeedbackEvent[] = [];
  const withdrawn = new Map<string, WithdrawalPayload>();
  for (const r of records) {
    const p = JSON.parse(r.payload) as { event?: string };
    if (p.event === 'withdrawal') withdrawn.set((p as WithdrawalPayload).feedback_id, p as WithdrawalPayload);
    else if ((p.event === undefined || p.event === 'feedback') && r.lookupKey !== null) events.push({ ...(p as FeedbackPayload), seq: r.seq, lookup_key: r.lookupKey });
  }
  return { events, withdrawn };
}

export interface Approval {
  who: string;
  at: string;
  feedback_id: string;
}

/** The memory's answer for one description: the code, its approvals (oldest first) and the event that completed them. */
export interface MemoryAnswer {
  code: string;
  country: Country | null;
  approvals: Approval[];
  /** The latest approving event (its id, verdict, request and row are shown). */
  latest: FeedbackEvent;
}

/** Where the codes of one description stand: the answer (when a code has enough approvals) and every code's count. */
export interface MemoryState {
  answer: MemoryAnswer | null;
  votes: { code: string; approvals: number }[];
  needed: number;
}

/** The state of one description's memory from its events (chain order), leaving withdrawn events out. */
export function memoryState(events: FeedbackEvent[], withdrawn: Map<string, unknown>, needed: number): MemoryState {
  const latestByWho = new Map<string, FeedbackEvent>();
  for (const e of events) if (!withdrawn.has(e.feedback_id)) latestByWho.set(e.who, e);
  const byCode = new Map<string, FeedbackEvent[]>();
  for (const e of [...latestByWho.values()].sort((a, b) => a.seq - b.seq)) {
    const l = byCode.get(e.code);
    if (l) l.push(e);
    else byCode.set(e.code, [e]);
  }
  let answer: MemoryAnswer | null = null;
  let reachedAt = -1;
  for (const [code, votes] of byCode) {
    if (votes.length < needed) continue;
    // of the codes with enough approvals, the one most recently approved supersedes the others
    const last = votes[votes.length - 1];
    if (last.seq > reachedAt) {
      reachedAt = last.seq;
      answer = { code, country: last.country, approvals: votes.map((v) => ({ who: v.who, at: v.created_at, feedback_id: v.feedback_id })), latest: last };
    }
  }
  return { answer, votes: [...byCode].map(([code, v]) => ({ code, approvals: v.length })), needed };
}

/** The states of every description among the events, by lookup key. */
export function memoryStates(m: MemoryEvents, needed: number): Map<string, MemoryState> {
  const byKey = new Map<string, FeedbackEvent[]>();
  for (const e of m.events) {
    const l = byKey.get(e.lookup_key);
    if (l) l.push(e);
    else byKey.set(e.lookup_key, [e]);
  }
  return new Map([...byKey].map(([k, evs]) => [k, memoryState(evs, m.withdrawn, needed)]));
}

/** FEEDBACK_APPROVALS: distinct reviewers who must agree before a code is served from the memory (default 1). */
export function approvalsFrom(env: NodeJS.ProcessEnv): number {
  const v = env.FEEDBACK_APPROVALS;
  if (v === undefined || v.trim() === '') return 1;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new Error(`FEEDBACK_APPROVALS must be a whole number from 1 to 100, not "${v}"`);
  return n;
}
