// What the add-in's end-to-end test and benchmark share: the production build (webpack, as `npm run build`), the
// real service (createApp with the real engine and a SQLite audit file, plain HTTP on 127.0.0.1, STATIC_DIR = the
// build) and headless Chromium with the fake Excel workbook (test/support/fake-excel.js) injected into the page.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { chromium, type Browser, type Page } from 'playwright-core';
import { openEngine, type OpenedEngine } from '../../server/engine';
import { createApp } from '../../server/service/app';
import type { RowClassifier } from '../../server/pool';
import { SqliteStore } from '../../server/audit/sqlite';
import type { DutyData } from '../../server/duties/load';

const ROOT = path.resolve(__dirname, '..', '..');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Builds the task pane in production mode into outDir, exactly as `npm run build` does (same webpack config). */
export async function buildAddin(outDir: string, url?: string): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const webpack = require('webpack') as typeof import('webpack');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const config = require(path.join(ROOT, 'webpack.config.js'))({ out: outDir, ...(url ? { url } : {}) }, { mode: 'production' });
  await new Promise<void>((resolve, reject) => {
    webpack(config, (err, stats) => {
      if (err) return reject(err);
      if (stats?.hasErrors()) return reject(new Error(stats.toString({ all: false, errors: true })));
      resolve();
    });
  });
}

export interface Service {
  url: string;
  opened: OpenedEngine;
  close(): Promise<void>;
}

/**
 * The real service on 127.0.0.1 (any free port), serving staticDir; classifying on `classifier` (e.g. a worker
 * pool, as the service runs; default this thread), which close() closes.
 */
export async function startService(
  staticDir: string,
  opened: OpenedEngine = openEngine(),
  classifier?: RowClassifier,
  extra: { duties?: DutyData; apiKeys?: string[] } = {},
): Promise<Service> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-addin-'));
  const store = new SqliteStore(path.join(dir, 'audit.sqlite'));
  const app = createApp({
    engine: opened.engine,
    versions: opened.versions,
    classifier,
    store,
    duties: extra.duties,
    config: { apiKeys: extra.apiKeys ?? [], allowedOrigins: [], rateLimit: { windowMs: 60_000, limit: 1_000_000 }, staticDir },
    logger: pino({ level: 'warn' }),
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    opened,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      await classifier?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export interface FakeExcelConfig {
  sheet?: string;
  cells: Record<string, string | number>;
  selection: string;
  syncDelayMs?: number;
}

/**
 * A task-pane page (360 px wide, as in Excel) on the service's build. Every request that does not go to the
 * service is aborted. With `excel`, the fake workbook is injected before the page's scripts run.
 */
export async function openPane(browser: Browser, base: string, excel?: FakeExcelConfig, page = 'taskpane.html'): Promise<{ page: Page; errors: string[]; blocked: string[] }> {
  const context = await browser.newContext({ viewport: { width: 360, height: 900 } });
  const p = await context.newPage();
  const errors: string[] = [];
  const blocked: string[] = [];
  p.on('pageerror', (e) => errors.push(String(e)));
  await p.route('**/*', (route) => {
    const u = route.request().url();
    if (u === base || u.startsWith(`${base}/`)) return route.fallback();
    blocked.push(u);
    return route.abort();
  });
  if (excel) {
    const fake = fs.readFileSync(path.join(__dirname, 'fake-excel.js'), 'utf8');
    await p.addInitScript({ content: `window.__fakeExcelConfig = ${JSON.stringify(excel)};\n${fake}` });
  }
  await p.goto(`${base}/${page}`);
  await p.waitForSelector(excel ? '#excel-mode:not([hidden])' : '#web-mode:not([hidden])', { timeout: 15_000 });
  return { page: p, errors, blocked };
}

/** Invoice-style descriptions (several land in chapters 01-09, whose codes start with a zero). */
export const DESCRIPTIONS = [
  'mens 100% cotton knitted t-shirt',
  'lithium ion battery pack for laptop',
  'frozen shrimp, peeled',
  'roasted coffee beans, not decaffeinated',
  'fresh bananas',
  'stainless steel hex bolts M8 x 40',
  'womens leather handbag',
  'plastic toy building blocks set',
  'LED desk lamp with USB port',
  'camera drone with 4k camera and gps',
  'live horses for breeding',
  'frozen boneless beef cuts',
  'cheddar cheese blocks',
  'green tea in packets of 2 kg',
  'ceramic dinner plates, porcelain',
  'wooden dining chair',
  'bicycle inner tubes, rubber',
  'printed cotton woven fabric',
  'olive oil extra virgin',
  'laptop computer 14 inch',
  'fresh cut roses',
  'dried lentils, shelled',
  'womens knitted wool sweater',
  'steel kitchen knives',
  'mobile phone charger',
];

/** A sheet: item ids in A, descriptions in B under a header row; n data rows. */
export function invoiceSheet(n: number, extra: Record<string, string | number> = {}): Record<string, string | number> {
  const cells: Record<string, string | number> = { A1: 'Item', B1: 'Description' };
  for (let i = 0; i < n; i++) {
    cells[`A${i + 2}`] = `INV-${String(i + 1).padStart(5, '0')}`;
    cells[`B${i + 2}`] = DESCRIPTIONS[i % DESCRIPTIONS.length];
  }
  return { ...cells, ...extra };
}
