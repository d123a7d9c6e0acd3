// Measures the engine on the committed common-goods cases (test/fixtures/common-goods.json): top-1 at
// 6 digits, and whether the deciding Note, where a case names one, is in the reasoning's notes and summary.
//
//   npx tsx server/rules/common-goods.ts [--verbose]
import fs from 'node:fs';
import path from 'node:path';
import { classify, type Engine } from '../classifier';

export const COMMON_GOODS_FILE = path.resolve(__dirname, '..', '..', 'test', 'fixtures', 'common-goods.json');

export interface CommonCase {
  text: string;
  hs6: string;
  note?: string;
}

export interface CaseResult extends CommonCase {
  got: string | null;
  gri: string | null;
  summary: string;
  /** Top-1 at 6 digits. */
  right: boolean;
  /** The case's Note is cited in the reasoning's notes and summary (true when the case names none). */
  noteCited: boolean;
}

export interface CommonGoodsReport {
  cases: CaseResult[];
  /** Share right at 6 digits. */
  top1: number;
  /** Share right at 6 digits with the deciding Note cited where one applies. */
  rightWithNote: number;
}

export function loadCommonGoods(file = COMMON_GOODS_FILE): CommonCase[] {
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { cases: CommonCase[] }).cases;
}

export async function measureCommonGoods(engine: Engine, cases = loadCommonGoods()): Promise<CommonGoodsReport> {
  const out: CaseResult[] = [];
  for (const c of cases) {
    const r = await classify(engine, c.text);
    const got = r.candidates[0]?.hs6 ?? null;
    const notes = r.reasoning?.notes ?? [];
    const summary = r.reasoning?.summary ?? r.error ?? '';
    const noteCited = !c.note || (notes.some((n) => n.includes(c.note!)) && summary.includes(c.note));
    out.push({ ...c, got, gri: r.reasoning?.gri ?? null, summary, right: got === c.hs6, noteCited });
  }
  const share = (f: (c: CaseResult) => boolean) => out.filter(f).length / Math.max(1, out.length);
  return { cases: out, top1: share((c) => c.right), rightWithNote: share((c) => c.right && c.noteCited) };
}

if (require.main === module) {
  void (async () => {
    const { openEngine } = await import('../engine');
    const { engine } = openEngine();
    const report = await measureCommonGoods(engine);
    const verbose = process.argv.includes('--verbose');
    for (const c of report.cases) {
      if (!verbose && c.right && c.noteCited) continue;
      const mark = c.right ? (c.noteCited ? 'ok  ' : 'NOTE') : 'MISS';
      console.log(`${mark} ${c.text}\n     want ${c.hs6}${c.note ? ` (${c.note})` : ''}, got ${c.got ?? '-'}: ${c.summary}`);
    }
    const n = report.cases.length;
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    console.log(`\n${n} cases: top-1 at 6 digits ${pct(report.top1)}; right with the deciding Note cited ${pct(report.rightWithNote)}`);
  })();
}
