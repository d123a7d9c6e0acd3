// The model cache: keyed by the data, the training config and the code; rebuilt when one changes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { modelKey, loadOrTrain } from '../server/cache';
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
});
