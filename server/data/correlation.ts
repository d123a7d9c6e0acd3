import type { Correlation } from '../types';
import { DataError } from './errors';
import { DATA_FILES, type FileLog, readCsv, relativeName } from './files';

const RELATIONSHIPS = new Set(['1:1', '1:n', 'n:1', 'n:n']);

/**
 * Load the HS 2022 <-> HS 2017 correlation (nomenclature/hs2022-hs2017-correlation.csv:
 * `hs2022,hs2017,relationship`). Both maps hold sorted, distinct subheadings.
 */
export function loadCorrelation(dir: string, log?: FileLog): Correlation {
  const file = relativeName(dir, DATA_FILES.correlation);
  const rows = readCsv(dir, DATA_FILES.correlation, ['hs2022', 'hs2017', 'relationship'], log);
  const from2017 = new Map<string, Set<string>>();
  const to2017 = new Map<string, Set<string>>();
  for (const { line, values } of rows) {
    const a = values.hs2022.trim();
    const b = values.hs2017.trim();
    const rel = values.relationship.trim();
    if (!/^\d{6}$/.test(a)) throw new DataError(file, `line ${line}: hs2022 "${a}" is not 6 digits`);
    if (!/^\d{6}$/.test(b)) throw new DataError(file, `line ${line}: hs2017 "${b}" is not 6 digits`);
    if (!RELATIONSHIPS.has(rel)) throw new DataError(file, `line ${line}: relationship "${rel}" is not one of 1:1, 1:n, n:1, n:n`);
    add(from2017, b, a);
    add(to2017, a, b);
  }
  return { from2017: sorted(from2017), to2017: sorted(to2017) };
}

function add(map: Map<string, Set<string>>, key: string, value: string): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

function sorted(map: Map<string, Set<string>>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const key of [...map.keys()].sort()) out.set(key, [...map.get(key)!].sort());
  return out;
}
