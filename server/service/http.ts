// What the route modules share: the error a handler throws to answer with a status, and body/query validation.
import type { ZodError } from 'zod';
import { zodIssues } from './schemas';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues?: { path: string; message: string }[],
  ) {
    super(message);
  }
}

/** Validates with a zod schema; a 400 HttpError naming every field that fails. */
export function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: ZodError } }, body: unknown): T {
  const r = schema.safeParse(body ?? undefined);
  if (!r.success) {
    const issues = zodIssues(r.error);
    throw new HttpError(400, `invalid request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }
  return r.data;
}
