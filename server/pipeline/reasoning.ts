// Step 6b: the reasoning chain of a row, as a customs broker would write it: which GRI decided, the
// rules applied in order, the Notes cited, the precedents, and a one-line summary for a spreadsheet cell.
import type { RulesOutcome } from './rules';
import type { CandidateResult, Dataset, Reasoning, ReasoningStep } from '../types';

const dotted = (hs6: string) => `${hs6.slice(0, 4)}.${hs6.slice(4)}`;

export function explainReasoning(ds: Dataset, candidates: CandidateResult[], outcome: RulesOutcome): Reasoning {
  const top = candidates[0];
  const steps: ReasoningStep[] = outcome.steps.map((s) => ({ ...s, codes: s.codes.slice() }));
  const decided = outcome.decidedBy;
  const heading = top.hs6.slice(0, 4);
  const examples = top.examples.filter((e) => e.similarity > 0).length;
  steps.push({
    rule: decided ? `${decided.rule}:result` : 'gri-1-6-terms',
    gri: decided ? decided.gri : 'GRI 1',
    action: 'decide',
    codes: [top.hs6],
    citation: decided ? `${decided.citation}; GRI 6` : 'GRI 1; GRI 6',
    detail: decided
      ? `${decided.citation} sends the goods to ${dotted(top.hs6).slice(0, 4)}; subheading ${dotted(top.hs6)} by comparison at subheading level (GRI 6).`
      : `Heading ${heading} (${ds.hs.nodes.get(heading)?.description ?? ''}) by its terms (GRI 1), the closest match of the description ` +
        `among the headings no Note excludes${examples ? `, supported by ${examples} similar labelled example${examples > 1 ? 's' : ''}` : ''}; ` +
        `subheading ${dotted(top.hs6)} by comparison at subheading level (GRI 6).`,
  });
  const notes = [...new Set(outcome.steps.map((s) => s.citation).filter((c) => /note/i.test(c)))];
  const rulings = top.rulings;
  const gri = decided ? decided.gri : 'GRI 1';
  const summary = [
    `${dotted(top.hs6)}: ${gri}${decided ? (decided.citation === gri ? '' : ` (${decided.citation})`) : ` (terms of heading ${heading})`}, GRI 6 for the subheading`,
    notes.length ? `notes: ${notes.join(', ')}` : '',
    rulings.length ? `precedent: ${rulings.map((r) => `${r.ruling}${r.stale ? ' (stale)' : ''}`).join(', ')}` : 'no precedent ruling',
  ]
    .filter(Boolean)
    .join('; ');
  return { gri, steps, notes, rulings, summary };
}
