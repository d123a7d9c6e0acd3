// Writes the sample supplier workbooks in samples/ (npx tsx samples/generate.ts). The lines are invented for the
// project, written the way suppliers write them: SKUs, units, pack counts, abbreviations, typos, mixed case.
// Deterministic (seeded), so re-running gives the same cell contents.
import path from 'node:path';
import ExcelJS from 'exceljs';
import { rng } from '../server/tune/ga';



interface Line {
  sku: string;
  text: string;
  unit: string;
  price: number;
  origin: string;
}

const APPAREL: Line[] = [
  { sku: 'TS-M-100C', text: "Mens crew neck T-shirt 100% cotton knit, navy, sz L", unit: 'PCS', price: 3.15, origin: 'BD' },
  { sku: 'TS-W-6040', text: 'ladies tee 60% cotton 40% polyester jersey knitted S-XL asst colours', unit: 'PCS', price: 2.8, origin: 'BD' },
  { sku: 'HD-U-330', text: 'Unisex hoodie fleece 80/20 cotton/poly w/ drawstring', unit: 'PCS', price: 9.4, origin: 'PK' },
  { sku: 'JN-M-32', text: "MENS DENIM JEANS 5-POCKET WOVEN 98% COTTON 2% ELASTANE W32 L34", unit: 'PCS', price: 11.75, origin: 'TR' },
  { sku: 'SK-KID-3P', text: 'kids socks 3-pk cotton blend knitted, size 27-30', unit: 'PK', price: 1.9, origin: 'CN' },
  { sku: 'BL-W-SLK', text: 'womens blouse 100% silk woven, long sleeve', unit: 'PCS', price: 18.2, origin: 'CN' },
  { sku: 'JK-M-DWN', text: 'Mens down jacket, outer shell 100% nylon woven, filling 90/10 duck down', unit: 'PCS', price: 34.5, origin: 'VN' },
  { sku: 'GL-WRK-L', text: 'work gloves leather palm, cotton back, pr', unit: 'PR', price: 2.35, origin: 'IN' },
  { sku: 'CAP-BB-01', text: 'baseball cap cotton twill embroidered logo', unit: 'PCS', price: 2.1, origin: 'CN' },
  { sku: 'SW-W-WOOL', text: 'ladies pullover sweater knitted 70% wool 30% acrylic', unit: 'PCS', price: 14.0, origin: 'IT' },
  { sku: 'SHO-RUN-42', text: 'running shoes, textile upper, rubber outsole, EU 42', unit: 'PR', price: 16.8, origin: 'VN' },
  { sku: 'SCF-PASH', text: 'scarf viscose woven printed 70x180cm', unit: 'PCS', price: 3.6, origin: 'IN' },
];

const ELECTRONICS: Line[] = [
  { sku: 'PB-10K-USB-C', text: 'Power bank 10000mAh li-ion w/ USB-C PD 20W', unit: 'PCS', price: 8.9, origin: 'CN' },
  { sku: 'CBL-USBC-1M', text: 'USB-C to USB-C cable 1m braided, 60W', unit: 'PCS', price: 0.95, origin: 'CN' },
  { sku: 'EB-TWS-02', text: 'wireless earbuds bluetooth 5.3 with charging case', unit: 'PCS', price: 6.4, origin: 'CN' },
  { sku: 'LED-A60-9W', text: 'LED lamp bulb A60 9W E27 2700K 230V', unit: 'PCS', price: 0.78, origin: 'CN' },
  { sku: 'CHG-65W-GAN', text: 'GaN wall charger 65W 2xUSB-C 1xUSB-A, EU plug', unit: 'PCS', price: 7.2, origin: 'CN' },
  { sku: 'MS-WL-OPT', text: 'Wirless optical mouse 2.4GHz, black', unit: 'PCS', price: 2.95, origin: 'CN' },
  { sku: 'KB-MECH-US', text: 'mechanical keyboard USB wired, RGB backlit, US layout', unit: 'PCS', price: 15.5, origin: 'TW' },
  { sku: 'SSD-1TB-M2', text: 'SSD 1TB M.2 NVMe PCIe 4.0 solid state drive', unit: 'PCS', price: 48.0, origin: 'KR' },
  { sku: 'MON-27-IPS', text: '27" LCD monitor IPS 1440p, HDMI/DP', unit: 'PCS', price: 139.0, origin: 'CN' },
  { sku: 'CAM-IP-4MP', text: 'IP security camera 4MP PoE outdoor, night vision', unit: 'PCS', price: 21.3, origin: 'CN' },
  { sku: 'BAT-AA-4PK', text: 'alkaline batteries AA LR6 1.5V (4/pk)', unit: 'PK', price: 1.1, origin: 'PL' },
  { sku: 'SPK-BT-MINI', text: 'portable bluetooth speaker mini, rechargeable', unit: 'PCS', price: 5.75, origin: 'CN' },
];

const HARDWARE: Line[] = [
  { sku: 'SCR-M6X20-SS', text: 'Hex bolt M6x20 stainless steel A2, DIN 933 (box/100)', unit: 'BOX', price: 4.2, origin: 'DE' },
  { sku: 'WSH-M8-ZN', text: 'flat washers M8 zinc plated steel, 500 pcs', unit: 'BOX', price: 3.05, origin: 'CN' },
  { sku: 'HMR-16OZ', text: 'claw hammer 16oz steel head fibreglass handle', unit: 'PCS', price: 4.9, origin: 'CN' },
  { sku: 'DRL-18V-LI', text: 'cordless drill driver 18V li-ion, 2 batt + charger, in case', unit: 'SET', price: 38.0, origin: 'CN' },
  { sku: 'TAP-PVC-19', text: 'PVC insulating tape 19mm x 20m black', unit: 'ROL', price: 0.32, origin: 'TW' },
  { sku: 'HNG-BRS-75', text: 'Door hinge brass 75mm, pair, w/ screws', unit: 'PR', price: 2.6, origin: 'IN' },
  { sku: 'PADLK-40', text: 'padlock 40mm laminated steel, 3 keys', unit: 'PCS', price: 3.4, origin: 'CN' },
  { sku: 'SAW-HND-500', text: 'hand saw 500mm hardened teeth, plastic grip', unit: 'PCS', price: 3.95, origin: 'SE' },
  { sku: 'CHN-GALV-8', text: 'galvanised steel chain 8mm welded link, per metre', unit: 'M', price: 1.45, origin: 'CN' },
  { sku: 'ALU-LDR-3', text: 'aluminium step ladder 3 steps foldable', unit: 'PCS', price: 22.0, origin: 'PL' },
  { sku: 'PNT-ACR-WHT', text: 'acrylic wall paint white matt, water based, 10L pail', unit: 'PAIL', price: 17.5, origin: 'NL' },
  { sku: 'NL-WIRE-50', text: 'wire nails 50mm bright steel, 1kg', unit: 'KG', price: 1.6, origin: 'CN' },
];

const FOOD: Line[] = [
  { sku: 'SHR-FRZ-2640', text: 'Frozen vannamei shrimp peeled & deveined 26/40, 10x1kg', unit: 'CTN', price: 62.0, origin: 'EC' },
  { sku: 'OO-EV-1L', text: 'extra virgin olive oil 1L glass bottle x12', unit: 'CTN', price: 58.8, origin: 'ES' },
  { sku: 'CHOC-DRK-70', text: 'dark chocolate bar 70% cocoa 100g', unit: 'PCS', price: 0.95, origin: 'BE' },
  { sku: 'RICE-BAS-5', text: 'basmati rice, milled, 5kg bag', unit: 'BAG', price: 6.1, origin: 'IN' },
  { sku: 'TUNA-CAN-160', text: 'canned tuna chunks in sunflower oil 160g tin', unit: 'PCS', price: 1.05, origin: 'TH' },
  { sku: 'COF-RST-1K', text: 'roasted coffee beans arabica, not decaf, 1kg', unit: 'BAG', price: 11.9, origin: 'BR' },
  { sku: 'TEA-GRN-100', text: 'green tea leaves loose 100g tin', unit: 'PCS', price: 2.4, origin: 'CN' },
  { sku: 'HNY-500', text: 'natural honey 500g jar', unit: 'PCS', price: 3.3, origin: 'UA' },
  { sku: 'PST-SPG-500', text: 'spaghetti durum wheat pasta, uncooked, 500g', unit: 'PCS', price: 0.7, origin: 'IT' },
  { sku: 'ALM-SHL-1K', text: 'almonds shelled raw 1kg', unit: 'BAG', price: 8.4, origin: 'US' },
  { sku: 'CHS-CHED-200', text: 'cheddar cheese mature block 200g', unit: 'PCS', price: 2.05, origin: 'IE' },
  { sku: 'JUI-ORG-1L', text: 'orange juice not from concentrate, unfermented 1L', unit: 'PCS', price: 1.2, origin: 'ES' },
];

/** Supplier-style mess: abbreviations, dropped letters, case, stray SKUs and quantities. */
function messy(text: string, sku: string, r: () => number): string {
  let t = text;
  if (r() < 0.25) t = t.toUpperCase();
  else if (r() < 0.2) t = t.toLowerCase();
  if (r() < 0.2) {
    // a typo: drop one letter from a longer word
    const words = t.split(' ');
    const i = Math.floor(r() * words.length);
    if (words[i].length > 5) words[i] = words[i].slice(0, 2) + words[i].slice(3);
    t = words.join(' ');
  }
  t = t.replace(/\bwith\b/i, 'w/').replace(/\bpieces\b/i, 'pcs');
  if (r() < 0.3) t = `${sku} ${t}`;
  if (r() < 0.15) t = `${t} - qty ${1 + Math.floor(r() * 50)}`;
  if (r() < 0.1) t = `  ${t}  `;
  return t;
}

const thin: Partial<ExcelJS.Borders> = {
  top: { style: 'thin', color: { argb: 'FFBFBFBF' } },
  bottom: { style: 'thin', color: { argb: 'FFBFBFBF' } },
};

/** Mixed invoice: title block, header on row 4, description in column C with formula columns to its right. */
function mixedInvoice(): ExcelJS.Workbook {
  const r = rng(20261122);
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Northwind Sourcing Ltd (sample)';
  const ws = wb.addWorksheet('Invoice 4471');
  ws.getCell('A1').value = 'Northwind Sourcing Ltd - Commercial invoice INV-2026-4471';
  ws.getCell('A1').font = { bold: true, size: 14 };
  ws.mergeCells('A1:F1');
  ws.getCell('A2').value = 'Shipment: Ningbo -> Rotterdam, Incoterm FOB';
  ws.getCell('A2').font = { italic: true };
  const header = ['Line', 'Item code', 'Description of goods', 'Qty', 'Unit', 'Unit price USD', 'Amount USD', 'Origin', 'Remarks'];
  const h = ws.getRow(4);
  h.values = header;
  h.font = { bold: true, color: { argb: 'FFFFFFFF' } };
  h.eachCell((c) => (c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FF1F4E78' } }));
  ws.columns = [{ width: 6 }, { width: 16 }, { width: 48 }, { width: 7 }, { width: 7 }, { width: 14 }, { width: 14 }, { width: 8 }, { width: 22 }];
  const pool = [...APPAREL, ...ELECTRONICS, ...HARDWARE, ...FOOD];
  const n = 72;
  for (let i = 0; i < n; i++) {
    const rowNo = 5 + i;
    const l = pool[Math.floor(r() * pool.length)];
    const qty = 10 * (1 + Math.floor(r() * 60));
    const remark = r() < 0.12 ? '=sample only, no charge' : r() < 0.1 ? 'back order' : '';
    const row = ws.getRow(rowNo);
    row.values = [i + 1, l.sku, messy(l.text, l.sku, r), qty, l.unit, l.price, { formula: `D${rowNo}*F${rowNo}`, result: Math.round(qty * l.price * 100) / 100 }, l.origin, remark];
    row.getCell(6).numFmt = '#,##0.00';
    row.getCell(7).numFmt = '#,##0.00';
    row.eachCell((c) => (c.border = thin));
  }
  // Two lines without a usable description: suppliers send these too.
  const blank = ws.getRow(5 + n);
  blank.values = [n + 1, 'FREIGHT', '', 1, 'LOT', 420, { formula: `D${5 + n}*F${5 + n}`, result: 420 }, '', 'freight charge'];
  blank.getCell(7).numFmt = '#,##0.00';
  const totalRow = 5 + n + 2;
  ws.getCell(`F${totalRow}`).value = 'Total';
  ws.getCell(`F${totalRow}`).font = { bold: true };
  const amounts = [];
  for (let i = 5; i <= 5 + n; i++) amounts.push(ws.getCell(`G${i}`).value as ExcelJS.CellFormulaValue);
  const total = amounts.reduce((s, v) => s + Number(v.result ?? 0), 0);
  ws.getCell(`G${totalRow}`).value = { formula: `SUM(G5:G${5 + n})`, result: Math.round(total * 100) / 100 };
  ws.getCell(`G${totalRow}`).numFmt = '#,##0.00';
  ws.getCell(`G${totalRow}`).font = { bold: true };
  const terms = wb.addWorksheet('Terms');
  terms.getCell('A1').value = 'Payment terms';
  terms.getCell('A1').font = { bold: true };
  terms.getCell('A2').value = '30 days net from invoice date';
  terms.getCell('A4').value = 'Invoice total (USD)';
  terms.getCell('B4').value = { formula: `'Invoice 4471'!G${totalRow}`, result: Math.round(total * 100) / 100 };
  terms.getCell('B4').numFmt = '#,##0.00';
  terms.getColumn(1).width = 28;
  terms.getColumn(2).width = 16;
  return wb;
}

/** Purchase order: header on row 1, item numbers with leading zeros as text, a date column, description in D. */
function purchaseOrder(): ExcelJS.Workbook {
  const r = rng(4242);
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('PO lines');
  ws.columns = [
    { header: 'Item No', key: 'item', width: 10 },
    { header: 'Supplier part', key: 'part', width: 16 },
    { header: 'Ship date', key: 'date', width: 12 },
    { header: 'Item Description', key: 'desc', width: 50 },
    { header: 'Pack', key: 'pack', width: 8 },
    { header: 'Net wt (kg)', key: 'wt', width: 11 },
    { header: 'Price EUR', key: 'price', width: 11 },
    { header: 'Line value', key: 'value', width: 12 },
  ];
  ws.getRow(1).font = { bold: true };
  ws.getRow(1).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } };
  ws.autoFilter = 'A1:H1';
  const pool = [...ELECTRONICS, ...HARDWARE, ...APPAREL.slice(0, 4)];
  for (let i = 0; i < 90; i++) {
    const l = pool[Math.floor(r() * pool.length)];
    const n = i + 2;
    const pack = 1 + Math.floor(r() * 24);
    ws.addRow({
      item: String(i + 1).padStart(5, '0'),
      part: l.sku,
      date: new Date(Date.UTC(2026, 11, 1 + Math.floor(r() * 28))),
      desc: messy(l.text, l.sku, r),
      pack,
      wt: Math.round(r() * 2500) / 100,
      price: l.price,
      value: { formula: `E${n}*G${n}`, result: Math.round(pack * l.price * 100) / 100 },
    });
    ws.getCell(`A${n}`).numFmt = '@';
    ws.getCell(`C${n}`).numFmt = 'dd/mm/yyyy';
    ws.getCell(`F${n}`).numFmt = '0.00';
    ws.getCell(`G${n}`).numFmt = '"€"#,##0.00';
    ws.getCell(`H${n}`).numFmt = '"€"#,##0.00';
  }
  const notes = wb.addWorksheet('Notes');
  notes.getCell('A1').value = 'Buyer: Contoso Retail BV (sample data written for hs-classify)';
  notes.getCell('A2').value = 'Delivery to DC Tilburg, pallets max 1.8 m';
  return wb;
}

/** Food and apparel packing list with Latin-1-ish characters and a data validation on a status column. */
function packingList(): ExcelJS.Workbook {
  const r = rng(777);
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Packing list');
  ws.columns = [
    { header: 'Carton', key: 'ctn', width: 8 },
    { header: 'Article', key: 'art', width: 48 },
    { header: 'Cartons', key: 'n', width: 9 },
    { header: 'Gross kg', key: 'kg', width: 10 },
    { header: 'QC', key: 'qc', width: 8 },
  ];
  ws.getRow(1).font = { bold: true };
  const pool = [...FOOD, ...APPAREL];
  const extra = ['Crème brûlée dessert mix 250g', 'Jalapeño peppers pickled in brine, jar 350g', 'Müsli with dried fruit & nuts 750g'];
  let cartons = 0;
  let kg = 0;
  for (let i = 0; i < 60; i++) {
    const l = pool[Math.floor(r() * pool.length)];
    const text = i % 20 === 7 ? extra[(i / 20) | 0] : messy(l.text, l.sku, r);
    const row = { ctn: `C-${String(i + 1).padStart(3, '0')}`, art: text, n: 1 + Math.floor(r() * 40), kg: Math.round(r() * 4000) / 10, qc: r() < 0.9 ? 'pass' : 'hold' };
    cartons += row.n;
    kg += row.kg;
    ws.addRow(row);
    ws.getCell(`D${i + 2}`).numFmt = '#,##0.0';
    ws.getCell(`E${i + 2}`).dataValidation = { type: 'list', allowBlank: true, formulae: ['"pass,hold,fail"'] };
  }
  ws.getCell('A63').value = 'Total';
  ws.getCell('C63').value = { formula: 'SUM(C2:C61)', result: cartons };
  ws.getCell('D63').value = { formula: 'SUM(D2:D61)', result: Math.round(kg * 10) / 10 };
  ws.getCell('D63').numFmt = '#,##0.0';
  return wb;
}

async function main() {
  const dir = __dirname;
  const files: Array<[string, ExcelJS.Workbook]> = [
    ['northwind-invoice-mixed.xlsx', mixedInvoice()],
    ['contoso-po-electronics-hardware.xlsx', purchaseOrder()],
    ['packing-list-food-apparel.xlsx', packingList()],
  ];
  for (const [name, wb] of files) {
    wb.created = new Date(Date.UTC(2026, 10, 22));
    wb.modified = wb.created;
    await wb.xlsx.writeFile(path.join(dir, name));
    process.stdout.write(`wrote samples/${name}\n`);
  }
}

if (require.main === module) void main();
