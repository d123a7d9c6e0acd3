// The country-of-origin option of the task pane: a fixed country for every row, or a column read from the same rows.
// The origins are checked against the same ISO 3166-1 alpha-2 list the service accepts (server/duties/countries.json),
// so a row with an unknown origin is sent without one (and says why in its Duties cell) instead of making the
// service refuse the whole chunk. No Office or DOM code.
import countriesFile from '../server/duties/countries.json';

const COUNTRIES: Record<string, string> = countriesFile.countries;

export type OriginOption = { kind: 'none' } | { kind: 'fixed'; country: string } | { kind: 'column'; column: string };

/** An origin cell's text checked: the upper-cased code, or why it cannot be used. */
export function checkOrigin(v: unknown): { origin: string } | { problem: string } {
  const t = v === null || v === undefined ? '' : String(v).trim();
  if (!t) return { problem: 'origin: blank (no country of origin on this row)' };
  const c = t.toUpperCase();
  if (!/^[A-Z]{2}$/.test(c)) return { problem: `origin: "${t.slice(0, 40)}" is not a two-letter country code (ISO 3166-1 alpha-2, e.g. CN)` };
  if (c === 'US') return { problem: 'origin: US goods returned are entered under chapter 98, which the duty stack does not cover' };
  if (COUNTRIES[c] === undefined) return { problem: `origin: "${c}" is not an ISO 3166-1 alpha-2 country code` };
  return { origin: c };
}

/** The pane's fixed-country text box checked; throws with a message for the pane when it is not a country code. */
export function fixedOrigin(text: string): string {
  const r = checkOrigin(text);
  if ('problem' in r) throw new Error(r.problem.replace(/^origin: /, 'Country of origin: ').replace(/ \(no country of origin on this row\)/, ': type a two-letter code such as CN'));
  return r.origin;
}
