// Repeated descriptions classified once. Supplier workbooks and invoice exports repeat their lines (the same
// product on many invoices); classification is a function of the engine, the description, the country and the
// options, so a description seen before in the same scope gets the same result text without a second run.
// Scope: the classifier (one engine) and, for calls with options (company examples), that options object:
// results computed with other options are never reused. The cache is bounded by the size of the results held.
import type { ClassifyOptions, EngineInfo, RowClassifier } from './index';
import type { ResultText } from './text';

/** RESULT_CACHE_MB from the environment: the results kept for repeated descriptions, in MB (0: none); default 64. */
export function resultCacheMb(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.RESULT_CACHE_MB;
  if (v === undefined || v.trim() === '') return 64;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 65536) throw new Error(`RESULT_CACHE_MB must be a number of MB from 0 to 65536, not "${v}"`);
  return n;
}

interface Entry {
  result: Promise<ResultText>;
  /** Bytes counted against the bound once the result is in (two per character: the worst case of a JS string). */
  bytes: number;
}

/** A RowClassifier that classifies each distinct description of a scope once and answers its repeats from memory. */
export class RepeatCache implements RowClassifier {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private readonly scopes = new WeakMap<object, number>();
  private nextScope = 1;
  /** Rows answered from the cache and rows sent to the inner classifier, since it was made. */
  readonly counts = { repeated: 0, classified: 0 };

  constructor(
    readonly inner: RowClassifier,
    readonly maxBytes: number,
  ) {}

  get workers(): number {
    return this.inner.workers;
  }

  private scope(o: ClassifyOptions): string {
    let id = 0;
    if (o.options !== undefined) {
      if (typeof o.options !== 'object' || o.options === null) return '';
      id = this.scopes.get(o.options) ?? this.nextScope++;
      this.scopes.set(o.options, id);
    }
    return `${o.country ?? ''}\u0000${id}\u0000`;
  }

  async classifyChunk(descriptions: string[], o: ClassifyOptions = {}): Promise<ResultText[]> {
    const scope = this.maxBytes > 0 ? this.scope(o) : '';
    if (!scope) return this.inner.classifyChunk(descriptions, o);
    const out: Promise<ResultText>[] = [];
    const misses: string[] = [];
    const settle: ((r: ResultText) => void)[] = [];
    const fail: ((e: unknown) => void)[] = [];
    for (const d of descriptions) {
      const key = scope + d;
      const hit = this.entries.get(key);
      if (hit) {
        // least recently used first: a hit moves to the end
        this.entries.delete(key);
        this.entries.set(key, hit);
        this.counts.repeated++;
        out.push(hit.result);
        continue;
      }
      this.counts.classified++;
      const entry: Entry = { result: new Promise<ResultText>((resolve, reject) => (settle.push(resolve), fail.push(reject))), bytes: 0 };
      entry.result.catch(() => undefined); // awaited below
      this.entries.set(key, entry);
      misses.push(d);
      out.push(entry.result);
      entry.result.then(
        (r) => {
          if (this.entries.get(key) !== entry) return;
          entry.bytes = 2 * (key.length + r.json.length) + 64;
          this.bytes += entry.bytes;
          this.evict();
        },
        () => {
          // a failed chunk (a worker lost, the pool closed) is not remembered
          if (this.entries.get(key) === entry) this.entries.delete(key);
        },
      );
    }
    if (misses.length) {
      this.inner.classifyChunk(misses, o).then(
        (rs) => rs.forEach((r, i) => settle[i](r)),
        (e) => fail.forEach((f) => f(e)),
      );
    }
    return Promise.all(out);
  }

  private evict(): void {
    for (const [key, e] of this.entries) {
      if (this.bytes <= this.maxBytes) return;
      if (!e.bytes) continue; // still being classified
      this.entries.delete(key);
      this.bytes -= e.bytes;
    }
  }

  /** Results held, and their size in bytes. */
  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  info(): Promise<EngineInfo> {
    return this.inner.info();
  }

  close(): Promise<void> {
    this.entries.clear();
    this.bytes = 0;
    return this.inner.close();
  }
}

/** For a run's log: how many rows repeated a description classified before ('' without a RepeatCache). */
export function repeatNote(c: RowClassifier): string {
  return c instanceof RepeatCache ? `; ${c.counts.repeated} rows repeated a description classified before` : '';
}

/** `inner` behind a RepeatCache of `mb` MB (default RESULT_CACHE_MB), or `inner` itself when that is 0. */
export function withRepeatCache(inner: RowClassifier, mb = resultCacheMb()): RowClassifier {
  return mb > 0 ? new RepeatCache(inner, mb * 1024 * 1024) : inner;
}
