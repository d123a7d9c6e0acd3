// Draws the add-in's icons (addin/assets/icon-{16,32,64,80}.png): a blue rounded square with three white rows of
// "code" blocks, a table being filled in. Plain RGBA PNGs written with node:zlib, no image library.
// Run: npx tsx scripts/make-icons.ts (the PNGs are committed; rerun only to change the design).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
export function png(size: number, pixel: (x: number, y: number) => [number, number, number, number]): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) raw.set(pixel(x, y), y * (size * 4 + 1) + 1 + x * 4);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** Coverage (0..1) of the design at a point in unit coordinates, supersampled by the caller. */
function design(u: number, v: number): { blue: number; white: number } {
  const r = 0.18; // corner radius
  const inside = (() => {
    const cx = Math.min(Math.max(u, r), 1 - r);
    const cy = Math.min(Math.max(v, r), 1 - r);
    return (u - cx) ** 2 + (v - cy) ** 2 <= r * r && u >= 0 && u <= 1 && v >= 0 && v <= 1;
  })();
  if (!inside) return { blue: 0, white: 0 };
  // three rows: a long block (the description) and a short one (the code)
  const rows = [0.22, 0.44, 0.66];
  for (const y0 of rows) {
    if (v >= y0 && v <= y0 + 0.13) {
      if (u >= 0.16 && u <= 0.52) return { blue: 1, white: 1 };
      if (u >= 0.6 && u <= 0.84) return { blue: 1, white: 0.75 };
    }
  }
  return { blue: 1, white: 0 };
}

function icon(size: number): Buffer {
  const S = 4;
  return png(size, (x, y) => {
    let blue = 0;
    let white = 0;
    for (let i = 0; i < S; i++)
      for (let j = 0; j < S; j++) {
        const d = design((x + (i + 0.5) / S) / size, (y + (j + 0.5) / S) / size);
        blue += d.blue;
        white += d.white;
      }
    blue /= S * S;
    white /= S * S;
    if (blue === 0) return [0, 0, 0, 0];
    const w = white / blue;
    const mix = (a: number, b: number) => Math.round(a * (1 - w) + b * w);
    return [mix(0x0f, 255), mix(0x6c, 255), mix(0xbd, 255), Math.round(blue * 255)];
  });
}

if (require.main === module) {
  const dir = path.resolve(__dirname, '..', 'addin', 'assets');
  fs.mkdirSync(dir, { recursive: true });
  for (const s of [16, 32, 64, 80]) {
    fs.writeFileSync(path.join(dir, `icon-${s}.png`), icon(s));
    process.stdout.write(`addin/assets/icon-${s}.png\n`);
  }
}
