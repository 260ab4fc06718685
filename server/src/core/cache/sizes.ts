/**
 * Sizes from the recorded build (pure): a step the prediction calls cached is the very layer the recorded build
 * measured, so it has exactly those bytes; a step that reruns shows its last measured size as an estimate.
 */
import type { Analysis, Step } from '../types';
import { alignHistory } from '../history';
import type { InferInput } from './infer';
import type { Baseline, BaselineStep } from './baseline';
import type { StepKey } from './keys';
import { formatBytes } from '../present';
import { withEstimate } from '../estimate/from';

/** Sets the sizes the recorded build tells (the steps are changed in place, as the cache prediction does). */
export function applyRecordedSizes(steps: Step[], keys: StepKey[], baseline: Baseline, counterparts: Map<number, BaselineStep>): void {
  const byKey = new Map<string, number>(Object.entries(baseline.knownBytes ?? {}));
  for (const b of baseline.steps) if (b.bytes !== null) byKey.set(b.key, b.bytes);
  const when = new Date(baseline.builtAt).toLocaleString();
  steps.forEach((s, i) => {
    if (s.layer === 'no' || s.keyword === 'FROM') return;
    const key = keys[i]?.key ?? null;
    if (s.cache.status === 'hit' && key !== null) {
      const bytes = byKey.get(key);
      if (bytes !== undefined) s.size = withEstimate({ bytes, source: 'measured', detail: `The cached layer: ${formatBytes(bytes)} as measured after the recorded build (the last at ${when}).` }, s.size);
      return;
    }
    if (s.cache.status !== 'miss') return;
    const before = counterparts.get(i);
    if (before === undefined || before.bytes === null || s.size.source === 'exact') return;
    const same = before.inputs.instruction === keys[i]?.inputs.instruction;
    // A changed instruction makes the last figure a weak guess: an estimate of the step as written now is better.
    if (!same && s.size.bytes !== null) return;
    const size = formatBytes(before.bytes);
    const detail = same
      ? `${size} last build (line ${before.line + 1}, built at ${when}); this step reruns, so what it writes may differ.`
      : `${size} last build, when the instruction on line ${before.line + 1} read otherwise; nothing better is known for it as written now.`;
    s.size = withEstimate({ bytes: before.bytes, source: 'measured', lastBuild: true, confidence: same ? 'medium' : 'low', detail }, s.size);
  });
}


/**
 * Sizes from an image built elsewhere (no recorded build): a step the inference calls cached is that image's
 * layer, so it has the history's bytes; a step that reruns shows them as its last figure (low confidence: the
 * history's entry may be of another instruction text). Steps are changed in place.
 */
export function applyImageSizes(analysis: Pick<Analysis, 'builder' | 'stages' | 'steps'>, input: InferInput): void {
  const alignment = alignHistory(input.history, analysis as Analysis);
  const entries = new Map(alignment.steps.map((a) => [a.line, a.entry === null ? null : input.history[a.entry]]));
  for (const s of analysis.steps) {
    const entry = entries.get(s.line);
    if (entry === undefined || entry === null || s.layer === 'no' || s.keyword === 'FROM') continue;
    if (s.cache.status === 'hit') {
      s.size = withEstimate({ bytes: entry.bytes, source: 'measured', detail: `The cached layer: ${formatBytes(entry.bytes)} in the history of ${input.image}.` }, s.size);
    } else if (s.cache.status === 'miss' && s.size.bytes === null) {
      s.size = withEstimate({ bytes: entry.bytes, source: 'measured', lastBuild: true, confidence: 'low', detail: `${formatBytes(entry.bytes)} in ${input.image}, which this step rebuilds; what it writes now may differ.` }, s.size);
    }
  }
}
