// What one classification worker does (and what the calling thread does when there are no workers): classify a
// chunk of descriptions with one engine, or describe the engine (versions, chapter names). The engine is the only
// state; classification stays behind the engine's one call, classify(engine, description, country[, options]).
import { classify } from '../classifier';
import type { OpenedEngine } from '../engine';
import type { ClassificationResult, Country } from '../types';
import { resultText, type ResultText } from './text';

export interface ClassifyTask {
  kind: 'classify';
  descriptions: string[];
  country?: Country;
  /** Passed through to classify() as its options argument when given (any structured-cloneable value). */
  options?: unknown;
}

export interface InfoTask {
  kind: 'info';
}

export type Task = ClassifyTask | InfoTask;

export interface EngineInfo {
  versions: Opened['versions'];
  /** Chapter code -> official description (for summaries written without an engine on the calling thread). */
  chapters: Record<string, string>;
  /** The engine's model arrays lie in memory shared with the process's other threads. */
  sharedModel?: boolean;
}

/** What the tasks need of an opened engine. */
export interface Opened {
  engine: OpenedEngine['engine'];
  versions: { model: string; data: string; config: string; [k: string]: string };
  timings?: { shared?: boolean };
}

type ClassifyWithOptions = (engine: Opened['engine'], description: unknown, country: Country | undefined, options: unknown) => Promise<ClassificationResult>;

/** Classifies the descriptions in order with this engine; calls `between` every `every` rows (to yield). */
export async function classifyChunk(
  opened: Opened,
  task: Omit<ClassifyTask, 'kind'>,
  between?: () => Promise<void>,
  every = 50,
): Promise<ResultText[]> {
  const out: ResultText[] = [];
  const call = classify as unknown as ClassifyWithOptions;
  for (const [i, d] of task.descriptions.entries()) {
    if (between && i > 0 && i % every === 0) await between();
    try {
      out.push(resultText(await (task.options === undefined ? classify(opened.engine, d, task.country) : call(opened.engine, d, task.country, task.options))));
    } catch (e) {
      // One failing row is an error row, never a failed chunk.
      out.push(resultText({ status: 'error', candidates: [], error: `classification failed: ${(e as Error).message}` }));
    }
  }
  return out;
}

export function engineInfo(opened: Opened): EngineInfo {
  const chapters: Record<string, string> = {};
  for (const n of opened.engine.ds.hs.nodes.values()) if (n.level === 2) chapters[n.code] = n.description;
  return { versions: opened.versions, chapters, sharedModel: !!opened.timings?.shared };
}

export function runTask(opened: Opened, task: Task): Promise<ResultText[] | EngineInfo> {
  if (task.kind === 'info') return Promise.resolve(engineInfo(opened));
  return classifyChunk(opened, task);
}
