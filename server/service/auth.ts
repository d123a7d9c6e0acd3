// API keys and their roles. An API_KEYS entry is a bare key (every right, named "api-key") or `name:role:key` with
// role classify, review or admin (admin includes review, review includes classify). Keys are compared as SHA-256
// digests in constant time; the key itself is never kept in a log or a record, only the key's name.
import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export const ROLES = ['classify', 'review', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who made a request: the key's name and role; "local" with every right when no key is configured. */
export interface Principal {
  who: string;
  role: Role;
}

interface ParsedKey extends Principal {
  digest: Buffer;
}

/** The name of a bare key (one without name and role): it carries every right. */
export const BARE_KEY_NAME = 'api-key';
/** Who acts when no key is configured (only allowed on a loopback address, see main.ts). */
export const LOCAL_NAME = 'local';

const NAME_RE = /^[A-Za-z0-9._@-]{1,100}$/;
const sha256 = (s: string) => crypto.createHash('sha256').update(s, 'utf8').digest();

export class KeyConfigError extends Error {}

/**
 * Parses API_KEYS entries. An entry with two or more colons is `name:role:key` (the key may itself contain colons);
 * anything else is a bare key. Throws KeyConfigError naming the entry (by position, never by its key).
 */
export function parseApiKeys(entries: string[]): ParsedKey[] {
  const out: ParsedKey[] = [];
  const names = new Set<string>();
  entries.forEach((entry, i) => {
    const parts = entry.split(':');
    let p: ParsedKey;
    if (parts.length >= 3) {
      const [name, role, ...rest] = parts;
      const key = rest.join(':');
      if (!NAME_RE.test(name)) throw new KeyConfigError(`API_KEYS entry ${i + 1}: the name must be 1-100 of A-Z, a-z, 0-9, . _ @ -`);
      if (!(ROLES as readonly string[]).includes(role)) throw new KeyConfigError(`API_KEYS entry ${i + 1} (${name}): the role must be classify, review or admin, not "${role}"`);
      if (key.length < 8) throw new KeyConfigError(`API_KEYS entry ${i + 1} (${name}): the key must have at least 8 characters`);
      if (names.has(name)) throw new KeyConfigError(`API_KEYS entry ${i + 1}: the name ${name} is used twice`);
      names.add(name);
      p = { who: name, role: role as Role, digest: sha256(key) };
    } else {
      p = { who: BARE_KEY_NAME, role: 'admin', digest: sha256(entry) };
    }
    if (out.some((o) => o.digest.equals(p.digest))) throw new KeyConfigError(`API_KEYS entry ${i + 1}: the same key is given twice`);
    out.push(p);
  });
  return out;
}

/** Whether `role` includes the rights of `needed`. */
export function hasRole(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** The key a request carries: X-API-Key, else `Authorization: Bearer <key>` (the scheme in any case). */
export function keyOf(req: Request): string | undefined {
  const direct = req.get('x-api-key');
  if (direct) return direct.trim();
  const m = /^bearer\s+(.+)$/i.exec(req.get('authorization') ?? '');
  return m ? m[1].trim() : undefined;
}

export class AuthError extends Error {
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message);
  }
}

/** The principal of the request: local with every right when no key is configured; AuthError 401 otherwise without a right key. */
export function authenticate(keys: ParsedKey[], req: Request): Principal {
  if (keys.length === 0) return { who: LOCAL_NAME, role: 'admin' };
  const key = keyOf(req);
  if (!key) throw new AuthError(401, 'an API key is required (header X-API-Key or Authorization: Bearer)');
  const d = sha256(key);
  // every digest is compared, so the time taken does not tell which key (or whether any) was close
  let found: ParsedKey | undefined;
  for (const k of keys) if (crypto.timingSafeEqual(k.digest, d) && !found) found = k;
  if (!found) throw new AuthError(401, 'wrong API key');
  return { who: found.who, role: found.role };
}

export type AuthedRequest = Request & { principal?: Principal };

/** The principal authenticate() found for this request (set by the /api/v1 middleware). */
export function principalOf(req: Request): Principal {
  const p = (req as AuthedRequest).principal;
  if (!p) throw new Error('no principal: the authentication middleware did not run');
  return p;
}

/** Middleware: authenticates and keeps the principal on the request. Every key has at least the classify role. */
export function authMiddleware(keys: ParsedKey[]) {
  return (req: Request, _res: Response, next: NextFunction) => {
    try {
      (req as AuthedRequest).principal = authenticate(keys, req);
      next();
    } catch (e) {
      next(e);
    }
  };
}

/** Middleware: 403 unless the request's key has `role` (after authMiddleware). */
export function requireRole(role: Role) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const p = (req as AuthedRequest).principal;
    if (!p) return next(new AuthError(401, 'an API key is required (header X-API-Key or Authorization: Bearer)'));
    if (!hasRole(p.role, role)) return next(new AuthError(403, `the key ${p.who} has the ${p.role} role; this needs ${role === 'admin' ? 'an' : 'a'} ${role} key`));
    next();
  };
}
