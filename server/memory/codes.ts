// The codes reviewers and company lists may give: an HS 2022 subheading (6 digits), or a US HTS (10 or 8 digits) or
// EU CN (8 digits) line. Codes are strings of digits, always.
import type { Engine } from '../classifier';
import type { Country, NationalLine } from '../types';

export interface NationalIndex {
  US: Map<string, NationalLine>;
  EU: Map<string, NationalLine>;
}

export function nationalIndex(engine: Pick<Engine, 'ds'>): NationalIndex {
  return { US: new Map(engine.ds.us.map((l) => [l.code, l])), EU: new Map(engine.ds.eu.map((l) => [l.code, l])) };
}

/** The country whose tariff has this 8/10-digit line (EU first for 8 digits), or null when neither has it. */
export function nationalCountry(idx: NationalIndex, code: string): Country | null {
  if (code.length === 10) return idx.US.has(code) ? 'US' : null;
  if (code.length === 8) return idx.EU.has(code) ? 'EU' : idx.US.has(code) ? 'US' : null;
  return null;
}

export const CODE_RE = /^(\d{6}|\d{8}|\d{10})$/;

/** The code's HS 6 and country, or why it is not a code this product knows (a message that names the code). */
export function checkCode(engine: Pick<Engine, 'ds'>, idx: NationalIndex, code: string): { hs6: string; country: Country | null } | { error: string } {
  if (!CODE_RE.test(code)) return { error: `${JSON.stringify(code)} is not 6, 8 or 10 digits` };
  const hs6 = code.slice(0, 6);
  if (engine.ds.hs.nodes.get(hs6)?.level !== 6) return { error: `${hs6} is not an HS 2022 subheading` };
  if (code.length === 6) return { hs6, country: null };
  const country = nationalCountry(idx, code);
  return country ? { hs6, country } : { error: `${code} is not a US HTS or EU CN line` };
}
