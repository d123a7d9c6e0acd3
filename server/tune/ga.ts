// A small real-coded genetic algorithm: tournament selection, blend crossover (BLX-alpha), Gaussian
// mutation, elitism. Seeded: the same seed and fitness function give the same run.

export interface Gene {
  name: string;
  min: number;
  max: number;
  /** Rounded to a whole number when evaluated. */
  integer?: boolean;
}

export interface GaOptions {
  genes: Gene[];
  /** May be async (e.g. it classifies cases through the whole pipeline); genomes are evaluated one at a time, in order. */
  fitness: (genome: number[]) => number | Promise<number>;
  seed: number;
  population?: number;
  generations?: number;
  /** Genomes evaluated in the first generation besides the random ones (e.g. the current config). */
  initial?: number[][];
  mutationRate?: number;
  elite?: number;
  onGeneration?: (g: { generation: number; best: number; mean: number; genome: number[] }) => void;
}

export interface GaResult {
  genome: number[];
  fitness: number;
  history: { generation: number; best: number; mean: number }[];
}

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

function clamp(genome: number[], genes: Gene[]): number[] {
  return genome.map((v, i) => {
    const g = genes[i];
    const c = Math.min(g.max, Math.max(g.min, v));
    return g.integer ? Math.round(c) : c;
  });
}

export async function runGa(opts: GaOptions): Promise<GaResult> {
  const { genes, fitness } = opts;
  const size = opts.population ?? 40;
  const generations = opts.generations ?? 30;
  const mutationRate = opts.mutationRate ?? 0.2;
  const elite = opts.elite ?? 2;
  const rand = rng(opts.seed);

  let pop = (opts.initial ?? []).map((g) => clamp(g, genes)).slice(0, size);
  while (pop.length < size) pop.push(clamp(genes.map((g) => g.min + rand() * (g.max - g.min)), genes));

  const history: GaResult['history'] = [];
  let best = { genome: pop[0], fitness: -Infinity };
  for (let generation = 1; generation <= generations; generation++) {
    const scored: { genome: number[]; fitness: number }[] = [];
    for (const genome of pop) scored.push({ genome, fitness: await fitness(genome) });
    scored.sort((a, b) => b.fitness - a.fitness);
    if (scored[0].fitness > best.fitness) best = scored[0];
    const mean = scored.reduce((s, x) => s + x.fitness, 0) / scored.length;
    history.push({ generation, best: scored[0].fitness, mean });
    opts.onGeneration?.({ generation, best: scored[0].fitness, mean, genome: scored[0].genome });
    if (generation === generations) break;

    const pick = () => {
      let winner = scored[Math.floor(rand() * scored.length)];
      for (let k = 1; k < 3; k++) {
        const other = scored[Math.floor(rand() * scored.length)];
        if (other.fitness > winner.fitness) winner = other;
      }
      return winner.genome;
    };
    const next = scored.slice(0, elite).map((s) => s.genome);
    while (next.length < size) {
      const a = pick();
      const b = pick();
      const child = genes.map((g, i) => {
        const lo = Math.min(a[i], b[i]);
        const hi = Math.max(a[i], b[i]);
        const span = hi - lo;
        let v = lo - 0.3 * span + rand() * 1.6 * span;
        if (rand() < mutationRate) v += gaussian(rand) * 0.1 * (g.max - g.min);
        return v;
      });
      next.push(clamp(child, genes));
    }
    pop = next;
  }
  return { genome: best.genome, fitness: best.fitness, history };
}
