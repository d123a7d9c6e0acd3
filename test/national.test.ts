import { chooseNational } from '../server/pipeline/national';
import type { NationalLine } from '../server/types';

const line = (code: string, path: string[]): NationalLine => ({
  country: 'US',
  code,
  hs6: code.slice(0, 6),
  description: path[path.length - 1],
  path,
  fullDescription: path.join(' > '),
  unit: 'No.',
  generalRate: 'Free',
});
const lines = [
  line('0101210010', ['Live horses', 'Purebred breeding animals', 'Males']),
  line('0101210020', ['Live horses', 'Purebred breeding animals', 'Females']),
];
const opts = { minScore: 0.05, margin: 0.03 };

describe('national line choice', () => {
  test('a single line is chosen whatever the text says', () => {
    expect(chooseNational('010130', [line('0101300000', ['Asses'])], [0], opts).code).toBe('0101300000');
  });

  test('a clear winner is chosen', () => {
    const c = chooseNational('010121', lines, [0.4, 0.1], opts);
    expect(c.code).toBe('0101210010');
    expect(c.line?.unit).toBe('No.');
    expect(c.missingDetail).toBeUndefined();
  });

  test('never pads: undecided lines give the HS 6 and name the missing detail', () => {
    const c = chooseNational('010121', lines, [0.2, 0.19], opts);
    expect(c.code).toBe('010121');
    expect(c.line).toBeNull();
    expect(c.missingDetail).toContain('Males');
    expect(c.missingDetail).toContain('Females');
    expect(c.missingDetail).not.toContain('Purebred');
  });

  test('a weak best line is not chosen', () => {
    expect(chooseNational('010121', lines, [0.04, 0], opts).code).toBe('010121');
  });

  test('no lines at all', () => {
    expect(chooseNational('999999', [], [], opts)).toMatchObject({ code: '999999', line: null });
  });
});
