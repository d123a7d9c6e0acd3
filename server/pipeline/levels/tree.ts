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

/** What a query needs of a tree, built once per tree: every node model in one list (the root first) and where each code sits. */
interface TreeIndex {
  nodes: NodeModel[];
  /** Per chapter (its position among the root's children): the node of its headings' model (-1: none) and its headings. */
  chapterNode: Int32Array;
  headsOf: { pos: number; node: number; subs: string[] }[][];
  /** Chapter or heading code -> its node; child code -> its position among its parent's children. */
  nodeOf: Map<string, number>;
  pos: Map<string, number>;
  /** Subheading -> [chapter position, chapter node, heading position, heading node, subheading position] (-1: absent). */
  paths: Map<string, Int32Array>;
}

const indexes = new WeakMap<LevelTree, TreeIndex>();

function treeIndex(tree: LevelTree): TreeIndex {
  let ix = indexes.get(tree);
  if (ix) return ix;
  const nodes = [tree.root];
  const nodeOf = new Map<string, number>();
  const pos = new Map<string, number>();
  tree.root.children.forEach((c, i) => pos.set(c, i));
  for (const models of [tree.chapters, tree.headings]) {
    for (const [code, m] of models) {
      nodeOf.set(code, nodes.length);
      nodes.push(m);
      m.children.forEach((c, i) => pos.set(c, i));
    }
  }
  const chapterNode = Int32Array.from(tree.root.children, (ch) => nodeOf.get(ch) ?? -1);
  const headsOf = tree.root.children.map((ch) => {
    const hm = tree.chapters.get(ch);
    return (tree.headingsOf.get(ch) ?? []).map((h) => ({ pos: hm ? hm.children.indexOf(h) : -1, node: nodeOf.get(h) ?? -1, subs: tree.subheadingsOf.get(h) ?? [] }));
  });
  ix = { nodes, chapterNode, headsOf, nodeOf, pos, paths: new Map() };
  indexes.set(tree, ix);
  return ix;
}

/** Log-probabilities at the three levels for one query; each node is evaluated at most once. */
export class LevelQuery {
  private readonly ix: TreeIndex;
  /** Per node: its children's log-probabilities, once evaluated. */
  private readonly memo: (Float64Array | undefined)[];
  readonly chapter: Float64Array;

  constructor(
    tree: LevelTree,
    private readonly x: HashedVector,
  ) {
    this.ix = treeIndex(tree);
    this.memo = new Array(this.ix.nodes.length);
    this.chapter = this.node(0);
  }

  private node(n: number): Float64Array {
    let r = this.memo[n];
    if (!r) {
      const m = this.ix.nodes[n];
      r = new Float64Array(m.children.length);
      nodeLogProbs(m, this.x, r);
      this.memo[n] = r;
    }
    return r;
  }

  private path(hs6: string): Int32Array {
    const { paths, pos, nodeOf } = this.ix;
    let p = paths.get(hs6);
    if (!p) {
      const ch = hs6.slice(0, 2);
      const h = hs6.slice(0, 4);
      const cn = nodeOf.get(ch) ?? -1;
      const hn = nodeOf.get(h) ?? -1;
      const at = (code: string, parent: number) => (parent >= 0 && this.ix.nodes[parent].children.includes(code) ? pos.get(code)! : -1);
      p = Int32Array.of(this.ix.nodes[0].children.includes(ch) ? pos.get(ch)! : -1, cn, at(h, cn), hn, at(hs6, hn));
      paths.set(hs6, p);
    }
    return p;
  }

  /** [log P(chapter), log P(heading | chapter), log P(subheading | heading)] of a subheading. */
  levels(hs6: string): [number, number, number] {
    const [cp, cn, hp, hn, sp] = this.path(hs6);
    const lc = cp >= 0 ? this.chapter[cp] : -Infinity;
    const lh = hp >= 0 ? this.node(cn)[hp] : 0;
    const ls = sp >= 0 ? this.node(hn)[sp] : 0;
    return [lc, lh, ls];
  }

  /**
   * The beam: the `chapters` best chapters, the `headings` best headings under them (by the product of the
   * two probabilities), and every subheading under those, best first by the product of all three.
   */
  beam(chapters: number, headings: number): { hs6: string; logp: number }[] {
    const lcs = this.chapter;
    const chs = byValue(lcs, lcs.length).slice(0, chapters);
    const heads: { subs: string[]; node: number }[] = [];
    const lps: number[] = [];
    for (const cp of chs) {
      const lc = lcs[cp];
      const cn = this.ix.chapterNode[cp];
      const hm = cn >= 0 ? this.node(cn) : null;
      for (const h of this.ix.headsOf[cp]) {
        heads.push(h);
        lps.push(lc + (hm ? hm[h.pos] : 0));
      }
    }
    const out: { hs6: string; logp: number }[] = [];
    for (const i of byValue(lps, lps.length).slice(0, headings)) {
      const { subs, node } = heads[i];
      const lp = lps[i];
      const sm = node >= 0 ? this.node(node) : null;
      for (let s = 0; s < subs.length; s++) out.push({ hs6: subs[s], logp: lp + (sm ? sm[s] : 0) });
    }
    return out.sort((a, b) => b.logp - a.logp);
  }
}

/** Positions 0..n-1 ordered by value, best first, ties in position order (a stable sort). */
function byValue(values: ArrayLike<number>, n: number): number[] {
  return Array.from({ length: n }, (_, i) => i).sort((a, b) => values[b] - values[a]);
}
