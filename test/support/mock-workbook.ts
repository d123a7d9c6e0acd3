// A workbook for unit tests of addin/excel.ts, built from office-addin-mock's OfficeMockObject: every range the
// code asks for (getSelectedRange, worksheets.getItem(name).getRange(address)) is a mock whose properties must be
// loaded and synced before they are read, as in Excel. A cell grid backs it; writes are applied to the grid at
// each context.sync, and syncs are counted.
import { OfficeMockObject } from 'office-addin-mock';

type Cell = string | number | boolean;
interface Written {
  values?: unknown;
  numberFormat?: unknown;
  fill?: unknown;
  bold?: unknown;
}

function parseA1(addr: string): { r0: number; c0: number; r1: number; c1: number } {
  const one = (s: string) => {
    const m = /^([A-Z]+)(\d+)$/.exec(s);
    if (!m) throw new Error(`bad address ${s}`);
    let c = 0;
    for (const ch of m[1]) c = c * 26 + ch.charCodeAt(0) - 64;
    return { r: Number(m[2]) - 1, c: c - 1 };
  };
  const [a, b = a] = addr.split(':');
  const p = one(a);
  const q = one(b);
  return { r0: p.r, c0: p.c, r1: q.r, c1: q.c };
}
const letters = (c: number) => {
  let s = '';
  for (let n = c + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
};

export class MockWorkbook {
  readonly values = new Map<string, Cell>();
  readonly formats = new Map<string, string>();
  readonly fills = new Map<string, string | null>();
  readonly bold = new Set<string>();
  syncs = 0;
  selectedAreas: string[] = [];
  /** Addresses of every range asked for, in order. */
  readonly requested: string[] = [];
  private pending: { addr: string; mock: Record<string, unknown>; seen: Written }[] = [];
  readonly context: Excel.RequestContext;

  constructor(
    readonly sheetName: string,
    public selection: string,
  ) {
    const wb = this;
    const ctx = new OfficeMockObject({
      workbook: {
        getSelectedRange() {
          return wb.range(wb.selection, true);
        },
        worksheets: {
          getItem(name: string) {
            if (name !== wb.sheetName) throw new Error(`no sheet ${name}`);
            return {
              getRange: (addr: string) => wb.range(addr),
              getRanges: (addrs: string) => ({
                select: () => {
                  wb.selectedAreas = addrs.split(',');
                },
              }),
              activate: () => undefined,
            };
          },
        },
      },
    }) as unknown as { sync: () => Promise<void> };
    const inner = ctx.sync.bind(ctx);
    ctx.sync = async () => {
      this.syncs++;
      await inner();
      for (const p of this.pending) await (p.mock as unknown as OfficeMockObject).sync();
      this.flush();
    };
    this.context = ctx as unknown as Excel.RequestContext;
  }

  key = (r: number, c: number) => `${r},${c}`;
  get(addr: string): Cell | undefined {
    const { r0, c0 } = parseA1(addr);
    return this.values.get(this.key(r0, c0));
  }
  set(addr: string, v: Cell): void {
    const { r0, c0 } = parseA1(addr);
    this.values.set(this.key(r0, c0), v);
  }
  format(addr: string): string | undefined {
    const { r0, c0 } = parseA1(addr);
    return this.formats.get(this.key(r0, c0));
  }
  fill(addr: string): string | null | undefined {
    const { r0, c0 } = parseA1(addr);
    return this.fills.get(this.key(r0, c0));
  }
  isBold(addr: string): boolean {
    const { r0, c0 } = parseA1(addr);
    return this.bold.has(this.key(r0, c0));
  }

  private range(addr: string, withInfo = false) {
    this.requested.push(addr);
    const { r0, c0, r1, c1 } = parseA1(addr);
    const grid: Cell[][] = [];
    for (let r = r0; r <= r1; r++) {
      const row: Cell[] = [];
      for (let c = c0; c <= c1; c++) row.push(this.values.get(this.key(r, c)) ?? '');
      grid.push(row);
    }
    const cleared = { n: 0 };
    const data: Record<string, unknown> = {
      values: grid,
      numberFormat: grid.map((row) => row.map(() => 'General')),
      format: { fill: { color: '#FFFFFF', clear: () => void cleared.n++ }, font: { bold: false } },
      select: () => {
        this.selectedAreas = [addr];
      },
    };
    if (withInfo) {
      Object.assign(data, { address: `${this.sheetName}!${addr}`, rowIndex: r0, columnIndex: c0, rowCount: r1 - r0 + 1, columnCount: c1 - c0 + 1, worksheet: { name: this.sheetName } });
    }
    const mock = new OfficeMockObject(data) as unknown as Record<string, unknown>;
    const fmt = mock.format as { fill: Record<string, unknown>; font: Record<string, unknown> };
    // What Excel holds (the arrays the mock hands out once loaded): anything else there after a sync was assigned.
    const seen: Written = { values: data.values, numberFormat: data.numberFormat, fill: '#FFFFFF', bold: false };
    this.pending.push({ addr, mock, seen });
    (mock as { __cleared?: typeof cleared }).__cleared = cleared;
    return mock;
  }

  /** Applies what the code assigned since the last sync to the grid. */
  private flush(): void {
    for (const p of this.pending) {
      const { r0, c0, r1, c1 } = parseA1(p.addr);
      const m = p.mock as Record<string, unknown>;
      const fmt = m.format as { fill: Record<string, unknown>; font: Record<string, unknown> };
      const each = (f: (r: number, c: number, i: number, j: number) => void) => {
        for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) f(r, c, r - r0, c - c0);
      };
      if (Array.isArray(m.numberFormat) && m.numberFormat !== p.seen.numberFormat) each((r, c, i, j) => this.formats.set(this.key(r, c), (m.numberFormat as string[][])[i][j]));
      if (Array.isArray(m.values) && m.values !== p.seen.values) each((r, c, i, j) => this.values.set(this.key(r, c), (m.values as Cell[][])[i][j]));
      if (typeof fmt.fill.color === 'string' && fmt.fill.color.startsWith('#') && fmt.fill.color !== p.seen.fill) each((r, c) => this.fills.set(this.key(r, c), fmt.fill.color as string));
      const cleared = (m as { __cleared: { n: number } }).__cleared;
      if (cleared.n) each((r, c) => this.fills.set(this.key(r, c), null));
      if (fmt.font.bold === true) each((r, c) => this.bold.add(this.key(r, c)));
    }
    this.pending = [];
  }

  static letters = letters;
}
