// The model cache: keyed by the data, the training config and the code; rebuilt when one changes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { modelKey, loadOrTrain, packModel, unpackModel, readShared } from '../server/cache';
import type { Model } from '../server/pipeline/train';
import type { ClassifierConfig } from '../server/config';
import type { Dataset } from '../server/types';

const ds: Dataset = {
  dir: '/nowhere',
  hs: {
    sections: new Map([['XI', { id: 'XI', name: 'Textiles' }]]),
    nodes: new Map([
      ['61', { code: '61', level: 2, description: 'Apparel, knitted', parent: null, section: 'XI' }],
      ['6109', { code: '6109', level: 4, description: 'T-shirts, knitted', parent: '61', section: 'XI' }],
      ['610910', { code: '610910', level: 6, description: 'T-shirts; of cotton, knitted', parent: '6109', section: 'XI' }],
    ]),
    subheadings: ['610910'],
  },
  us: [],
  eu: [],
  correlation: { from2017: new Map(), to2017: new Map() },
  examples: [{ id: 'a', source: 'uk-parcel', text: 'mens cotton tee', hs6: '610910', code: '61091000' }],
  unmapped: [],
  files: [{ path: 'nomenclature/hs2022.csv', sha256: 'aaa' }],
};
const config = { training: { exampleWeight: 2, detailChars: 600 } } as ClassifierConfig;

describe('model cache', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-cache-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('the key changes with the data, the training config and the examples, not otherwise', () => {
    const k = modelKey(ds, config);
    expect(modelKey(ds, config)).toBe(k);
    expect(modelKey({ ...ds, files: [{ path: 'nomenclature/hs2022.csv', sha256: 'bbb' }] }, config)).not.toBe(k);
    expect(modelKey(ds, { ...config, training: { exampleWeight: 3, detailChars: 600 } })).not.toBe(k);
    expect(modelKey(ds, config, [])).not.toBe(k);
  });

  test('trains once, then loads from the cache; a new training config trains again and replaces the old file', () => {
    const first = loadOrTrain(ds, config, { cacheDir: dir });
    expect(first.fromCache).toBe(false);
    const second = loadOrTrain(ds, config, { cacheDir: dir });
    expect(second.fromCache).toBe(true);
    expect(second.model.classes).toEqual(first.model.classes);
    expect(second.model.terms).toEqual(first.model.terms);
    const changed = loadOrTrain(ds, { ...config, training: { exampleWeight: 1, detailChars: 0 } } as ClassifierConfig, { cacheDir: dir });
    expect(changed.fromCache).toBe(false);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.bin'))).toEqual([`model-${changed.key}.bin`]);
  });

  test('an unreadable cache file is rebuilt, not trusted', () => {
    const { key } = loadOrTrain(ds, config, { cacheDir: dir });
    fs.writeFileSync(path.join(dir, `model-${key}.bin`), 'garbage');
    const messages: string[] = [];
    const again = loadOrTrain(ds, config, { cacheDir: dir, log: (m) => messages.push(m) });
    expect(again.fromCache).toBe(false);
    expect(messages.join('\n')).toMatch(/unreadable/);
  });

  test('the file format: every array back exactly (as a view into the bytes, 8-aligned), maps, sets and shared references kept', () => {
    const shared = new Float64Array([1.5, -2, 3]);
    const thing = {
      odd: new Uint8Array([1, 2, 3]),
      f32: Float32Array.from([0.25, 1e-7, -3.5]),
      i32: new Int32Array([-1, 2 ** 31 - 1]),
      both: [shared, shared],
      m: new Map<string, unknown>([['a', { x: new Uint16Array([7, 8]) }], ['b', 'text']]),
      st: new Set(['x', 'y']),
      empty: new Float32Array(0),
      n: null,
      label: '$typedArray',
    };
    const bytes = packModel(thing as unknown as Model);
    const back = unpackModel(bytes) as unknown as typeof thing;
    expect(back.odd).toEqual(thing.odd);
    expect(back.f32).toEqual(thing.f32);
    expect(back.i32).toEqual(thing.i32);
    expect(back.both[0]).toEqual(shared);
    expect(back.both[0]).toBe(back.both[1]);
    expect((back.m.get('a') as { x: Uint16Array }).x).toEqual(new Uint16Array([7, 8]));
    expect(back.m.get('b')).toBe('text');
    expect([...back.st]).toEqual(['x', 'y']);
    expect(back.empty).toHaveLength(0);
    expect(back.n).toBeNull();
    expect(back.label).toBe('$typedArray');
    for (const v of [back.odd, back.f32, back.i32, back.both[0]]) {
      expect(v.buffer).toBe(bytes.buffer);
      expect(v.byteOffset % 8).toBe(0);
    }
    // read into shared memory, the arrays are views into it
    const file = path.join(dir, 'format.bin');
    fs.writeFileSync(file, bytes);
    const sharedBytes = readShared(file);
    expect(sharedBytes.buffer).toBeInstanceOf(SharedArrayBuffer);
    const fromShared = unpackModel(sharedBytes) as unknown as typeof thing;
    expect(fromShared.f32.buffer).toBe(sharedBytes.buffer);
    expect(fromShared.f32).toEqual(thing.f32);
    // a truncated or foreign file is refused
    expect(() => unpackModel(bytes.subarray(0, bytes.length - 1))).toThrow(/truncated/);
    expect(() => unpackModel(new Uint8Array(Buffer.from('HSMODEL1 and then some')))).toThrow(/not a model file/);
  });

  test('bytes shared by another thread are used when they are the cached file, ignored otherwise', () => {
    const { key } = loadOrTrain(ds, config, { cacheDir: dir });
    const file = path.join(dir, `model-${key}.bin`);
    const shared = loadOrTrain(ds, config, { cacheDir: dir, shared: { file, bytes: readShared(file) } });
    expect(shared.fromCache).toBe(true);
    expect(shared.shared).toBe(true);
    const other = path.join(dir, 'model-0000.bin');
    fs.copyFileSync(file, other);
    const ignored = loadOrTrain(ds, config, { cacheDir: dir, shared: { file: other, bytes: readShared(other) } });
    expect(ignored.shared).toBe(false);
    expect(ignored.model.classes).toEqual(shared.model.classes);
    fs.rmSync(other);
  });
});
