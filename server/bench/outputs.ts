// Output fingerprint of the engine, to check that a speed change changes no result: classifies a fixed set of
// visible example descriptions (HS 6 only, then with US national lines) on the calling thread and prints the
// SHA-256 of the JSON results and the time taken. `tsx server/bench/outputs.ts [rows]` (default 3,000).
import crypto from 'node:crypto';
import { openEngine } from '../engine';
import { classify } from '../classifier';

async function main() {
  const n = Number(process.argv[2] ?? 3000);
  const { engine } = openEngine();
  const texts = engine.ds.examples.map((e) => e.text);
  const rows = Array.from({ length: n }, (_, i) => texts[(i * 7919) % texts.length]);
  const h = crypto.createHash('sha256');
  const t0 = performance.now();
  for (const country of [undefined, 'US'] as const) for (const r of rows) h.update(`${JSON.stringify(await classify(engine, r, country))}\n`);
  const ms = performance.now() - t0;
  console.log(JSON.stringify({ rows: 2 * n, hash: h.digest('hex'), ms: Math.round(ms), rowsPerSecond: Math.round((2 * n) / (ms / 1000)) }));
}

void main();
