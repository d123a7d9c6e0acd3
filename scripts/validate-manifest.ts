// npm run validate:manifest: offline checks of the add-in manifest (the online `office-addin-manifest validate`
// needs Microsoft's service: that is `npm run validate`).
//   npx tsx scripts/validate-manifest.ts [manifest.xml] [--assets DIR]
// 1. xmllint: well-formed XML (libxml2-utils);
// 2. office-addin-manifest's readManifestFile: the library reads it (id, version, hosts, source location, ...);
// 3. our checks: required elements, the Workbook host, ReadWriteDocument, a GUID id, https URLs only, every resid
//    resolves to a resource of the right kind, the icon sizes the manifest names, and (with --assets, default the
//    manifest's own directory for a built manifest, addin/ for the source one) that each icon file exists with
//    that pixel size.
// Exit code 0 when everything passes, 1 with one line per problem otherwise.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface Problem {
  check: string;
  message: string;
}

const attr = (tag: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];

/** Size of a PNG from its IHDR, or null when the file is not a PNG. */
export function pngSize(buf: Buffer): { width: number; height: number } | null {
  if (buf.length < 24 || buf.readUInt32BE(0) !== 0x89504e47 || buf.toString('ascii', 12, 16) !== 'IHDR') return null;
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

/**
 * The manifest checks that need no library: required elements, values, https URLs, resids and icons.
 * `assetFile(url)` maps an icon URL to a local file to check, or null to skip the file check.
 */
export function checkManifestText(xml: string, assetFile: (url: string) => string | null = () => null): Problem[] {
  const problems: Problem[] = [];
  const add = (check: string, message: string) => problems.push({ check, message });
  const noComments = xml.replace(/<!--[\s\S]*?-->/g, '');
  const el = (name: string) => new RegExp(`<${name}(\\s[^>]*)?>`).exec(noComments)?.[0];
  const text = (name: string) => new RegExp(`<${name}(?:\\s[^>]*)?>([^<]*)</${name}>`).exec(noComments)?.[1]?.trim();

  const root = el('OfficeApp');
  if (!root) add('required', 'no <OfficeApp> root element');
  else if (attr(root, 'xsi:type') !== 'TaskPaneApp') add('required', `<OfficeApp xsi:type> is "${attr(root, 'xsi:type')}", expected "TaskPaneApp"`);
  const id = text('Id');
  if (!id) add('required', 'missing <Id>');
  else if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) add('required', `<Id> "${id}" is not a GUID`);
  const version = text('Version');
  if (!version) add('required', 'missing <Version>');
  else if (!/^\d+(\.\d+){0,3}$/.test(version)) add('required', `<Version> "${version}" is not n.n.n.n`);
  if (!text('ProviderName')) add('required', 'missing <ProviderName>');
  if (!text('DefaultLocale')) add('required', 'missing <DefaultLocale>');
  for (const name of ['DisplayName', 'Description', 'IconUrl', 'HighResolutionIconUrl', 'SupportUrl']) {
    const e = el(name);
    if (!e || !attr(e, 'DefaultValue')) add('required', `missing <${name} DefaultValue="...">`);
  }
  if (!/<Hosts>\s*<Host\s+Name="Workbook"\s*\/>/.test(noComments)) add('required', 'the add-in must declare <Hosts><Host Name="Workbook"/></Hosts> (Excel)');
  const src = /<DefaultSettings>[\s\S]*?<SourceLocation\s+DefaultValue="([^"]+)"/.exec(noComments)?.[1];
  if (!src) add('required', 'missing <DefaultSettings><SourceLocation DefaultValue="...">');
  if (text('Permissions') !== 'ReadWriteDocument') add('required', `<Permissions> is "${text('Permissions') ?? ''}", the add-in writes cells: ReadWriteDocument`);
  if (!/<VersionOverrides[\s>]/.test(noComments)) add('required', 'missing <VersionOverrides> (the ribbon button)');
  else {
    if (!/<Host\s+xsi:type="Workbook"\s*>/.test(noComments)) add('required', '<VersionOverrides> has no <Host xsi:type="Workbook">');
    if (!/<Action\s+xsi:type="ShowTaskpane"\s*>/.test(noComments)) add('required', 'no ribbon button with <Action xsi:type="ShowTaskpane">');
  }

  // URLs: every DefaultValue that is a URL, and the AppDomains
  const urls: string[] = [];
  for (const m of noComments.matchAll(/DefaultValue="((?:[a-z][a-z0-9+.-]*):\/\/[^"]*)"/gi)) urls.push(m[1]);
  for (const m of noComments.matchAll(/<AppDomain>([^<]*)<\/AppDomain>/g)) urls.push(m[1].trim());
  for (const u of urls) {
    let parsed: URL | null = null;
    try {
      parsed = new URL(u);
    } catch {
      add('https', `"${u}" is not a valid URL`);
      continue;
    }
    if (parsed.protocol !== 'https:') add('https', `"${u}" is not https (Office requires https)`);
  }

  // resids: each resid must name a resource of the right kind
  const resources = (kind: string) => {
    const block = new RegExp(`<bt:${kind}>([\\s\\S]*?)</bt:${kind}>`).exec(noComments)?.[1] ?? '';
    const ids = new Map<string, string>();
    for (const m of block.matchAll(/<bt:(?:Image|Url|String)\s+([^>]*?)\/?>/g)) {
      const rid = attr(m[0], 'id');
      if (!rid) continue;
      if (ids.has(rid)) add('resid', `resource id "${rid}" is defined twice in <bt:${kind}>`);
      if (rid.length > 32) add('resid', `resource id "${rid}" is longer than 32 characters`);
      ids.set(rid, attr(m[0], 'DefaultValue') ?? '');
    }
    return ids;
  };
  const images = resources('Images');
  const urlRes = resources('Urls');
  const shortS = resources('ShortStrings');
  const longS = resources('LongStrings');
  const kindOf: Record<string, [Map<string, string>, string]> = {
    'bt:Image': [images, 'bt:Images'],
    SourceLocation: [urlRes, 'bt:Urls'],
    FunctionFile: [urlRes, 'bt:Urls'],
    LearnMoreUrl: [urlRes, 'bt:Urls'],
    Label: [shortS, 'bt:ShortStrings'],
    Title: [shortS, 'bt:ShortStrings'],
    Description: [longS, 'bt:LongStrings'],
  };
  let resids = 0;
  const usedImages: { size: string; rid: string }[] = [];
  for (const m of noComments.matchAll(/<([\w:]+)\s+([^>]*\bresid="([^"]*)"[^>]*)\/?>/g)) {
    resids++;
    const [, tag, , rid] = m;
    const k = kindOf[tag];
    if (!k) {
      add('resid', `<${tag} resid="${rid}">: unexpected element with a resid`);
      continue;
    }
    if (!k[0].has(rid)) add('resid', `<${tag} resid="${rid}"> does not resolve: no such id in <${k[1]}>`);
    if (tag === 'bt:Image') usedImages.push({ size: attr(m[0], 'size') ?? '', rid });
  }
  if (resids === 0) add('resid', 'no resid references: the ribbon button has no label or icon');
  for (const size of ['16', '32', '80']) if (!usedImages.some((i) => i.size === size)) add('icons', `the ribbon icons need a ${size} px image`);

  // icon files and their sizes
  const icons: { url: string; size: number; what: string }[] = [];
  const iconUrl = el('IconUrl') && attr(el('IconUrl')!, 'DefaultValue');
  const hiUrl = el('HighResolutionIconUrl') && attr(el('HighResolutionIconUrl')!, 'DefaultValue');
  if (iconUrl) icons.push({ url: iconUrl, size: 32, what: 'IconUrl' });
  if (hiUrl) icons.push({ url: hiUrl, size: 64, what: 'HighResolutionIconUrl' });
  for (const i of usedImages) {
    const u = images.get(i.rid);
    if (u) icons.push({ url: u, size: Number(i.size), what: `ribbon image ${i.rid}` });
  }
  const checked = new Set<string>();
  for (const i of icons) {
    if (checked.has(`${i.url} ${i.size}`)) continue;
    checked.add(`${i.url} ${i.size}`);
    const file = assetFile(i.url);
    if (!file) continue;
    if (!fs.existsSync(file)) {
      add('icons', `${i.what}: ${i.url} has no file ${file}`);
      continue;
    }
    const s = pngSize(fs.readFileSync(file));
    if (!s) add('icons', `${i.what}: ${file} is not a PNG`);
    else if (s.width !== i.size || s.height !== i.size) add('icons', `${i.what}: ${file} is ${s.width}x${s.height}, expected ${i.size}x${i.size}`);
  }
  return problems;
}

/** Maps icon URLs under the manifest's origin (that of its SourceLocation) to files under assetsDir. */
export function assetMapper(xml: string, assetsDir: string): (url: string) => string | null {
  const src = /<SourceLocation\s+DefaultValue="([^"]+)"/.exec(xml)?.[1];
  let origin: string | null = null;
  try {
    origin = src ? new URL(src).origin : null;
  } catch {
    origin = null;
  }
  return (url: string) => {
    try {
      const u = new URL(url);
      return origin && u.origin === origin ? path.join(assetsDir, decodeURIComponent(u.pathname)) : null;
    } catch {
      return null;
    }
  };
}

export async function validateManifest(file: string, assetsDir: string): Promise<Problem[]> {
  const problems: Problem[] = [];
  try {
    execFileSync('xmllint', ['--noout', '--nonet', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT') problems.push({ check: 'xmllint', message: 'xmllint is not installed (apt-get install libxml2-utils)' });
    else {
      problems.push({ check: 'xmllint', message: `not well-formed XML: ${String(err.stderr ?? err.message).trim().split('\n')[0]}` });
      return problems; // the rest would only repeat it
    }
  }
  try {
    const { OfficeAddinManifest } = await import('office-addin-manifest');
    const info = await OfficeAddinManifest.readManifestFile(file);
    if (info.manifestType !== 'xml') problems.push({ check: 'readManifestFile', message: `read as a ${info.manifestType} manifest` });
    if (!info.hosts?.includes('Workbook')) problems.push({ check: 'readManifestFile', message: `hosts are ${JSON.stringify(info.hosts)}, expected Workbook` });
    if (!info.defaultSettings?.sourceLocation) problems.push({ check: 'readManifestFile', message: 'no source location' });
    if (info.officeAppType !== 'TaskPaneApp') problems.push({ check: 'readManifestFile', message: `app type ${info.officeAppType}, expected TaskPaneApp` });
  } catch (e) {
    problems.push({ check: 'readManifestFile', message: (e as Error).message });
  }
  const xml = fs.readFileSync(file, 'utf8');
  problems.push(...checkManifestText(xml, assetMapper(xml, assetsDir)));
  return problems;
}

async function main(argv: string[]): Promise<number> {
  const root = path.resolve(__dirname, '..');
  let file = path.join(root, 'manifest.xml');
  let assets: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--assets') assets = path.resolve(argv[++i] ?? '.');
    else file = path.resolve(argv[i]);
  }
  if (!fs.existsSync(file)) {
    process.stderr.write(`validate-manifest: no file ${file}\n`);
    return 1;
  }
  // The source manifest's icons live in addin/ (URL path /assets/... -> addin/assets/...); a built one's beside it.
  assets ??= path.resolve(file) === path.join(root, 'manifest.xml') ? path.join(root, 'addin') : path.dirname(file);
  const problems = await validateManifest(file, assets);
  const rel = path.relative(process.cwd(), file) || file;
  if (problems.length === 0) {
    process.stdout.write(`${rel}: well-formed, read by office-addin-manifest, required elements present, https URLs, resids resolve, icons present at their sizes\n`);
    return 0;
  }
  for (const p of problems) process.stderr.write(`${rel}: [${p.check}] ${p.message}\n`);
  return 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
