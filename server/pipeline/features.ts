// Turns normalised tokens into the sparse terms the index and the model share:
// unigrams plus adjacent bigrams ("knit_cotton"), and a vocabulary that maps them to ids.

export function termsOf(tokens: string[]): string[] {
  const terms = tokens.slice();
  for (let i = 0; i + 1 < tokens.length; i++) terms.push(`${tokens[i]}_${tokens[i + 1]}`);
  return terms;
}

/** Term ids with their counts; unknown terms are dropped. */
export interface SparseVector {
  ids: Int32Array;
  values: Float32Array;
}

export class Vocabulary {
  private readonly ids = new Map<string, number>();
  readonly terms: string[] = [];

  static from(terms: string[]): Vocabulary {
    const v = new Vocabulary();
    for (const t of terms) v.add(t);
    return v;
  }

  add(term: string): number {
    let id = this.ids.get(term);
    if (id === undefined) {
      id = this.terms.length;
      this.ids.set(term, id);
      this.terms.push(term);
    }
    return id;
  }

  get(term: string): number | undefined {
    return this.ids.get(term);
  }

  get size(): number {
    return this.terms.length;
  }

  /** Counts of the known terms, ids ascending. */
  vector(terms: string[]): SparseVector {
    const counts = new Map<number, number>();
    for (const t of terms) {
      const id = this.ids.get(t);
      if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const ids = Int32Array.from([...counts.keys()].sort((a, b) => a - b));
    const values = new Float32Array(ids.length);
    ids.forEach((id, i) => (values[i] = counts.get(id)!));
    return { ids, values };
  }
}
