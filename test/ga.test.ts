import { runGa, rng } from '../server/tune/ga';

const genes = [
  { name: 'x', min: -5, max: 5 },
  { name: 'y', min: -5, max: 5 },
  { name: 'k', min: 0, max: 4, integer: true },
];
// Maximum at x = 1.5, y = -2, k = 3.
const fitness = ([x, y, k]: number[]) => -((x - 1.5) ** 2) - (y + 2) ** 2 - (k - 3) ** 2;

describe('genetic algorithm', () => {
  test('a seeded run reproduces exactly', async () => {
    const a = await runGa({ genes, fitness, seed: 7, population: 20, generations: 15 });
    const b = await runGa({ genes, fitness, seed: 7, population: 20, generations: 15 });
    expect(b.genome).toEqual(a.genome);
    expect(b.history).toEqual(a.history);
  });

  test('another seed gives another run', async () => {
    const a = await runGa({ genes, fitness, seed: 7, population: 20, generations: 15 });
    const b = await runGa({ genes, fitness, seed: 8, population: 20, generations: 15 });
    expect(b.history).not.toEqual(a.history);
  });

  test('finds the optimum of a simple function and never loses the best (elitism)', async () => {
    const r = await runGa({ genes, fitness, seed: 1, population: 30, generations: 40 });
    expect(r.genome[0]).toBeCloseTo(1.5, 1);
    expect(r.genome[1]).toBeCloseTo(-2, 1);
    expect(r.genome[2]).toBe(3);
    for (let i = 1; i < r.history.length; i++) expect(r.history[i].best).toBeGreaterThanOrEqual(r.history[i - 1].best);
  });

  test('genes stay within bounds and integer genes are whole numbers', async () => {
    const seen: number[][] = [];
    await runGa({
      genes,
      seed: 3,
      population: 10,
      generations: 5,
      fitness: (g) => {
        seen.push(g);
        return fitness(g);
      },
    });
    for (const [x, y, k] of seen) {
      expect(x).toBeGreaterThanOrEqual(-5);
      expect(y).toBeLessThanOrEqual(5);
      expect(Number.isInteger(k)).toBe(true);
    }
  });

  test('reports every generation and evaluates the initial genomes', async () => {
    const gens: number[] = [];
    const r = await runGa({ genes, fitness, seed: 2, population: 10, generations: 6, initial: [[1.5, -2, 3]], onGeneration: (g) => gens.push(g.generation) });
    expect(gens).toEqual([1, 2, 3, 4, 5, 6]);
    expect(r.fitness).toBeCloseTo(0, 12);
  });

  test('rng is deterministic and in [0, 1)', async () => {
    const a = rng(5);
    const b = rng(5);
    for (let i = 0; i < 100; i++) {
      const v = a();
      expect(v).toBe(b());
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
    }
  });
});
