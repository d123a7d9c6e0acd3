// Invented supplier rows for the benchmarks (never presented as real data): descriptions combined from a small
// vocabulary, varied and repeating as a real workbook's lines do (the same goods on many lines: 100,000 rows of
// seed 1 hold 35,229 distinct descriptions, 10,000 hold about 6,900); seeded, so runs are comparable.
import fs from 'node:fs';

export const GOODS = [
  'cotton t-shirt knitted', 'polyester fleece jacket', 'denim jeans woven', 'wool sweater knitted', 'leather work gloves',
  'running shoes textile upper', 'silk scarf woven', 'baseball cap cotton', 'usb-c charging cable', 'bluetooth speaker',
  'led lamp bulb e27', 'li-ion power bank', 'wireless mouse', 'mechanical keyboard', 'lcd monitor 27 inch',
  'ip security camera', 'alkaline batteries aa', 'stainless steel hex bolt', 'zinc plated washers', 'claw hammer steel',
  'cordless drill 18v', 'pvc insulating tape', 'brass door hinge', 'padlock laminated steel', 'aluminium step ladder',
  'acrylic wall paint', 'steel wire nails', 'frozen shrimp peeled', 'extra virgin olive oil', 'dark chocolate bar',
  'basmati rice milled', 'canned tuna in oil', 'roasted coffee beans', 'green tea leaves', 'natural honey jar',
  'durum wheat pasta', 'shelled almonds', 'cheddar cheese block', 'orange juice unfermented', 'ceramic coffee mug',
  'glass food container', 'plastic storage box', 'wooden cutting board', 'cotton bath towel', 'polyester bed sheet',
];
const QUALIFIERS = ['mens', 'womens', 'kids', 'black', 'white', 'navy', 'assorted', 'premium', 'eco', 'heavy duty', 'mini', 'large', ''];
const PACKS = ['', 'pack of 2', '12 pcs', 'box/100', '1kg', '500g', 'set', 'x6', '10 pk'];

export function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A description maker drawing from `r`: qualifier, goods, pack and (sometimes) the SKU. */
export function invented(r: () => number): (sku: string) => string {
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)];
  return (sku) => [pick(QUALIFIERS), pick(GOODS), pick(PACKS), r() < 0.3 ? sku : ''].filter(Boolean).join(' ');
}

/** Writes an N-row invoice CSV (Line, SKU, Description, Qty) to `file`, streaming. */
export async function writeInvoiceCsv(file: string, n: number, seed = 1): Promise<void> {
  const r = rng(seed);
  const describe = invented(r);
  const out = fs.createWriteStream(file);
  out.write('Line,SKU,Description,Qty\n');
  for (let i = 1; i <= n; i++) {
    const sku = `SKU-${(1000 + Math.floor(r() * 90000)).toString(36).toUpperCase()}`;
    if (!out.write(`${i},${sku},"${describe(sku).replace(/"/g, '""')}",${1 + Math.floor(r() * 500)}\n`)) {
      await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}
