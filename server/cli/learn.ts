// hs-classify learn: imports a company's classified product list (CSV, XLSX or JSONL: a description column, a code
// column, optionally an item id column) as company examples into the audit store the service and the CLI use
// (SQLITE_PATH or DATABASE_URL). All rows or none: any bad row is reported (row number, what is wrong) and nothing
// is imported. Codes are read as text; a code that lost its leading zero in a spreadsheet is reported, not guessed.
import crypto from 'node:crypto';
import os from 'node:os';
import { readRows, InputError, type InputRow } from './io';
import { loadDataset } from '../data';
import { openStore, describeStore, DEFAULT_SQLITE_PATH } from '../audit/open';
import { appendExamples, examplePayloads, CompanyExampleSet, LEARN_REQUEST_PREFIX } from '../memory/examples';
import { nationalIndex } from '../memory/codes';
import type { CompanyExamples } from '../pipeline/company';

export interface LearnOptions {
  input: string;
  column: string;
  codeColumn: string;
  idColumn?: string;
  sheet?: string;
  /** Who imports (default cli:<user name>). */
  who?: string;
  /** The SQLite file (default SQLITE_PATH, ./data/audit.sqlite); DATABASE_URL selects PostgreSQL. */
  sqlite?: string;
  dataDir?: string;
}

/** Most bad rows listed in the message. */
const LISTED = 20;

const byRow = (rows: InputRow[]) => new Map(rows.map((r) => [r.id, r]));

export function storeEnv(sqlite: string | undefined, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return sqlite ? { ...env, SQLITE_PATH: sqlite, DATABASE_URL: '' } : env;
}

/** Imports the file; returns how many examples were imported. Throws InputError (exit 2) for a bad file or bad rows. */
export async function runLearn(o: LearnOptions, log: (m: string) => void): Promise<number> {
  const descs = await readRows(o.input, { column: o.column, sheet: o.sheet });
  const codes = byRow(await readRows(o.input, { column: o.codeColumn, sheet: o.sheet }));
  const ids = o.idColumn ? byRow(await readRows(o.input, { column: o.idColumn, sheet: o.sheet })) : null;
  if (descs.length === 0) throw new InputError(`${o.input} has no data rows`);
  const ds = loadDataset(o.dataDir);
  const rows = descs.map((d) => ({
    description: d.description ?? '',
    code: codes.get(d.id)?.description ?? '',
    item_id: ids?.get(d.id)?.description ?? null,
  }));
  const who = o.who ?? `cli:${os.userInfo().username}`;
  const { payloads, errors } = examplePayloads({ ds }, nationalIndex({ ds }), rows, who, new Date().toISOString());
  if (errors.length) {
    const where = (row: number) => `row ${descs[row - 1].id}`;
    const listed = errors.slice(0, LISTED).map((e) => `  ${where(e.row)}: ${e.field === 'code' ? `${o.codeColumn}: ` : `${o.column}: `}${e.message}`);
    throw new InputError(
      `${errors.length} bad row${errors.length > 1 ? 's' : ''} in ${o.input}, nothing was imported (fix them and run again; codes must be text, e.g. "0901.21", not numbers):\n${listed.join('\n')}` +
        (errors.length > LISTED ? `\n  ... and ${errors.length - LISTED} more` : ''),
    );
  }
  const env = storeEnv(o.sqlite);
  const store = await openStore(env);
  try {
    await appendExamples(store, `${LEARN_REQUEST_PREFIX}${crypto.randomUUID()}`, payloads);
    const live = await new CompanyExampleSet(store).list();
    log(`imported ${payloads.length} company examples from ${o.input} as ${who} into ${describeStore(env)} (${live.length} company examples in all)`);
  } finally {
    await store.close();
  }
  return payloads.length;
}

/** The company examples of the local store, for the CLI's classify (none when the store does not exist). */
export async function localCompanyExamples(env: NodeJS.ProcessEnv, exists: (f: string) => boolean): Promise<CompanyExamples | undefined> {
  const file = env.SQLITE_PATH || DEFAULT_SQLITE_PATH;
  if (!env.DATABASE_URL && !exists(file)) return undefined;
  const store = await openStore(env);
  try {
    return await new CompanyExampleSet(store).forEngine();
  } finally {
    await store.close();
  }
}
