/**
 * Cache status inferred from an image built elsewhere (a plain `docker build` in a terminal or CI), when no
 * build through this tool was recorded (pure). The image's history says which instructions built it and when;
 * a step whose instruction is in the history and whose copied files are all older than the image is taken to
 * be cached, the first other one and every step after it in the stage to rebuild. Weaker than a recorded build:
 * file times miss a file restored to old content, and the builder may have pruned its cache.
 */
import type { Analysis, CachePrediction, Step } from '../types';
import { alignHistory, type HistoryEntry } from '../history';
import type { StepKey } from './keys';
import { notAStep } from './predict';

/** A history entry with its creation time (ms since the epoch; null when the image does not say). */
export interface DatedEntry extends HistoryEntry {
  createdMs: number | null;
}

/** What the inference needs beyond the analysis: the image, and the modification time (ms) of context files. */
export interface InferInput {
  image: string;
  history: DatedEntry[];
  /** A context file's mtime in ms, or null when not known. */
  mtimeOf: (path: string) => number | null;
}

/** Instructions whose value later RUNs run with (their environment, user, folder and shell). */
const STATE_KEYWORDS = new Set(['ENV', 'ARG', 'USER', 'WORKDIR', 'SHELL']);

/** How sure the inference is, said in every reason. */
const CONFIDENCE = 'inferred from the image, medium confidence: file times can miss a file restored to older content, and the cache may have been pruned';

/**
 * Infers a cache status per step (same order as `analysis.steps`) for the final image's stages; other steps
 * are unknown. `keys` give the files each COPY/ADD copies.
 */
export function inferCache(analysis: Analysis, keys: StepKey[], input: InferInput): CachePrediction[] {
  const alignment = alignHistory(input.history, analysis);
  const entryOf = new Map(alignment.steps.map((s) => [s.line, s.entry === null ? null : input.history[s.entry]]));
  const rebuiltIn = new Map<number, number>();
  // BuildKit: a changed ENV, ARG, USER, WORKDIR or SHELL makes no step of its own but reruns the next RUN.
  const changedState = new Map<number, number>();
  const built = (stage: number | null): boolean => stage !== null && analysis.stages[stage]?.built === true;
  return analysis.steps.map((step, i) => {
    const skip = step.keyword === 'FROM' || step.stage === null ? notAStep(step, keys[i], built) : null;
    if (skip !== null) return { ...skip, source: 'inferred' };
    if (!entryOf.has(step.line)) return { status: 'unknown', reason: `Not in the final image of ${input.image}, so its history says nothing about this step.`, source: 'inferred' };
    const stage = step.stage ?? -1;
    const earlier = rebuiltIn.get(stage);
    const own = ownVerdict(step, keys[i], entryOf.get(step.line) ?? null, input);
    if (keys[i]?.kind === 'none') {
      if (own.status === 'miss' && STATE_KEYWORDS.has(step.keyword)) changedState.set(stage, step.line);
      return { status: 'unknown', reason: `BuildKit runs no build step for ${step.keyword}: it changes only the image configuration.`, source: 'inferred' };
    }
    const state = changedState.get(stage);
    if (earlier === undefined && state !== undefined && step.keyword === 'RUN') {
      rebuiltIn.set(stage, step.line);
      return { status: 'miss', reason: `Line ${state + 1} differs from the image's history, and this RUN runs with it (${CONFIDENCE}).`, source: 'inferred' };
    }
    if (earlier !== undefined && own.status !== 'unknown') return { status: 'miss', reason: `Line ${earlier + 1} rebuilds, so this step does too (${CONFIDENCE}).`, source: 'inferred' };
    if (own.status === 'miss') rebuiltIn.set(stage, step.line);
    return { ...own, reason: `${own.reason} (${CONFIDENCE}).`, source: 'inferred' };
  });
}

/**
 * How well an image's history matches the analysis' final-image steps: the share of them (0 to 1) whose
 * instruction its history records in their place. An image built from this Dockerfile scores near 1.
 */
export function historyMatch(analysis: Analysis, history: DatedEntry[]): number {
  const alignment = alignHistory(history, analysis);
  const byLine = new Map(analysis.steps.map((s) => [s.line, s]));
  const matched = alignment.steps.filter((a) => a.entry !== null && sameInstruction(byLine.get(a.line) as Step, history[a.entry].createdBy)).length;
  return alignment.steps.length === 0 ? 0 : matched / alignment.steps.length;
}

function ownVerdict(step: Step, key: StepKey | undefined, entry: DatedEntry | null, input: InferInput): CachePrediction {
  if (entry === null) return { status: 'miss', reason: `The image ${input.image} has no history entry for this instruction: it was added or changed since`, source: 'inferred' };
  if (!sameInstruction(step, entry.createdBy)) return { status: 'miss', reason: `The instruction differs from the one that built ${input.image}`, source: 'inferred' };
  if (step.keyword !== 'COPY' && step.keyword !== 'ADD') return { status: 'hit', reason: `Built ${input.image} as written`, source: 'inferred' };
  const listed = key?.files?.();
  if (listed === undefined || !('files' in listed) || entry.createdMs === null) {
    return { status: 'unknown', reason: 'Which files it copies, or when the image was built, is not known', source: 'inferred' };
  }
  // History times are whole seconds: a file is newer only past the second after the step's time.
  const newer = Object.keys(listed.files).filter((p) => (input.mtimeOf(p) ?? 0) >= (entry.createdMs ?? 0) + 1000);
  if (newer.length === 0) return { status: 'hit', reason: `No copied file changed after ${input.image} was built`, source: 'inferred' };
  const more = newer.length > 1 ? ` (and ${newer.length - 1} more)` : '';
  return { status: 'miss', reason: `${newer[0]}${more} changed after ${input.image} was built`, source: 'inferred' };
}

/**
 * Whether a history entry records this instruction: BuildKit writes the instruction itself (`RUN /bin/sh -c
 * cmd # buildkit`, `COPY src /dst # buildkit`); the legacy builder writes RUN's command and, for COPY/ADD,
 * `file:<hash> in /dst`, so only the destination can be compared there.
 */
function sameInstruction(step: Step, createdBy: string): boolean {
  const text = createdBy.replace(/\s+# buildkit$/, '').replace(/\s+/g, ' ').trim();
  const summary = step.summary.replace(/…$/, '');
  if (step.keyword === 'RUN') {
    const command = summary.replace(/^RUN (--\S+ )*/, '');
    return text.includes(command);
  }
  if (step.keyword === 'COPY' || step.keyword === 'ADD') {
    const dest = summary.split(' ').pop() ?? '';
    return text.endsWith(dest) || text.includes(` ${dest}`);
  }
  return text.includes(summary.replace(/^\S+ /, ''));
}
