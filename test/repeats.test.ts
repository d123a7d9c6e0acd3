import { RepeatCache, resultCacheMb, withRepeatCache } from '../server/pool/repeats';
import type { ClassifyOptions, EngineInfo, ResultText, RowClassifier } from '../server/pool';

/** A classifier that answers with the description, the country and a call number, and records what it was sent. */
class Recording implements RowClassifier {
  readonly workers = 1;
  sent: string[][] = [];
  fail = false;
  async classifyChunk(descriptions: string[], o: ClassifyOptions = {}): Promise<ResultText[]> {
    this.sent.push(descriptions);
    if (this.fail) throw new Error('worker lost');
    return descriptions.map((d) => ({ status: 'review' as const, json: JSON.stringify({ d, country: o.country ?? null, call: this.sent.length }) }));
  }
  async info(): Promise<EngineInfo> {
    return { versions: { model: 'm', data: 'd', config: 'c' }, chapters: {} };
  }
  async close(): Promise<void> {}
}

const texts = (rs: ResultText[]) => rs.map((r) => JSON.parse(r.json).d);

describe('repeated descriptions (server/pool/repeats.ts)', () => {
  test('each distinct description is classified once, repeats in and across chunks answered in order', async () => {
    const inner = new Recording();
    const c = new RepeatCache(inner, 1e6);
    const a = await c.classifyChunk(['tee', 'mug', 'tee', 'bolt']);
    expect(texts(a)).toEqual(['tee', 'mug', 'tee', 'bolt']);
    expect(inner.sent).toEqual([['tee', 'mug', 'bolt']]);
    const b = await c.classifyChunk(['bolt', 'lamp', 'tee']);
    expect(texts(b)).toEqual(['bolt', 'lamp', 'tee']);
    expect(inner.sent[1]).toEqual(['lamp']);
    // the same text as the first time (call 1), not a new run
    expect(JSON.parse(b[2].json).call).toBe(1);
    expect(c.counts).toEqual({ repeated: 3, classified: 4 });
  });

  test('concurrent chunks share a description being classified', async () => {
    const inner = new Recording();
    const c = new RepeatCache(inner, 1e6);
    const [x, y] = await Promise.all([c.classifyChunk(['tee', 'mug']), c.classifyChunk(['mug', 'cap'])]);
    expect(texts(x)).toEqual(['tee', 'mug']);
    expect(texts(y)).toEqual(['mug', 'cap']);
    expect(inner.sent).toEqual([['tee', 'mug'], ['cap']]);
  });

  test('another country or another options object is another scope', async () => {
    const inner = new Recording();
    const c = new RepeatCache(inner, 1e6);
    const company = { company: { examples: [] } };
    await c.classifyChunk(['tee']);
    const us = await c.classifyChunk(['tee'], { country: 'US' });
    expect(JSON.parse(us[0].json).country).toBe('US');
    await c.classifyChunk(['tee'], { options: company });
    await c.classifyChunk(['tee'], { options: company });
    await c.classifyChunk(['tee'], { options: { company: { examples: [] } } });
    expect(inner.sent).toEqual([['tee'], ['tee'], ['tee'], ['tee']]);
  });

  test('a failed chunk is not remembered: the next call classifies again', async () => {
    const inner = new Recording();
    const c = new RepeatCache(inner, 1e6);
    inner.fail = true;
    await expect(c.classifyChunk(['tee', 'tee'])).rejects.toThrow('worker lost');
    inner.fail = false;
    expect(texts(await c.classifyChunk(['tee']))).toEqual(['tee']);
    expect(inner.sent).toEqual([['tee'], ['tee']]);
  });

  test('the cache is bounded: the least recently used results go first', async () => {
    const inner = new Recording();
    // each entry here is about 2 * (5 + 40) + 64 bytes: room for two
    const c = new RepeatCache(inner, 400);
    await c.classifyChunk(['aaa']);
    await c.classifyChunk(['bbb']);
    await c.classifyChunk(['aaa']); // aaa is now the most recent
    await c.classifyChunk(['ccc']); // bbb goes
    expect(c.size.bytes).toBeLessThanOrEqual(400);
    await c.classifyChunk(['aaa', 'bbb']);
    expect(inner.sent).toEqual([['aaa'], ['bbb'], ['ccc'], ['bbb']]);
  });

  test('RESULT_CACHE_MB: default 64, 0 turns the cache off, nonsense is refused', () => {
    expect(resultCacheMb({})).toBe(64);
    expect(resultCacheMb({ RESULT_CACHE_MB: '8' })).toBe(8);
    const inner = new Recording();
    expect(withRepeatCache(inner, 0)).toBe(inner);
    expect(withRepeatCache(inner, 1)).toBeInstanceOf(RepeatCache);
    expect(() => resultCacheMb({ RESULT_CACHE_MB: 'lots' })).toThrow('RESULT_CACHE_MB must be a number of MB from 0 to 65536, not "lots"');
    expect(() => resultCacheMb({ RESULT_CACHE_MB: '-1' })).toThrow('RESULT_CACHE_MB');
  });
});
