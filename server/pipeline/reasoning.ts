// Step 6b: the reasoning chain of a row, as a customs broker would write it: which GRI decided, the
// rules applied in order, the Notes cited, the precedents, and a one-line summary for a spreadsheet cell.
// Only what happened is claimed: a rule is named as deciding only when it changed the answer (or, for
// GRI 2(a), 3(b) sets and 5, when it names the rule the goods are classified under), and every Section or
// Chapter Note that removed or promoted a candidate is listed.
import type { RulesOutcome } from './rules';
import type { CandidateResult, Dataset, Reasoning, ReasoningStep } from '../types';

const dotted = (hs6: string) => `${hs6.slice(0, 4)}.${hs6.slice(4)}`;

/** The Section and Chapter Notes a citation names ("GRI 3(b); Section XI Note 2(A)" -> ["Section XI Note 2(A)"]). */
export function notesOf(citation: string): string[] {
  return citation
    .split(';')
    .map((c) => c.trim())
    .filter((c) => /\bnote\b/i.test(c));
}


/** `named`: the description's head noun, when the top candidate's heading names the goods by it (head.ts). */
export function explainReasoning(ds: Dataset, candidates: CandidateResult[], outcome: RulesOutcome, named: string | null = null): Reasoning {
  const top = candidates[0];
  const steps: ReasoningStep[] = outcome.steps.map((s) => ({ ...s, codes: s.codes.slice() }));
  const { decidedBy, headingBy } = outcome;
  const sub = decidedBy && decidedBy.gri === 'GRI 6' ? decidedBy : null;
  const heading = top.hs6.slice(0, 4);
  const headingText = ds.hs.nodes.get(heading)?.description ?? '';
  const examples = top.examples.length;
  const subPart = sub ? `subheading ${dotted(top.hs6)} by GRI 6: ${sub.detail.replace(/\.$/, '')}` : `subheading ${dotted(top.hs6)} by comparison at subheading level (GRI 6)`;
  const byTerms =
    `Heading ${heading} (${headingText}) by its terms (GRI 1): ${named ? `its text names the goods as the description does ("${named}"), and it is ` : ''}the closest match of the description in the statistical ranking ` +
    `among the headings no Note or GRI excludes${examples ? `, supported by ${examples} similar labelled example${examples > 1 ? 's' : ''}` : ''}; ${subPart}.`;
  let detail: string;
  // a Note that names where the goods go sends them there; one that only excludes leaves the heading to its terms
  if (headingBy && headingBy.codes.some((c) => top.hs6.startsWith(c))) detail = `${headingBy.citation} sends the goods to heading ${heading}; ${subPart}.`;
  else if (headingBy) detail = `${headingBy.citation} excludes ${headingBy.codes.join(', ')}; ${byTerms}`;
  else detail = byTerms;
  steps.push({
    rule: headingBy ? `${headingBy.rule}:result` : 'gri-1-6-terms',
    gri: headingBy ? headingBy.gri : 'GRI 1',
    action: 'decide',
    codes: [top.hs6],
    citation: headingBy ? `${headingBy.citation}; GRI 6` : 'GRI 1; GRI 6',
    detail,
  });
  const notes = [...new Set(outcome.steps.flatMap((s) => notesOf(s.citation)))];
  const rulings = top.rulings;
  const gri = headingBy ? headingBy.gri : 'GRI 1';
  const basis =
    headingBy
      ? headingBy.citation.startsWith(gri)
        ? headingBy.citation
        : `${gri} (${headingBy.citation})`
      : `${gri} (terms of heading ${heading})`;
  const summary = [
    `${dotted(top.hs6)}: ${basis}, GRI 6 for the subheading${sub ? ` (${sub.rule.replace(/^gri-6-/, '').replace(/-/g, ' ')})` : ''}`,
    notes.length ? `notes: ${notes.join(', ')}` : '',
    rulings.length ? `precedent: ${rulings.map((r) => `${r.ruling}${r.stale ? ' (stale)' : ''}`).join(', ')}` : 'no precedent ruling',
  ]
    .filter(Boolean)
    .join('; ');
  return { gri, steps, notes, rulings, summary };
}
