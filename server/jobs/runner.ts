// Bulk jobs: rows (JSON) or a supplier file (CSV/XLSX, with review's column options) classified in the background
// and recorded in the audit trail as ONE request whose id is the job's id.
//
// With PostgreSQL the queue is pg-boss: every instance sharing the database takes jobs; a job whose instance dies
// is handed to another once its lease expires (JOB_EXPIRE_SECONDS). Without PostgreSQL the same API runs jobs in
// this process, one at a time, on the embedded store; unfinished jobs are taken up again after a restart.
//
// Exactly once: an attempt stages its audit rows and commits them with the request record in one transaction
// (server/audit/store.ts); the job id is the request id, so a second attempt's commit is refused (the store's
// "already recorded") and the first record stands; an attempt that finds the request recorded does not classify
// again. Nothing partial: staged rows are not part of the trail until the commit.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Engine } from '../classifier';
import type { RowClassifier } from '../pool';
import { DuplicateRequestError, type AuditStore } from '../audit/store';
import { InputError } from '../cli/io';
import { runReview } from '../review/run';
import { nationalIndex, processRows, type MemoryOptions, type NationalIndex, type RowInput } from '../service/rows';
import type { VersionsT } from '../service/schemas';
import type { Country } from '../types';
import type { JobRecord, JobStore } from './store';

/** Rows classified (and staged in the audit store) per step of a rows job. */
const SLICE = 1000;
const QUEUE = 'hs-classify-jobs';

export interface JobsConfig {
  /** Attempts before a job is failed for good (a dead instance counts as one). */
  maxAttempts: number;
  /** pg-boss: seconds an attempt may run before the job is handed to another instance. */
  expireSeconds: number;
  /** pg-boss: how often an idle instance looks for jobs, and how often expired attempts are looked for. */
  pollSeconds: number;
  maintenanceSeconds: number;
}

export function jobsConfig(env: NodeJS.ProcessEnv): JobsConfig {
  const num = (name: string, dflt: number, min: number) => {
    const v = env[name];
    if (v === undefined || v === '') return dflt;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new Error(`${name} must be a number of at least ${min}, not "${v}"`);
    return n;
  };
  return {
    maxAttempts: num('JOB_ATTEMPTS', 3, 1),
    expireSeconds: num('JOB_EXPIRE_SECONDS', 900, 1),
    pollSeconds: num('JOB_POLL_SECONDS', 2, 0.5),
    maintenanceSeconds: num('JOB_MAINTENANCE_SECONDS', 30, 1),
  };
}

export interface FileOptions {
  column: string;
  sheet?: string;
  id_column?: string;
  country?: Country;
  /** The uploaded file's name (for the Summary sheet); its extension says CSV or XLSX. */
  file_name: string;
}

interface RowsOptions {
  country?: Country;
}

/** How jobs get to a worker. */
interface Queue {
  send(id: string): Promise<void>;
  /** Starts taking jobs: `work` runs one attempt and throws to have it retried. */
  start(work: (id: string) => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

/** This process, one job at a time, first come first served. */
class InProcessQueue implements Queue {
  private readonly waiting: string[] = [];
  private work: ((id: string) => Promise<void>) | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly jobs: JobStore,
    private readonly maxAttempts: number,
  ) {}

  async send(id: string): Promise<void> {
    this.waiting.push(id);
    this.pump();
  }

  async start(work: (id: string) => Promise<void>): Promise<void> {
    this.work = work;
    // Jobs this store had not finished when the process stopped are taken up again.
    for (const id of await this.jobs.unfinished()) if (!this.waiting.includes(id)) this.waiting.push(id);
    this.pump();
  }

  private pump(): void {
    if (this.running || !this.work || this.stopped) return;
    const id = this.waiting.shift();
    if (id === undefined) return;
    this.running = this.work(id)
      .catch(async () => {
        const j = await this.jobs.get(id);
        if (j && j.state !== 'failed' && j.attempts < this.maxAttempts) this.waiting.push(id);
      })
      .finally(() => {
        this.running = null;
        this.pump();
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }
}

/** pg-boss on the shared PostgreSQL: any instance takes the next job. */
class PgBossQueue implements Queue {
  private readonly boss: PgBoss;

  constructor(
    url: string,
    private readonly cfg: JobsConfig,
    logger: Logger,
  ) {
    this.boss = new PgBoss({ connectionString: url, max: 4, maintenanceIntervalSeconds: cfg.maintenanceSeconds });
    this.boss.on('error', (e) => logger.error({ err: e }, 'job queue error'));
  }

  async send(id: string): Promise<void> {
    await this.boss.send(QUEUE, { id }, { retryLimit: this.cfg.maxAttempts - 1, retryDelay: 1, expireInSeconds: this.cfg.expireSeconds });
  }

  async start(work: (id: string) => Promise<void>): Promise<void> {
    await this.boss.start();
    if (!(await this.boss.getQueue(QUEUE))) {
      await this.boss.createQueue(QUEUE, { name: QUEUE, retryLimit: this.cfg.maxAttempts - 1, retryDelay: 1, expireInSeconds: this.cfg.expireSeconds }).catch(async (e) => {
        if (!(await this.boss.getQueue(QUEUE))) throw e; // another instance created it meanwhile: fine
      });
    }
    await this.boss.work<{ id: string }>(QUEUE, { batchSize: 1, pollingIntervalSeconds: this.cfg.pollSeconds }, async ([job]) => work(job.data.id));
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, wait: true, timeout: 10_000 });
  }
}

export interface JobsDeps {
  engine: Engine;
  classifier: RowClassifier;
  versions: VersionsT;
  store: AuditStore;
  jobs: JobStore;
  logger: Logger;
  /** PostgreSQL URL: pg-boss; absent: in-process. */
  databaseUrl?: string;
  config?: JobsConfig;
  /** The classification memory's approvals and the company examples (main.ts passes the service's). */
  memory?: MemoryOptions;
}

export class Jobs {
  /** Who works jobs here: host and process id (reported as a job's worker). */
  readonly instance = `${os.hostname()}:${process.pid}`;
  readonly backend: 'pg-boss' | 'in-process';
  private readonly queue: Queue;
  private readonly cfg: JobsConfig;
  private readonly idx: NationalIndex;

  constructor(private readonly deps: JobsDeps) {
    this.cfg = deps.config ?? jobsConfig({});
    this.idx = nationalIndex(deps.engine);
    this.backend = deps.databaseUrl ? 'pg-boss' : 'in-process';
    this.queue = deps.databaseUrl ? new PgBossQueue(deps.databaseUrl, this.cfg, deps.logger) : new InProcessQueue(deps.jobs, this.cfg.maxAttempts);
  }

  start(): Promise<void> {
    return this.queue.start((id) => this.attempt(id));
  }

  stop(): Promise<void> {
    return this.queue.stop();
  }

  get(id: string): Promise<JobRecord | null> {
    return this.deps.jobs.get(id);
  }

  result(id: string): Promise<Buffer | null> {
    return this.deps.jobs.result(id);
  }

  /** Enqueues rows (already cleaned, ids given). */
  async submitRows(id: string, rows: RowInput[], country?: Country): Promise<JobRecord> {
    const options: RowsOptions = country ? { country } : {};
    return this.submit(id, 'rows', JSON.stringify(options), Buffer.from(JSON.stringify(rows)), rows.length);
  }

  /** Enqueues a supplier file for review. */
  async submitFile(id: string, body: Buffer, options: FileOptions): Promise<JobRecord> {
    return this.submit(id, 'file', JSON.stringify(options), body, null);
  }

  private async submit(id: string, kind: 'rows' | 'file', options: string, input: Buffer, total: number | null): Promise<JobRecord> {
    await this.deps.jobs.create({ id, kind, options, input, total, createdAt: new Date().toISOString() });
    await this.queue.send(id);
    return (await this.deps.jobs.get(id))!;
  }

  /** One attempt at a job. Throws (after recording why) to have it tried again; bad input fails it for good. */
  async attempt(id: string): Promise<void> {
    const { jobs, logger } = this.deps;
    const job = await jobs.start(id, this.instance);
    if (!job) return; // finished already, or unknown
    const log = logger.child({ job: id, attempt: job.attempts });
    log.info({ kind: job.kind }, 'job started');
    try {
      if (job.kind === 'rows') await this.rows(job);
      else await this.file(job);
      await jobs.finish(id, 'completed', null);
      log.info('job completed');
    } catch (e) {
      const bad = e instanceof InputError;
      const last = bad || job.attempts >= this.cfg.maxAttempts;
      await jobs.finish(id, last ? 'failed' : 'queued', bad ? (e as Error).message : `attempt ${job.attempts} failed: ${(e as Error).message}`);
      log.warn({ err: e }, last ? 'job failed' : 'job attempt failed; it will be tried again');
      if (!last) throw e;
    }
  }

  private async rows(job: JobRecord): Promise<void> {
    const { jobs, store, engine, classifier, versions } = this.deps;
    if (await store.hasRequest(job.id)) return; // an earlier attempt recorded it and died before saying so
    const { country } = JSON.parse(job.options) as RowsOptions;
    const rows = JSON.parse((await jobs.input(job.id))!.toString('utf8')) as RowInput[];
    const createdAt = new Date().toISOString();
    const staged = await store.stageRequest(job.id, createdAt);
    try {
      for (let s = 0; s < rows.length; s += SLICE) {
        const out = await processRows(engine, classifier, this.idx, store, rows.slice(s, s + SLICE), country, this.deps.memory);
        await staged.add(out.map((r) => r.json));
        await jobs.progress(job.id, s + out.length, rows.length);
      }
      const head = { request_id: job.id, kind: 'classify', created_at: createdAt, versions, country: country ?? null, row_count: rows.length, source: { via: 'job', job_id: job.id } };
      await staged.commit(JSON.stringify(head));
    } catch (e) {
      await staged.discard().catch(() => undefined);
      if (e instanceof DuplicateRequestError) return; // recorded by another attempt: that record stands
      throw e;
    }
  }

  private async file(job: JobRecord): Promise<void> {
    const { jobs, store, classifier, logger } = this.deps;
    if (job.hasResult && (await store.hasRequest(job.id))) return;
    const o = JSON.parse(job.options) as FileOptions;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-job-'));
    try {
      const input = path.join(dir, path.basename(o.file_name));
      const output = path.join(dir, `reviewed-${job.id}.xlsx`);
      fs.writeFileSync(input, (await jobs.input(job.id))!);
      let last = 0;
      let writing = Promise.resolve();
      await runReview({
        input,
        output,
        column: o.column,
        sheet: o.sheet,
        idColumn: o.id_column,
        country: o.country,
        classifier,
        store,
        requestId: job.id,
        requireAudit: true,
        // the memory as the service's rows jobs apply it: the same approvals, the engine's rules and data
        memoryApprovals: this.deps.memory?.approvals ?? 1,
        memoryContext: this.deps.engine,
        // and the company examples, as a rows job consults them
        companyExamples: Boolean(this.deps.memory?.company),
        progress: false,
        log: (m) => logger.debug({ job: job.id }, m),
        onProgress: (done, total) => {
          if (done - last < 500 && done < total) return;
          last = done;
          writing = writing.then(() => jobs.progress(job.id, done, total)).catch(() => undefined);
        },
      });
      await writing;
      await jobs.saveResult(job.id, fs.readFileSync(output));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}
