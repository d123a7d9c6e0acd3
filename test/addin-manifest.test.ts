// The add-in manifest: the offline validator (scripts/validate-manifest.ts, `npm run validate:manifest`) passes the
// committed manifest and catches each kind of mistake; the webpack build puts the production URL into the copy.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assetMapper, checkManifestText, pngSize } from '../scripts/validate-manifest';
import { buildAddin } from './support/addin-harness';

const ROOT = path.resolve(__dirname, '..');
const MANIFEST = fs.readFileSync(path.join(ROOT, 'manifest.xml'), 'utf8');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-manifest-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs the validator as `npm run validate:manifest` does (tsx), on a file. */
function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(ROOT, 'scripts', 'validate-manifest.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const write = (name: string, text: string) => {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, text);
  return f;
};
const icons = assetMapper(MANIFEST, path.join(ROOT, 'addin'));
const problems = (xml: string) => checkManifestText(xml, icons).map((p) => `[${p.check}] ${p.message}`);

test('the committed manifest passes every offline check (xmllint, readManifestFile, ours)', () => {
  expect(execFileSync('which', ['xmllint'], { encoding: 'utf8' }).trim()).not.toBe('');
  const r = cli([]);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/manifest\.xml: well-formed, read by office-addin-manifest/);
  expect(problems(MANIFEST)).toEqual([]);
});

test('each kind of mistake is reported', () => {
  expect(problems(MANIFEST.replace('https://localhost:3000/taskpane.html"/>\n  </DefaultSettings>', 'http://localhost:3000/taskpane.html"/>\n  </DefaultSettings>'))).toEqual([
    '[https] "http://localhost:3000/taskpane.html" is not https (Office requires https)',
  ]);
  expect(problems(MANIFEST.replace('<Label resid="TaskpaneButton.Label"/>', '<Label resid="TaskpaneButton.Lable"/>'))).toEqual([
    '[resid] <Label resid="TaskpaneButton.Lable"> does not resolve: no such id in <bt:ShortStrings>',
  ]);
  // a long string used where a short one is needed does not resolve either
  expect(problems(MANIFEST.replace('<Label resid="Group.Label"/>', '<Label resid="TaskpaneButton.Tooltip"/>'))).toEqual([
    '[resid] <Label resid="TaskpaneButton.Tooltip"> does not resolve: no such id in <bt:ShortStrings>',
  ]);
  expect(problems(MANIFEST.replace('<Permissions>ReadWriteDocument</Permissions>', '<Permissions>ReadDocument</Permissions>'))).toEqual([
    '[required] <Permissions> is "ReadDocument", the add-in writes cells: ReadWriteDocument',
  ]);
  expect(problems(MANIFEST.replace('<Host Name="Workbook"/>', '<Host Name="Document"/>'))).toEqual([
    '[required] the add-in must declare <Hosts><Host Name="Workbook"/></Hosts> (Excel)',
  ]);
  expect(problems(MANIFEST.replace('<Id>4b8f1c52-7d3e-4a6b-9c21-5e0f8a9d3b17</Id>', '<Id>my-addin</Id>'))).toEqual(['[required] <Id> "my-addin" is not a GUID']);
  expect(problems(MANIFEST.replace('assets/icon-80.png"/>\n      </bt:Images>', 'assets/icon-64.png"/>\n      </bt:Images>'))).toEqual([
    `[icons] ribbon image Icon.80x80: ${path.join(ROOT, 'addin', 'assets', 'icon-64.png')} is 64x64, expected 80x80`,
  ]);
  expect(problems(MANIFEST.replace('assets/icon-16.png"', 'assets/missing-16.png"'))[0]).toMatch(/^\[icons\] ribbon image Icon.16x16: https:\/\/localhost:3000\/assets\/missing-16.png has no file/);
});

test('the CLI fails with the reason: not well-formed, or a broken reference', () => {
  const bad = cli([write('bad.xml', MANIFEST.replace('</DefaultSettings>', ''))]);
  expect(bad.code).toBe(1);
  expect(bad.err).toMatch(/bad\.xml: \[xmllint\] not well-formed XML: .*mismatch/);
  const broken = cli([write('broken.xml', MANIFEST.replace('<SourceLocation resid="Taskpane.Url"/>', '<SourceLocation resid="Nope.Url"/>')), '--assets', path.join(ROOT, 'addin')]);
  expect(broken.code).toBe(1);
  expect(broken.err).toMatch(/broken\.xml: \[resid\] <SourceLocation resid="Nope.Url"> does not resolve: no such id in <bt:Urls>/);
});

test('the icons are PNGs of the sizes the manifest names', () => {
  for (const s of [16, 32, 64, 80]) expect(pngSize(fs.readFileSync(path.join(ROOT, 'addin', 'assets', `icon-${s}.png`)))).toEqual({ width: s, height: s });
});

test('the build copies the manifest with the production URL, and the copy validates with the built icons', async () => {
  const out = path.join(tmp, 'build');
  await buildAddin(out, 'https://hs.example.com');
  const built = fs.readFileSync(path.join(out, 'manifest.xml'), 'utf8');
  expect(built).not.toMatch(/localhost/);
  expect(built.match(/https:\/\/hs\.example\.com/g)).toHaveLength(MANIFEST.match(/https:\/\/localhost:3000/g)!.length);
  expect(built).toMatch(/<SourceLocation DefaultValue="https:\/\/hs\.example\.com\/taskpane\.html"\/>/);
  const r = cli([path.join(out, 'manifest.xml')]);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  for (const f of ['office.js', 'o15apptofilemappingtable.js', 'taskpane.html', 'index.html', 'taskpane.css', 'assets/icon-16.png']) expect(fs.existsSync(path.join(out, f))).toBe(true);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { productionUrl } = require('../webpack.config.js') as { productionUrl: (u: unknown) => string };
  expect(productionUrl('https://hs.example.com/')).toBe('https://hs.example.com');
  expect(() => productionUrl('http://hs.example.com')).toThrow(/must be served over https/);
  expect(() => productionUrl('https://hs.example.com/addin')).toThrow(/origin only/);
});
