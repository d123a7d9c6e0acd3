import * as fs from 'node:fs';
import type { Dataset, SourceFile } from '../types';
import { loadCorrelation } from './correlation';
import { DataError } from './errors';
import { type EuCnStats, loadEuCn } from './eu-cn';
import { type ExampleStats, loadExamples } from './examples';
import { type FileLog, resolveDataDir } from './files';
import { loadHsTree } from './hs2022';
import { loadUsHts, type UsHtsStats } from './hts-us';

export interface LoadReport {
  /** Milliseconds per step and in total. */
  ms: { hs: number; us: number; eu: number; correlation: number; examples: number; total: number };
  us: Partial<UsHtsStats>;
  eu: Partial<EuCnStats>;
  examples: Partial<ExampleStats>;
}

/** Load everything, and say how long each step took and what was skipped. */
export function loadDatasetWithReport(dir: string = resolveDataDir()): { dataset: Dataset; report: LoadReport } {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(dir);
  } catch {
    stat = undefined;
  }
  if (!stat || !stat.isDirectory()) throw new DataError(dir, 'data directory not found (set HS_DATA_DIR)');

  const log: FileLog = new Map();
  const report: LoadReport = {
    ms: { hs: 0, us: 0, eu: 0, correlation: 0, examples: 0, total: 0 },
    us: {},
    eu: {},
    examples: {},
  };
  const start = performance.now();
  const timed = <T>(step: Exclude<keyof LoadReport['ms'], 'total'>, fn: () => T): T => {
    const t0 = performance.now();
    const out = fn();
    report.ms[step] = Math.round(performance.now() - t0);
    return out;
  };

  const hs = timed('hs', () => loadHsTree(dir, log));
  const us = timed('us', () => loadUsHts(dir, hs, log, report.us));
  const eu = timed('eu', () => loadEuCn(dir, hs, log, report.eu));
  const correlation = timed('correlation', () => loadCorrelation(dir, log));
  const { examples, unmapped } = timed('examples', () => loadExamples(dir, hs, correlation, log, report.examples));

  const files: SourceFile[] = [...log]
    .map(([path, sha256]) => ({ path, sha256 }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  report.ms.total = Math.round(performance.now() - start);
  return { dataset: { dir, hs, us, eu, correlation, examples, unmapped, files }, report };
}

/** Load the whole dataset from `dir` (default: HS_DATA_DIR, else ../shared/hs-data). */
export function loadDataset(dir: string = resolveDataDir()): Dataset {
  return loadDatasetWithReport(dir).dataset;
}
