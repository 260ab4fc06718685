/**
 * The cache part of an analysis (pure): keys for every step from the model and the COPY/ADD digests, then the
 * prediction against the recorded build the adapters loaded, applied to the steps.
 */
import type { Analysis, AnalysisOptions, Step, StageSummary } from '../types';
import type { ResolvedModel } from '../stages';
import type { ContextIndex } from '../context';
import type { CopySize } from '../sizes';
import type { CopiedItem } from '../sources';
import { prepareContext, resolveCopy } from '../sources';
import { DEFAULT_ENGINE, ignoreFlavor } from '../engine';
import { MAX_KEY_FILES } from './baseline';
import { computeKeys, type FileList, type KeyContext, type StepKey } from './keys';
import { predictCache, type NextBuild } from './predict';
import { inferCache } from './infer';
import { applyImageSizes, applyRecordedSizes } from './sizes';

/** The reason a step's status is unknown when the adapters loaded no baseline (nothing asked for one). */
const NOT_ASKED = 'No earlier build to compare with.';

/** The parts of an analysis the inference does not read, for the analysis being made. */
const EMPTY_ANALYSIS: Analysis = { builder: 'buildkit', model: { engine: DEFAULT_ENGINE, label: '' }, target: null, stages: [], steps: [], findings: [], totals: { layers: 0, maybeLayers: 0, bytes: null } };

/** The steps (their cache prediction set), the next build's cost, and the keys (for recording a baseline). */
export interface CacheOutcome {
  steps: Step[];
  nextBuild: NextBuild | null;
  keys: StepKey[];
}

/** Computes keys and sets every step's predicted cache status from `options.cache` (the steps are changed); never throws. */
export function applyCache(model: ResolvedModel, steps: Step[], stages: StageSummary[], copies: Map<number, CopySize>, options: AnalysisOptions, context?: ContextIndex): CacheOutcome {
  const cache = options.cache;
  // Nothing asked (no state folder looked at): no keys are made, and every step keeps its unknown status.
  if (cache === undefined) return { steps, nextBuild: null, keys: [] };
  const keys = computeKeys(model, options.builder, keyContext(copies, options, context));
  const baseline = cache.baseline ?? { why: cache.why ?? NOT_ASKED };
  const built = (stage: number | null): boolean => stage !== null && stages[stage]?.built === true;
  const elsewhere = cache.baseline === null ? cache.elsewhere : undefined;
  if (elsewhere !== undefined) {
    const inferred = inferCache({ ...EMPTY_ANALYSIS, builder: options.builder, steps, stages }, keys, elsewhere);
    steps.forEach((s, i) => (s.cache = inferred[i]));
    applyImageSizes({ builder: options.builder, stages, steps }, elsewhere);
    return { steps, nextBuild: null, keys };
  }
  const predicted = predictCache(steps, keys, built, baseline);
  // The steps are the analysis' own, made for this run: set in place (an object spread per step costs a tenth of a keystroke).
  steps.forEach((s, i) => (s.cache = predicted.cache[i]));
  if (!('why' in baseline)) applyRecordedSizes(steps, keys, baseline, predicted.counterparts);
  return { steps, nextBuild: predicted.nextBuild, keys };
}

function keyContext(copies: Map<number, CopySize>, options: AnalysisOptions, context?: ContextIndex): KeyContext {
  const entries: KeyContext['copies'] = new Map();
  copies.forEach((c, i) => {
    const items = c.items;
    entries.set(i, { digest: c.digest, unknownWhy: c.size.detail, ...(items ? { files: () => fileList(items), items } : {}) });
  });
  const prepared = context === undefined ? null : prepareContext(context, options.builder, ignoreFlavor(options.engine ?? DEFAULT_ENGINE));
  const bindDigest = (_: number, spec: Record<string, string>): string | null => {
    if (prepared === null || spec.from !== undefined) return null;
    const source = spec.source ?? spec.src ?? '.';
    return resolveCopy({ keyword: 'COPY', sources: [source], dest: '/mount/', flags: [], heredocs: [] }, prepared).digest;
  };
  return { copies: entries, bindDigest, baseImages: comparableBases(options.cache) };
}

/**
 * The base image IDs the keys use. Against a recorded build an ID counts only where both sides know it: one
 * not known now is taken to be the recorded one (no daemon: assumed unchanged), one the recorded build did not
 * know is left out. Without a recorded build (a build being recorded), every ID known now.
 */
function comparableBases(cache: AnalysisOptions['cache']): Record<string, string> {
  const now = cache?.baseImages ?? {};
  const then = cache?.baseline?.baseImages;
  if (cache?.baseline === null || cache?.baseline === undefined) return now;
  const ids: Record<string, string> = {};
  for (const [ref, id] of Object.entries(then ?? {})) ids[ref] = now[ref] ?? id;
  return ids;
}

/** The copied items as `path -> mode content`, or truncated past MAX_KEY_FILES. */
function fileList(items: CopiedItem[]): FileList {
  if (items.length > MAX_KEY_FILES) return { truncated: true };
  const files: Record<string, string> = {};
  for (const it of items) files[it.source ?? it.dest] = `${it.mode.toString(8)} ${it.kind}:${it.content ?? ''}`;
  return { files };
}
