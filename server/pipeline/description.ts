// What a description must be before it is classified: not too long (counted in characters as a reader counts them:
// Unicode code points, so an emoji is one, not two UTF-16 units) and written in English (Latin script). A
// description mostly in another script gets an error row that says so, instead of the misleading "only codes,
// prices, quantities or units" (the normaliser keeps Latin words only, so nothing of it would be read).

/** Longest description accepted, in characters (Unicode code points); longer ones give an error row (or are cut). */
export const MAX_DESCRIPTION_CHARS = 2000;

/** Characters as a reader counts them: code points (a lone surrogate counts as one). */
export function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** The first `max` code points of `s` (never splits a surrogate pair). */
export function cutCodePoints(s: string, max = MAX_DESCRIPTION_CHARS): string {
  if (s.length <= max) return s;
  let n = 0;
  let at = 0;
  for (const ch of s) {
    if (n === max) break;
    n++;
    at += ch.length;
  }
  return s.slice(0, at);
}

/** The error of a description over the limit, or null. */
export function tooLong(s: string): string | null {
  if (s.length <= MAX_DESCRIPTION_CHARS) return null;
  const n = codePointLength(s);
  return n > MAX_DESCRIPTION_CHARS ? `description is longer than ${MAX_DESCRIPTION_CHARS} characters (${n})` : null;
}

/** Scripts named in the message, in the order tried. */
const SCRIPTS: Array<[string, RegExp]> = [
  ['Arabic', /\p{Script=Arabic}/u],
  ['Hebrew', /\p{Script=Hebrew}/u],
  ['Cyrillic', /\p{Script=Cyrillic}/u],
  ['Greek', /\p{Script=Greek}/u],
  ['Chinese (Han)', /\p{Script=Han}/u],
  ['Japanese (kana)', /[\p{Script=Hiragana}\p{Script=Katakana}]/u],
  ['Korean (Hangul)', /\p{Script=Hangul}/u],
  ['Thai', /\p{Script=Thai}/u],
  ['Devanagari', /\p{Script=Devanagari}/u],
  ['Armenian', /\p{Script=Armenian}/u],
  ['Georgian', /\p{Script=Georgian}/u],
];

/** The non-Latin script most of the description's non-Latin letters are in (its name), or null when it has none. */
export function otherScript(s: string): string | null {
  const counts = new Map<string, number>();
  for (const ch of s) {
    if (!/\p{L}/u.test(ch) || /\p{Script=Latin}/u.test(ch)) continue;
    const name = SCRIPTS.find(([, re]) => re.test(ch))?.[0] ?? 'a non-Latin script';
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  let best: string | null = null;
  for (const [name, n] of counts) if (best === null || n > counts.get(best)!) best = name;
  return best;
}

export function englishOnly(script: string): string {
  return `the classifier reads English descriptions only: this one is written in ${script === 'a non-Latin script' ? script : `${script} script`}; translate it into English`;
}

/**
 * The error of a description written mostly in a script other than Latin (at least as many letters in other
 * scripts as in Latin: "USB充电器" too, where only "usb" would be read), or null. A mostly English description
 * with a word in another script ("cotton t-shirt (хлопок)") is classified on its English words.
 */
export function notEnglish(s: string): string | null {
  let latin = 0;
  let other = 0;
  for (const ch of s) {
    if (!/\p{L}/u.test(ch)) continue;
    if (/\p{Script=Latin}/u.test(ch)) latin++;
    else other++;
  }
  return other > 0 && other >= latin ? englishOnly(otherScript(s)!) : null;
}
