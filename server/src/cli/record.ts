/**
 * After `dockerfile-layers build`: the build's own cache results (each miss with the reason found against the
 * recorded build before it), the surprises reported plainly, the measured sizes, and the new baseline written
 * to the state folder for the next prediction.
 */
import { withMeasurement } from '../core/history';
import { baselineOf, measuredCache, type BuildResults, type Surprise } from '../core/cache/record';
import type { Analysis } from '../core/types';
import { parseCacheResults, parseStepSeconds } from '../docker/buildLog';
import type { BuildOutcome } from '../docker/build';
import { Engine, engineAddress } from '../docker/engine';
import { measureImage, type Measurement } from '../docker/measure';
import { writeBaseline } from '../state/baselines';
import type { Loaded } from './load';

/** The analysis to print after a build (measured sizes and cache results), and the exit code so far. */
export interface Recorded {
  analysis: Analysis;
  code: number;
}

/** Reads what the build did, measures its image and records the baseline; problems go to `err`, never a throw. */
export async function recordBuild(loaded: Loaded, outcome: BuildOutcome, target: string | null, env: NodeJS.ProcessEnv, err: (s: string) => void): Promise<Recorded> {
  const { analysis, text } = loaded;
  const imageId = outcome.imageId ?? '';
  const cache = parseCacheResults(outcome.log, analysis);
  const results: BuildResults = { cache, seconds: parseStepSeconds(outcome.log, analysis, outcome.stepStarts, outcome.endedAt), bytes: new Map() };
  let code = 0;
  let measurement: Measurement | null = null;
  try {
    const address = engineAddress(env);
    if ('error' in address) throw new Error(address.error);
    const stepTarget = analysis.target === null ? null : (analysis.stages[analysis.target]?.name ?? String(analysis.target));
    measurement = await measureImage(new Engine({ address }), imageId, { text, analysis, target: stepTarget, cache, finishedAt: outcome.endedAt });
    results.bytes = bytesByLine(analysis, measurement);
  } catch (e) {
    err(`dockerfile-layers: could not measure image ${imageId}: ${e instanceof Error ? e.message : String(e)}`);
    code = 2;
  }
  const measured = measuredCache(analysis, cache);
  for (const s of measured.surprises) err(`dockerfile-layers: ${surprise(s)}`);
  const facts = { dockerfile: loaded.dockerfile, target, engineVersion: analysis.model.engine.source === 'daemon' ? analysis.model.engine.version : null, imageId, builtAt: outcome.endedAt };
  const written = writeBaseline(loaded.stateDir, baselineOf(analysis, loaded.keys, results, facts));
  if (written.problem !== null) err(`dockerfile-layers: ${written.written ? 'note' : 'warning'}: ${written.problem}`);
  const sized = measurement === null ? analysis : withMeasurement(analysis, text, measurement.steps);
  const steps = sized.steps.map((s) => ({ ...s, cache: measured.cache.get(s.line) ?? s.cache }));
  return { analysis: { ...sized, steps, nextBuild: null }, code };
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
