/**
 * After a real build (pure): the baseline it leaves for the next prediction, the build's own hit/miss per step
 * with the reasons the prediction found, and the steps where the builder did what the prediction did not expect.
 */
import type { Analysis, CachePrediction } from '../types';
import { BASELINE_FORMAT, type Baseline, type BaselineStep } from './baseline';
import type { StepKey } from './keys';

/** What one finished build showed: per 0-based line, hit or miss, seconds and layer bytes. */
export interface BuildResults {
  cache: Map<number, 'hit' | 'miss'>;
  seconds: Map<number, number>;
  bytes: Map<number, number | null>;
}

/** Where the build came from and what it made. */
export interface BuildFacts {
  dockerfile: string;
  target: string | null;
  engineVersion: string | null;
  imageId: string | null;
  builtAt: number;
  /** The FROM images' IDs the keys were computed with. */
  baseImages?: Record<string, string>;
}

/**
 * The baseline a build leaves: every step of the stages the builder built, with its key and inputs (the copied
 * files listed up to MAX_KEY_FILES), what the build did, its time and bytes. `knownKeys` is left for the
 * state folder to merge with the baseline already stored.
 */
export function baselineOf(analysis: Analysis, keys: StepKey[], results: BuildResults, facts: BuildFacts): Baseline {
  const steps: BaselineStep[] = [];
  analysis.steps.forEach((s, i) => {
    const k = keys[i];
    if (k === undefined || k.kind !== 'step' || k.key === null || s.stage === null || analysis.stages[s.stage]?.built !== true) return;
    const listed = k.files?.();
    const inputs = listed === undefined ? k.inputs : 'files' in listed ? { ...k.inputs, files: listed.files } : { ...k.inputs, filesTruncated: true };
    steps.push({
      line: s.line, stage: s.stage, keyword: s.keyword, key: k.key, inputs,
      cache: results.cache.get(s.line) ?? null, seconds: results.seconds.get(s.line) ?? null, bytes: results.bytes.get(s.line) ?? null,
    });
  });
  return { format: BASELINE_FORMAT, ...facts, builder: analysis.builder, steps, knownKeys: [] };
}

/** A step the builder treated otherwise than predicted. */
export interface Surprise {
  line: number;
  summary: string;
  predicted: 'hit' | 'miss';
  actual: 'hit' | 'miss';
}

/**
 * The build's own cache results as the steps' status (source `measured`), each miss with the reason the
 * prediction before the build found; and the surprises, which the build's output must report.
 */
export function measuredCache(predicted: Analysis, results: BuildResults['cache']): { cache: Map<number, CachePrediction>; surprises: Surprise[] } {
  const cache = new Map<number, CachePrediction>();
  const surprises: Surprise[] = [];
  for (const s of predicted.steps) {
    const actual = results.get(s.line);
    if (actual === undefined) continue;
    const before = s.cache;
    if (before.status !== 'unknown' && before.status !== actual) surprises.push({ line: s.line + 1, summary: s.summary, predicted: before.status, actual });
    const reason = actual === 'hit'
      ? 'Taken from the build cache in this build.'
      : before.status === 'miss' ? `Rebuilt in this build: ${lowerFirst(before.reason)}`
        : before.status === 'hit' ? 'Rebuilt in this build although the prediction expected the cache: the builder\'s cache may have been pruned, or it keys on something this tool does not see.'
          : `Rebuilt in this build (${lowerFirst(before.reason).replace(/\.$/, '')}).`;
    cache.set(s.line, { status: actual, reason, source: 'measured' });
  }
  return { cache, surprises };
}

function lowerFirst(text: string): string {
  return text.length > 0 ? text[0].toLowerCase() + text.slice(1) : text;
}
