/**
 * After a build through the tool (the CLI's `build`, the editor's Build Image): the build's own cache results
 * (each miss with the reason found against the recorded build before it), the surprises reported plainly, the
 * measured sizes, and the new baseline written to the state folder for the next prediction.
 */
import { withMeasurement } from '../core/history';
import { baselineOf, measuredCache, type BuildResults, type Surprise } from '../core/cache/record';
import type { Analysis } from '../core/types';
import { parseCacheResults, parseStepSeconds } from '../docker/buildLog';
import type { BuildOutcome } from '../docker/build';
import { Engine, engineAddress } from '../docker/engine';
import { MEASURE_TIMEOUT_MS, measureImage, type Measurement } from '../docker/measure';
import { writeBaseline } from './baselines';
import type { StepKey } from '../core/cache/keys';
import type { Measurement as StoredMeasurement } from '../docker/measure';

/** What was built: the Dockerfile (absolute), its text, the analysis before the build with its keys, and where baselines live. */
export interface Built {
  dockerfile: string;
  text: string;
  analysis: Analysis;
  keys: StepKey[];
  stateDir: string;
  /** The FROM images' IDs the keys were computed with. */
  baseImages: Record<string, string>;
}

/** The analysis after a build (measured sizes and cache results), the measurement (null when it failed) and 0 or 2. */
export interface Recorded {
  analysis: Analysis;
  measurement: StoredMeasurement | null;
  code: number;
}

/** Reads what the build did, measures its image and records the baseline; problems go to `err`, never a throw. */
export async function recordBuild(loaded: Built, outcome: BuildOutcome, target: string | null, env: NodeJS.ProcessEnv, err: (s: string) => void): Promise<Recorded> {
  const { analysis, text } = loaded;
  const imageId = outcome.imageId ?? '';
  const cache = parseCacheResults(outcome.log, analysis);
  const results: BuildResults = { cache, seconds: parseStepSeconds(outcome.log, analysis, outcome.stepStarts, outcome.endedAt), bytes: new Map() };
  let code = 0;
  let measurement: Measurement | null = null;
  try {
    const address = engineAddress(env);
    if ('error' in address) throw new Error(address.error);
    measurement = await measureImage(new Engine({ address, timeoutMs: MEASURE_TIMEOUT_MS }), imageId, { text, analysis, target, cache, finishedAt: outcome.endedAt });
    results.bytes = bytesByLine(analysis, measurement);
  } catch (e) {
    err(`dockerfile-layers: could not measure image ${imageId}: ${e instanceof Error ? e.message : String(e)}`);
    code = 2;
  }
  const measured = measuredCache(analysis, cache);
  for (const s of measured.surprises) err(`dockerfile-layers: ${surprise(s)}`);
  const engineVersion = analysis.model.engine.source === 'daemon' ? analysis.model.engine.version : null;
  const facts = { dockerfile: loaded.dockerfile, target, engineVersion, imageId, builtAt: outcome.endedAt, baseImages: loaded.baseImages };
  const written = writeBaseline(loaded.stateDir, baselineOf(analysis, loaded.keys, results, facts));
  if (written.problem !== null) err(`dockerfile-layers: ${written.written ? 'note' : 'warning'}: ${written.problem}`);
  const sized = measurement === null ? analysis : withMeasurement(analysis, text, measurement.steps);
  const steps = sized.steps.map((s) => ({ ...s, cache: measured.cache.get(s.line) ?? s.cache }));
  return { analysis: { ...sized, steps, nextBuild: null }, measurement, code };
}

/** A step the builder treated otherwise than predicted, in one sentence. */
function surprise(s: Surprise): string {
  const did = s.actual === 'hit' ? 'took it from its cache' : 'ran it again';
  return `line ${s.line} ${s.summary}: predicted ${s.predicted === 'hit' ? 'cached' : 'rebuild'}, but the builder ${did}.`;
}

/** Layer bytes per 0-based line from a measurement (its steps follow the analysis' steps, FROM and global ARGs left out). */
function bytesByLine(analysis: Analysis, m: Measurement): Map<number, number | null> {
  const bytes = new Map<number, number | null>();
  const steps = analysis.steps.filter((s) => s.keyword !== 'FROM' && s.stage !== null);
  steps.forEach((s, i) => bytes.set(s.line, m.steps.steps[i]?.bytes ?? null));
  return bytes;
}
