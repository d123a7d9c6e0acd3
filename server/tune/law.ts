// The cases where the law decides (test/fixtures/law-cases.json), as a constraint on tuning: fusion weights
// that move one of these answers away from the code the Note or GRI leads to are penalised, so the tuned
// configuration keeps them (test/rules-cases.test.ts checks the same cases on the committed one).
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { classify, type Engine } from '../classifier';

export const LAW_CASES_FILE = path.resolve(__dirname, '..', '..', 'test', 'fixtures', 'law-cases.json');

const LawCase = z.object({
  text: z.string().min(1),
  /** The expected code, or its prefix (chapter, heading). */
  code: z.string().regex(/^\d{2,6}$/),
  /** The citation the reasoning must give. */
  citation: z.string().optional(),
  /** A prefix no candidate may have (what the Note excludes). */
  not: z.string().regex(/^\d{2,6}$/).optional(),
});
export type LawCase = z.infer<typeof LawCase>;

export function loadLawCases(file = LAW_CASES_FILE): LawCase[] {
  const parsed = z.object({ cases: z.array(LawCase).min(1) }).safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data.cases;
}

/** Why the engine's answer to a case is wrong, or null when it is right. */
export async function lawFailure(engine: Engine, c: LawCase): Promise<string | null> {
  const r = await classify(engine, c.text);
  const best = r.candidates[0];
  if (!best) return `${c.text}: no answer (${r.error ?? r.status})`;
  if (!best.hs6.startsWith(c.code)) return `${c.text}: ${best.hs6}, expected ${c.code}`;
  if (c.not && r.candidates.some((x) => x.hs6.startsWith(c.not!))) return `${c.text}: a candidate in ${c.not}, which is excluded`;
  if (c.citation && !(r.reasoning?.steps.some((s) => s.citation === c.citation) && r.reasoning.summary.includes(c.citation))) return `${c.text}: ${c.citation} not cited`;
  return null;
}

export async function lawFailures(engine: Engine, cases: LawCase[]): Promise<string[]> {
  const out: string[] = [];
  for (const c of cases) {
    const f = await lawFailure(engine, c);
    if (f) out.push(f);
  }
  return out;
}
