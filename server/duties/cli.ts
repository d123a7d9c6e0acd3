// The command-line side of the duty stack: `hs-classify duties`, and the origin options of classify and review.
import { InputError, readRows } from '../cli/io';
import { addDuties, checkOrigin, DutyInputError, type DutyOptions } from './apply';
import { loadDutyData, type DutyData } from './load';
import { checkCountry, checkDate, dutyStack } from './stack';

export interface DutyCliOptions {
  origin?: string;
  originColumn?: string;
  date?: string;
  steelPourCountry?: string;
  aluminumSmeltCountry?: string;
}

/** `hs-classify duties --code ... --origin ...`: the stack as JSON on stdout. A bad query is an InputError (exit 2). */
export function runDuties(o: { code: string; origin: string; date?: string; steelPourCountry?: string; aluminumSmeltCountry?: string }, out: (s: string) => void): void {
  const d = loadDutyData();
  try {
    const s = dutyStack(d, { code: o.code, origin: o.origin, date: o.date, steel_pour_country: o.steelPourCountry, aluminum_smelt_country: o.aluminumSmeltCountry });
    out(`${JSON.stringify(s, null, 2)}\n`);
  } catch (e) {
    if (e instanceof DutyInputError) throw new InputError(e.message);
    throw e;
  }
}

/** The checked duty options of a run: the data, the fixed origin (or null with an origin column) and the other options. */
export interface CheckedDuties {
  data: DutyData;
  origin: string | null;
  options: Omit<DutyOptions, 'origin'>;
}

/**
 * Checks the duty options of a classify/review run (an origin needs the US lines; a bad origin, date or country
 * fails the run, not every row) and loads the data. Returns null when no origin was asked for.
 */
export function checkDutyOptions(o: DutyCliOptions & { country?: string }): CheckedDuties | null {
  if (!o.origin && !o.originColumn) {
    if (o.date || o.steelPourCountry || o.aluminumSmeltCountry) throw new InputError('--date, --steel-pour-country and --aluminum-smelt-country need --origin or --origin-column');
    return null;
  }
  if (o.origin && o.originColumn) throw new InputError('give --origin or --origin-column, not both');
  if (o.country !== 'US') throw new InputError('duties need the US 10-digit lines: add --country US');
  const data = loadDutyData();
  const rethrow = (f: () => unknown) => {
    try {
      return f();
    } catch (e) {
      if (e instanceof DutyInputError) throw new InputError(e.message.replace(/^(\w+):/, (_m, f: string) => `--${f.replace(/_/g, '-')}:`));
      throw e;
    }
  };
  const origin = o.origin ? (rethrow(() => checkOrigin(data, o.origin!)) as string) : null;
  const date = rethrow(() => checkDate(o.date)) as string;
  rethrow(() => [checkCountry(data, 'steel_pour_country', o.steelPourCountry), checkCountry(data, 'aluminum_smelt_country', o.aluminumSmeltCountry)]);
  return { data, origin, options: { date, steel_pour_country: o.steelPourCountry, aluminum_smelt_country: o.aluminumSmeltCountry } };
}

/** Checked duty options with the per-row origins (row i of `origins` goes with row i of the descriptions). */
export type PreparedDuties = CheckedDuties & { origins: (string | null)[] };

/**
 * Prepares the duties of a classify run: checkDutyOptions, then the origin column when one is named. Per-row origins
 * are read with the same reader as the descriptions, so they line up row for row.
 */
export async function prepareDuties(o: DutyCliOptions & { country?: string; input: string; idColumn?: string; sheet?: string }): Promise<PreparedDuties | null> {
  const checked = checkDutyOptions(o);
  if (!checked) return null;
  // The origin column is read on its own (one short value per row); row i of it goes with row i of the descriptions.
  const origins = o.originColumn ? (await readRows(o.input, { column: o.originColumn, idColumn: o.idColumn, sheet: o.sheet })).map((r) => r.description) : [];
  return { ...checked, origins };
}

interface Row {
  id: string | number;
  description: string | null;
  status: 'ok' | 'review' | 'error';
  candidates: Array<{ code: string }>;
  error?: string;
  [k: string]: unknown;
}

/** The row with its duties; a row whose origin is blank or unknown becomes an error row saying so. */
export function withDuties<R extends Row>(p: PreparedDuties, row: R, i: number): R {
  if (row.status === 'error') return row;
  const given = p.origin ?? p.origins[i] ?? null;
  if (!given) return { ...row, status: 'error', candidates: [], error: 'origin: blank (the origin column has no value on this row)' };
  try {
    return addDuties(p.data, row, { origin: checkOrigin(p.data, given), ...p.options });
  } catch (e) {
    if (e instanceof DutyInputError) return { ...row, status: 'error', candidates: [], error: e.message };
    throw e;
  }
}
