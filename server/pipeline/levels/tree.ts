// The hierarchical decision: chapter, then heading, then subheading. One model for the chapters, one per
// chapter for its headings, one per heading for its subheadings (a node with one child needs none), and a
// beam across the levels: the best chapters, the best headings under them, the best subheadings under those,
// ordered by the product of the three probabilities.
import { rng } from '../../tune/ga';
import { trainNode, nodeLogProbs, type NodeModel, type SgdOptions } from './softmax';
import type { HashedVector } from './features';

export interface LevelTree {
  /** Chapters under the root. */
  root: NodeModel;
  /** Chapter code -> its headings' model (absent when the chapter has one heading). */
  chapters: Map<string, NodeModel>;
  /** Heading code -> its subheadings' model (absent when the heading has one subheading). */
  headings: Map<string, NodeModel>;
  /** The tree itself: chapter -> headings, heading -> subheadings. */
  headingsOf: Map<string, string[]>;
  subheadingsOf: Map<string, string[]>;
}

export interface LevelDoc {
  x: HashedVector;
  /** The code the document is labelled with: a subheading (6 digits) or a heading (4: it teaches the two upper levels). */
  code: string;
  weight: number;
}

export interface TreeOptions extends SgdOptions {
  /** Features kept at the root need at least this many documents (the root is the largest model). */
  rootMinDocs: number;
}

export function trainTree(subheadings: string[], docs: LevelDoc[], opts: TreeOptions, seed: number): LevelTree {
  const rand = rng(seed);
  const chapters = [...new Set(subheadings.map((c) => c.slice(0, 2)))].sort();
  const headsOf = new Map<string, string[]>();
  const subsOf = new Map<string, string[]>();
  for (const c of subheadings) {
    const h = c.slice(0, 4);
    if (!subsOf.has(h)) {
      subsOf.set(h, []);
      const ch = c.slice(0, 2);
      if (!headsOf.has(ch)) headsOf.set(ch, []);
      headsOf.get(ch)!.push(h);
    }
    subsOf.get(h)!.push(c);
  }
  const known = new Set(subheadings);
  const usable = docs.filter((d) => (d.code.length === 6 ? known.has(d.code) : subsOf.has(d.code)));

  const index = (xs: string[]) => new Map(xs.map((x, i) => [x, i]));
  const chapIndex = index(chapters);
  const root = trainNode(
    chapters,
    usable.map((d) => ({ x: d.x, label: chapIndex.get(d.code.slice(0, 2))!, weight: d.weight })),
    { ...opts, minDocs: opts.rootMinDocs },
    rand,
  );
  const byChapter = groupBy(usable, (d) => d.code.slice(0, 2));
  const byHeading = groupBy(usable.filter((d) => d.code.length === 6), (d) => d.code.slice(0, 4));
  const chapterModels = new Map<string, NodeModel>();
  for (const [ch, heads] of headsOf) {
    if (heads.length < 2) continue;
    const hi = index(heads);
    const ds = byChapter.get(ch) ?? [];
    chapterModels.set(ch, trainNode(heads, ds.map((d) => ({ x: d.x, label: hi.get(d.code.slice(0, 4))!, weight: d.weight })), opts, rand));
  }
  const headingModels = new Map<string, NodeModel>();
  for (const [h, subs] of subsOf) {
    if (subs.length < 2) continue;
    const si = index(subs);
    const ds = byHeading.get(h) ?? [];
    headingModels.set(h, trainNode(subs, ds.map((d) => ({ x: d.x, label: si.get(d.code)!, weight: d.weight })), opts, rand));
  }
  return { root, chapters: chapterModels, headings: headingModels, headingsOf: headsOf, subheadingsOf: subsOf };
}

function groupBy<T>(xs: T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const l = m.get(k);
    if (l) l.push(x);
    else m.set(k, [x]);
  }
  return m;
}

/** Log-probabilities at the three levels for one query; each node is evaluated at most once. */
export class LevelQuery {
  private readonly memo = new Map<string, Map<string, number>>();
  readonly chapter: Map<string, number>;

  constructor(
    private readonly tree: LevelTree,
    private readonly x: HashedVector,
  ) {
    this.chapter = this.evaluate(tree.root);
  }

  private evaluate(m: NodeModel): Map<string, number> {
    const out = new Float64Array(m.children.length);
    nodeLogProbs(m, this.x, out);
    return new Map(m.children.map((c, i) => [c, out[i]]));
  }

  private node(code: string, models: Map<string, NodeModel>): Map<string, number> | null {
    let r = this.memo.get(code);
    if (!r) {
      const m = models.get(code);
      if (!m) return null;
      r = this.evaluate(m);
      this.memo.set(code, r);
    }
    return r;
  }

  /** [log P(chapter), log P(heading | chapter), log P(subheading | heading)] of a subheading. */
  levels(hs6: string): [number, number, number] {
    const lc = this.chapter.get(hs6.slice(0, 2)) ?? -Infinity;
    const lh = this.node(hs6.slice(0, 2), this.tree.chapters)?.get(hs6.slice(0, 4)) ?? 0;
    const ls = this.node(hs6.slice(0, 4), this.tree.headings)?.get(hs6) ?? 0;
    return [lc, lh, ls];
  }

  /**
   * The beam: the `chapters` best chapters, the `headings` best headings under them (by the product of the
   * two probabilities), and every subheading under those, best first by the product of all three.
   */
  beam(chapters: number, headings: number): { hs6: string; logp: number }[] {
    const chs = [...this.chapter].sort((a, b) => b[1] - a[1]).slice(0, chapters);
    const heads: { h: string; lp: number }[] = [];
    for (const [ch, lc] of chs) {
      const hm = this.node(ch, this.tree.chapters);
      for (const h of this.tree.headingsOf.get(ch) ?? []) heads.push({ h, lp: lc + (hm?.get(h) ?? 0) });
    }
    heads.sort((a, b) => b.lp - a.lp);
    const out: { hs6: string; logp: number }[] = [];
    for (const { h, lp } of heads.slice(0, headings)) {
      const sm = this.node(h, this.tree.headings);
      for (const s of this.tree.subheadingsOf.get(h) ?? []) out.push({ hs6: s, logp: lp + (sm?.get(s) ?? 0) });
    }
    return out.sort((a, b) => b.logp - a.logp);
  }
}
