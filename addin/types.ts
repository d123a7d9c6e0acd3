// The parts of the service's POST /api/v1/classify response the add-in uses (see server/service/schemas.ts).
// Kept here, without zod, so the task-pane bundle stays small; the end-to-end test runs against the real service.

import type { DutyStackCells } from './columns';

export type Country = 'US' | 'EU';
export type RowStatus = 'ok' | 'review' | 'error';

export interface ExampleRef {
  text: string;
  code: string;
  source: string;
  ruling?: string;
  date?: string;
  similarity: number;
}

export interface RulingRef {
  ruling: string;
  date?: string;
  code: string;
  subject?: string;
  stale?: boolean;
}

export interface Candidate {
  hs6: string;
  code: string;
  confidence: number;
  description: string;
  examples: ExampleRef[];
  rulings?: RulingRef[];
  nationalDescription?: string;
  unit?: string | null;
  generalRate?: string | null;
  /** With an origin: the US duty stack of the line (see server/duties/stack.ts). */
  duties?: DutyStackCells;
  missingDetail?: string;
  /** When the national line is not decided: the likely line and why. */
  likely?: { code: string; basis: string };
  /** The details that would decide the subheading or national line. */
  questions?: string[];
}

export interface ReasoningStep {
  rule: string;
  gri: string;
  action: string;
  codes: string[];
  citation: string;
  detail: string;
}

export interface Reasoning {
  gri: string;
  steps: ReasoningStep[];
  notes: string[];
  rulings: RulingRef[];
  summary: string;
}

export interface ResultRow {
  id: string | number;
  description: string | null;
  status: RowStatus;
  candidates: Candidate[];
  reasoning?: Reasoning;
  error?: string;
  memory?: { code: string; verdict: string; who: string; match?: string };
}

export interface ClassifyResponse {
  request_id: string;
  kind: 'classify';
  created_at: string;
  country: Country | null;
  row_count: number;
  rows: ResultRow[];
}

/** One row sent to the service. */
export interface RequestRow {
  description: string | number | null;
  item_id?: string | number;
  /** Country of origin (ISO 3166-1 alpha-2): the service adds the US duty stack to the row's US lines. */
  origin?: string;
}
