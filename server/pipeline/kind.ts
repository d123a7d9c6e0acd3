// The kind of text a description is, told from the text alone, so that confidences can be calibrated per
// kind: the same fused score means something else on a 30-character parcel line, a ruling's sentence and a
// keyword-stuffed marketplace title.
//   - invoice: short lines (invoice, parcel, glossary terms): at most 60 characters;
//   - ruling:  descriptive prose (CBP and BTI ruling texts): longer, with the function words of sentences, or
//              two or more sentences (the telegraphic upper-case texts of EU BTI rulings: "WOVEN JACKET FOR MEN.
//              V-NECK WITH COLLAR. OPENING AT FRONT ...");
//   - listing: longer text without them (marketplace titles, category paths, attribute lists).
export const TEXT_KINDS = ['invoice', 'ruling', 'listing'] as const;
export type TextKind = (typeof TEXT_KINDS)[number];

const FUNCTION_WORDS = new Set(['the', 'a', 'an', 'is', 'are', 'of', 'which', 'that', 'consists', 'consisting', 'made', 'used', 'has', 'its', 'it', 'in', 'into', 'be', 'been', 'this', 'by', 'designed', 'containing', 'including', 'composed']);
/** A full stop between two words: the end of one sentence and the start of the next. */
const SENTENCE_BREAK = /[a-z]\.\s+[a-z]/gi;

export function textKind(description: string): TextKind {
  const text = description.trim();
  if (text.length <= 60) return 'invoice';
  const words = text.toLowerCase().match(/[a-z]+/g) ?? [];
  const fn = words.filter((w) => FUNCTION_WORDS.has(w)).length;
  if (words.length && fn / words.length >= 0.12) return 'ruling';
  return (text.match(SENTENCE_BREAK) ?? []).length >= 2 ? 'ruling' : 'listing';
}
