// The API's request and response shapes, as zod schemas. The handlers validate requests with them and
// the OpenAPI document is generated from them (z.toJSONSchema), so the two cannot drift apart; the tests
// also parse real responses with the response schemas.
import { z } from 'zod';
import { MAX_DESCRIPTION_CHARS } from '../classifier';
import type { CandidateResult, Reasoning, RowStatus } from '../types';
import countriesFile from '../duties/countries.json';

const COUNTRIES: Record<string, string> = countriesFile.countries;

/** A country: ISO 3166-1 alpha-2 (any case), upper-cased. */
const IsoCountry = z
  .string()
  .trim()
  .toUpperCase()
  .refine((c) => COUNTRIES[c] !== undefined, { message: 'must be an ISO 3166-1 alpha-2 country code' });
/** A country of origin: ISO 3166-1 alpha-2 (any case), upper-cased; the United States is refused (chapter 98). */
export const Origin = IsoCountry
  .refine((c) => c !== 'US', { message: 'US goods returned are entered under chapter 98, which the duty stack does not cover' })
  .meta({ description: 'Country of origin, ISO 3166-1 alpha-2 (e.g. CN): adds the US duty stack to each US 10-digit candidate (needs country US).', example: 'CN' });
/** An entry date, YYYY-MM-DD. */
export const EntryDate = z.iso.date().meta({ description: 'Entry date for the duties, YYYY-MM-DD (default: today, UTC).', example: '2026-05-01' });

/** Most rows one POST /classify may carry. */
export const MAX_ROWS = 5000;
/** Largest JSON body accepted, in bytes (Excel's own payload limit for add-ins is 5 MB). */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;
/** Longest item id accepted, in characters. */
export const MAX_ITEM_ID_CHARS = 200;
export { MAX_DESCRIPTION_CHARS };

/** A caller's X-Request-Id is used when it is a UUID or 8-64 characters of [A-Za-z0-9-_]. */
export const REQUEST_ID_RE = /^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[A-Za-z0-9_-]{8,64})$/;

export const Country = z.enum(['US', 'EU']).meta({ description: 'Also choose the national line: US (HTS 10-digit) or EU (CN 8-digit).' });

export const ClassifyRow = z
  .object({
    description: z
      .union([z.string(), z.number(), z.null()])
      .meta({
        description:
          `The goods description (Unicode text). Numbers are read as text; null or blank gives an error row. ` +
          `Control characters are removed; longer than ${MAX_DESCRIPTION_CHARS} characters (Unicode code points) gives an error row; ` +
          `the classifier reads English only (a description mostly in another script gives an error row saying so).`,
        example: 'mens 100% cotton knitted t-shirt',
      }),
    item_id: z
      .union([z.string().max(MAX_ITEM_ID_CHARS), z.number()])
      .optional()
      .meta({ description: 'Identifies the row in the results; default: the row number (1-based).', example: 'INV-1-007' }),
    origin: Origin.optional(),
  })
  .meta({ id: 'ClassifyRow' });

export const ClassifyRequest = z
  .object({
    rows: z.array(ClassifyRow).min(1).max(MAX_ROWS).meta({ description: `1 to ${MAX_ROWS} rows.` }),
    country: Country.optional(),
    origin: Origin.optional().meta({ description: 'Default country of origin of the rows that give none (ISO 3166-1 alpha-2).' }),
    entry_date: EntryDate.optional(),
  })
  .meta({
    id: 'ClassifyRequest',
    example: { rows: [{ description: 'mens 100% cotton knitted t-shirt', item_id: '007' }, { description: 'lithium ion battery pack for laptop' }], country: 'US' },
  });

export const FeedbackRequest = z
  .object({
    request_id: z.string().regex(REQUEST_ID_RE, 'must be a request id returned by POST /classify'),
    row: z.number().int().min(1).max(MAX_ROWS).meta({ description: 'Row number in that request, 1-based.' }),
    code: z
      .string()
      .regex(/^(\d{6}|\d{8}|\d{10})$/, 'must be 6, 8 or 10 digits, as text')
      .meta({ description: 'The right code: HS 6, or the national line (US 10 / EU 8 digits) of the request\'s country.' }),
    comment: z.string().max(2000).optional(),
  })
  .meta({
    id: 'FeedbackRequest',
    description: 'The reviewer is the name of the API key (a review key); a `who` in the body is ignored.',
    example: { request_id: '3f0c6a52-2b1e-4c55-9a57-0a8f6f6d2f11', row: 1, code: '610910', comment: 'knitted, cotton' },
  });

export const WithdrawRequest = z
  .object({ reason: z.string().trim().min(1).max(2000).optional() })
  .meta({ id: 'WithdrawRequest' });

/** GET /feedback's query. */
export const FeedbackQuery = z
  .object({
    request_id: z.string().max(64).optional().meta({ description: 'Only feedback on rows of this request.' }),
    code: z.string().regex(/^(\d{6}|\d{8}|\d{10})$/, 'must be 6, 8 or 10 digits').optional().meta({ description: 'Only feedback giving this code.' }),
    since: z.iso.datetime({ offset: true }).or(z.iso.date()).optional().meta({ description: 'Only feedback recorded at or after this time (ISO 8601 date or date-time).' }),
    after: z.coerce.number().int().min(0).optional().meta({ description: 'Page on: the `next` of the previous page.' }),
    limit: z.coerce.number().int().min(1).max(1000).optional().meta({ description: 'Events per page (default 100, at most 1000).' }),
  })
  .meta({ id: 'FeedbackQuery' });

/** Company examples to import. */
export const ExamplesRequest = z
  .object({
    rows: z
      .array(
        z.object({
          description: z.string().min(1).max(MAX_DESCRIPTION_CHARS),
          code: z.string().meta({ description: 'HS 2022 subheading (6 digits) or a US HTS (10) / EU CN (8) line, as text; dots allowed.' }),
          item_id: z.union([z.string().max(MAX_ITEM_ID_CHARS), z.number()]).optional(),
        }),
      )
      .min(1)
      .max(MAX_ROWS),
  })
  .meta({ id: 'ExamplesRequest', example: { rows: [{ description: 'mens crew neck tee 100% cotton jersey', code: '610910', item_id: 'SKU-88231' }] } });

export const CompanyExample = z
  .object({
    example_id: z.string(),
    description: z.string(),
    code: z.string(),
    hs6: z.string(),
    country: Country.nullable(),
    item_id: z.string().nullable(),
    who: z.string(),
    created_at: z.string(),
  })
  .meta({ id: 'CompanyExample' });

export const ExamplesResponse = z
  .object({ examples: z.array(CompanyExample), next: z.number().int().nullable().optional() })
  .meta({ id: 'ExamplesResponse' });

// ---------------------------------------------------------------------------------------------------------
// Responses

const AsOf = z.object({ source: z.string(), revision: z.string(), effective: z.string().nullable() });
const DutyKind = z.enum(['general', 'special', 'column2', 'section301', 'section232', 'section122', 'ieepa']);
export const DutyStack = z
  .looseObject({
    code: z.string(),
    origin: z.string(),
    origin_name: z.string(),
    date: z.string(),
    duties: z.array(
      z.object({ kind: DutyKind, heading: z.string(), rate: z.string(), ad_valorem: z.number().nullable(), basis: z.string(), citation: z.string(), as_of: AsOf, note: z.string() }),
    ),
    total_ad_valorem: z.number().nullable().meta({ description: 'Sum of the parts in percent, when every part is ad valorem; else null (specific and compound rates are listed, not summed).' }),
    total_note: z.string().nullable(),
    may_apply: z.array(
      z.object({ kind: DutyKind, heading: z.string(), rate: z.string(), effect: z.enum(['adds', 'replaces', 'exempts']), condition: z.string(), citation: z.string(), as_of: AsOf }),
    ).meta({ description: 'Provisions that depend on facts the request does not give (partial coverage, product exclusions, end use, melt and pour): never applied.' }),
    not_applied: z.array(z.object({ kind: DutyKind, heading: z.string(), reason: z.string(), citation: z.string(), as_of: AsOf })),
    not_covered: z.array(z.string()).meta({ description: 'What the data does not cover for this query, stated instead of guessed.' }),
  })
  .meta({ id: 'DutyStack', description: 'The US duty stack of one line for an origin and entry date, each part with the provision that imposes it and the revision it is as of.' });

const Example = z.looseObject({
  text: z.string(),
  code: z.string(),
  source: z.string(),
  ruling: z.string().optional(),
  date: z.string().optional(),
  similarity: z.number(),
});

export const Candidate = z
  .looseObject({
    hs6: z.string().regex(/^\d{6}$/),
    code: z.string().regex(/^\d{6,10}$/),
    confidence: z.number().min(0).max(1),
    description: z.string(),
    examples: z.array(Example),
    nationalDescription: z.string().optional(),
    unit: z.string().nullable().optional(),
    generalRate: z.string().nullable().optional(),
    duties: DutyStack.optional(),
    missingDetail: z.string().optional(),
    rulings: z.array(z.looseObject({ ruling: z.string(), code: z.string() })).optional(),
    likely: z
      .object({ code: z.string().regex(/^\d{8,10}$/), basis: z.string() })
      .optional()
      .meta({ description: 'When the stated attributes do not decide the national line (code stays the HS 6): the line most labelled examples for such goods use, or else the statistical choice, and why.' }),
    questions: z
      .array(z.string())
      .optional()
      .meta({ description: 'The details that would decide the subheading or the national line, as questions an analyst can answer.' }),
    attributes: z
      .array(z.object({ level: z.enum(['subheading', 'national']), attribute: z.string(), text: z.string(), stated: z.string() }))
      .optional()
      .meta({ description: 'The attributes the description states that decided the subheading (GRI 6) or the national line, with the official text each meets.' }),
  })
  .meta({ id: 'Candidate' });

const Approval = z.object({ who: z.string(), at: z.string(), feedback_id: z.string() });

export const Memory = z
  .object({
    feedback_id: z.string().meta({ description: 'The latest approving feedback event.' }),
    code: z.string(),
    verdict: z.enum(['confirmed', 'corrected']),
    who: z.string().meta({ description: 'The reviewer of the latest approving event (the name of their API key).' }),
    at: z.string(),
    request_id: z.string(),
    row: z.number().int(),
    match: z.enum(['exact', 'near-exact']).optional(),
    approvals: z.number().int().optional().meta({ description: 'Distinct reviewers whose latest feedback gives this code (at least FEEDBACK_APPROVALS).' }),
    confirmed_by: z.array(Approval).optional().meta({ description: 'Who confirmed it and when, oldest first.' }),
    served: z.literal(false).optional().meta({ description: 'Present when the remembered code was not served: an exclusion rule excludes it for this description.' }),
    conflict: z
      .object({ rule: z.string(), citation: z.string(), detail: z.string() })
      .optional()
      .meta({ description: 'The Note (or other exclusion rule) that excludes the remembered code, and what was done.' }),
  })
  .meta({
    id: 'Memory',
    description:
      'Set when reviewers confirmed or corrected the code of this description (the classification memory) and FEEDBACK_APPROVALS of them agree. Matched exactly (same normalised text) or near-exactly (the same classifying words in any order, whatever the case, plurals, punctuation, SKUs or quantities). The remembered code is the first candidate with the model\'s own calibrated confidence for it (0 when the model does not rank it), the row is `ok`, and the reasoning starts with a classification-memory step; unless a Note excludes that code for the description: then `served` is false, `conflict` names the Note and the model\'s answer stands.',
  });

/** One row's result, as in the CLI's JSONL. Later pipeline steps may add fields (e.g. reasoning). */
export const ResultRow = z
  .looseObject({
    id: z.union([z.string(), z.number()]),
    description: z.string().nullable(),
    status: z.enum(['ok', 'review', 'error']),
    candidates: z.array(Candidate),
    error: z.string().optional(),
    memory: Memory.optional(),
    origin: z.string().optional().meta({ description: 'The country of origin the duties are for, when one was given.' }),
    entry_date: z.string().optional().meta({ description: 'The entry date the duties are for.' }),
  })
  .meta({ id: 'ResultRow' });

export const Versions = z
  .looseObject({
    model: z.string(),
    data: z.string(),
    config: z.string(),
    rules: z.string().optional(),
    duties: z.string().optional().meta({ description: 'Content hash of the US duty data (every file read, with the programme and country tables).' }),
    duties_revisions: z.string().optional().meta({ description: 'The revisions the duty data is as of: the schedule, chapter 99 with its effective date, the programme table.' }),
  })
  .meta({ id: 'Versions', description: 'Content hashes of what answered: model, reference data, configuration and legal rules (and, with the duty data, its hash and revisions).' });

export const ClassifyResponse = z
  .object({
    request_id: z.string(),
    kind: z.literal('classify'),
    created_at: z.string(),
    versions: Versions,
    country: Country.nullable(),
    row_count: z.number().int(),
    rows: z.array(ResultRow),
  })
  .meta({ id: 'ClassifyResponse' });

export const DutiesQuery = z
  .object({
    code: z.string().regex(/^\d{4}\.?\d{2}\.?\d{2}\.?\d{2}$/, 'must be a 10-digit US HTS line, as text').meta({ description: 'US HTS 10-digit line (dots allowed).', example: '6109100012' }),
    origin: Origin,
    date: EntryDate.optional(),
    // US is a country where the metal was melted or smelted (headings 9903.82.06-.08), not an origin refused.
    steel_pour_country: IsoCountry.optional().meta({ description: 'Where the steel was melted and poured (Section 232 melt-and-pour rules), e.g. US or GB.' }),
    aluminum_smelt_country: IsoCountry.optional().meta({ description: 'Where the aluminum was smelted and cast (Section 232), e.g. US or GB.' }),
  })
  .meta({ id: 'DutiesQuery' });

export const ChangedRow = z
  .object({
    row: z.number().int().meta({ description: 'Row number in the original request.' }),
    changed: z.array(z.enum(['answer', 'duties'])).optional().meta({ description: 'What changed: the status or codes, the duty stack, or both.' }),
    id: z.union([z.string(), z.number()]),
    description: z.string().nullable(),
    before: ResultRow,
    after: ResultRow,
  })
  .meta({ id: 'ChangedRow' });

export const ReclassifyResponse = z
  .object({
    request_id: z.string(),
    kind: z.literal('reclassify'),
    reclassified_from: z.string(),
    created_at: z.string(),
    versions: Versions,
    original_versions: Versions,
    country: Country.nullable(),
    row_count: z.number().int().meta({ description: 'Rows checked.' }),
    changed_count: z.number().int(),
    rows: z.array(ChangedRow).meta({ description: 'The rows whose status or candidate codes changed.' }),
  })
  .meta({ id: 'ReclassifyResponse' });

/** The fields of a recorded feedback event. */
const feedbackFields = {
  feedback_id: z.string(),
  request_id: z.string(),
  row: z.number().int(),
  description: z.string(),
  code: z.string(),
  verdict: z.enum(['confirmed', 'corrected']),
  previous_code: z.string().nullable(),
  who: z.string().meta({ description: 'The reviewer: the name of the API key ("api-key" for a bare key, "local" without keys).' }),
  comment: z.string().nullable(),
  created_at: z.string(),
};

export const FeedbackResponse = z
  .object({
    ...feedbackFields,
    approvals: z
      .object({ code: z.string(), count: z.number().int(), needed: z.number().int(), served: z.boolean() })
      .optional()
      .meta({ description: 'Where this code stands for the description after this event: distinct reviewers agreeing, how many are needed (FEEDBACK_APPROVALS), and whether it is now the memory answer.' }),
  })
  .meta({ id: 'FeedbackResponse' });

export const FeedbackEvent = z
  .looseObject({
    seq: z.number().int(),
    ...feedbackFields,
    withdrawn: z.object({ withdrawal_id: z.string(), who: z.string(), reason: z.string().nullable(), created_at: z.string() }).nullable(),
  })
  .meta({ id: 'FeedbackEvent' });

export const FeedbackList = z
  .object({ events: z.array(FeedbackEvent), next: z.number().int().nullable().meta({ description: 'Pass as `after` for the next page; null on the last.' }) })
  .meta({ id: 'FeedbackList' });

export const Withdrawal = z
  .object({ withdrawal_id: z.string(), feedback_id: z.string(), who: z.string(), reason: z.string().nullable(), created_at: z.string() })
  .meta({ id: 'Withdrawal' });

export const ErrorResponse = z
  .object({
    error: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    request_id: z.string().optional(),
  })
  .meta({ id: 'Error' });

export const HealthResponse = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });
export const ReadyResponse = z
  .object({ status: z.enum(['ready', 'not ready']), store: z.string(), versions: Versions })
  .meta({ id: 'Ready' });

/** One row's result as the service builds it (ResultRow, typed with the engine's own types). */
export type ResultRowT = {
  id: string | number;
  description: string | null;
  status: RowStatus;
  candidates: CandidateResult[];
  error?: string;
  reasoning?: Reasoning;
  memory?: z.infer<typeof Memory>;
  [k: string]: unknown;
};
export type VersionsT = { model: string; data: string; config: string; [k: string]: string };

/** "rows.3.description: expected string" style messages, one per problem. */
export function zodIssues(err: z.ZodError): { path: string; message: string }[] {
  return err.issues.map((i) => ({ path: i.path.map(String).join('.') || '(body)', message: i.message }));
}
