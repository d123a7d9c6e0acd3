// The service's start-up: https with development certificates generated offline into CERT_DIR, the static
// directory for the add-in, and the refusal to listen on a non-loopback address without API keys.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import https from 'node:https';
import { start } from '../server/service/main';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-main-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function get(url: string, ca: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca, servername: 'localhost' }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      })
      .on('error', reject);
  });
}

test('https on a free port with certificates generated into CERT_DIR, trusted through their own CA; static files served', async () => {
  const certDir = path.join(dir, 'certs');
  const staticDir = path.join(dir, 'addin');
  fs.mkdirSync(staticDir);
  fs.writeFileSync(path.join(staticDir, 'taskpane.html'), '<!doctype html><title>pane</title>');
  const s = await start({ ...process.env, PORT: '0', HTTP: '', HOST: '127.0.0.1', CERT_DIR: certDir, SQLITE_PATH: path.join(dir, 'a.sqlite'), DATABASE_URL: '', STATIC_DIR: staticDir, LOG_LEVEL: 'silent' });
  try {
    expect(fs.readdirSync(certDir).sort()).toEqual(['ca.crt', 'localhost.crt', 'localhost.key']);
    const port = (s.server.address() as { port: number }).port;
    const ca = fs.readFileSync(path.join(certDir, 'ca.crt'));
    const health = await get(`https://127.0.0.1:${port}/api/v1/health`, ca);
    expect(health).toEqual({ status: 200, body: '{"status":"ok"}' });
    expect((await get(`https://127.0.0.1:${port}/taskpane.html`, ca)).body).toContain('<title>pane</title>');
    // Without the CA the certificate is not trusted: nothing was added to the system's trust store.
    await expect(new Promise((resolve, reject) => https.get(`https://127.0.0.1:${port}/api/v1/health`, { servername: 'localhost' }, resolve).on('error', reject))).rejects.toMatchObject({
      code: expect.stringMatching(/SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/),
    });
  } finally {
    await s.close();
  }
});

test('refuses to start on a non-loopback address without API keys, before opening anything', async () => {
  await expect(start({ HOST: '0.0.0.0', PORT: '0', HTTP: '1', SQLITE_PATH: path.join(dir, 'never.sqlite') })).rejects.toThrow(/refusing to listen on 0\.0\.0\.0 without API keys/);
  expect(fs.existsSync(path.join(dir, 'never.sqlite'))).toBe(false);
});
