// Opens the classifier: reference data, configuration, and the model (from the cache, or trained).
import crypto from 'node:crypto';
import { loadDataset } from './data';
import { loadConfig } from './config';
import { loadOrTrain, newestModelFile, readShared } from './cache';
import { createEngine, type Engine } from './classifier';
import { loadRules } from './rules/load';

export interface OpenedEngine {
  engine: Engine;
  /** Content hashes that identify what answered: model (data + training config + code), data, config, rules. */
  versions: { model: string; data: string; config: string; rules: string };
  timings: { dataMs: number; modelMs: number; fromCache: boolean; shared?: boolean };
}

/** A model file's bytes in memory that threads share (see cache.ts). */
export interface SharedModel {
  file: string;
  bytes: Uint8Array;
}

/** The newest cached model read into shared memory, for the engines of a process's threads; null when none is cached. */
export function sharedModel(): SharedModel | null {
  const file = newestModelFile();
  return file ? { file, bytes: readShared(file) } : null;
}

/** `shared`: the model's bytes already in (shared) memory, used when they are the model this data and config need. */
export function openEngine(opts: { dataDir?: string; configFile?: string; useCache?: boolean; log?: (m: string) => void; shared?: SharedModel | null } = {}): OpenedEngine {
  const t0 = performance.now();
  const ds = loadDataset(opts.dataDir);
  const dataMs = performance.now() - t0;
  const config = loadConfig(opts.configFile);
  const rules = loadRules();
  const cached = loadOrTrain(ds, config, { useCache: opts.useCache, log: opts.log, shared: opts.shared ?? undefined });
  const hash = (s: string) => crypto.createHash('sha256').update(s).digest('hex').slice(0, 16);
  return {
    engine: createEngine(ds, cached.model, config, rules),
    versions: {
      model: cached.key.slice(0, 16),
      data: hash(ds.files.map((f) => f.sha256).join()),
      config: hash(JSON.stringify(config)),
      rules: rules.version,
    },
    timings: { dataMs, modelMs: cached.ms, fromCache: cached.fromCache, shared: !!cached.shared },
  };
}
