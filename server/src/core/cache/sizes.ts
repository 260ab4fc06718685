/**
 * Sizes from the recorded build (pure): a step the prediction calls cached is the very layer the recorded build
 * measured, so it has exactly those bytes; a step that reruns shows its last measured size as an estimate.
 */
import type { SizeEstimate, Step } from '../types';
import type { Baseline, BaselineStep } from './baseline';
import type { StepKey } from './keys';
import { formatBytes } from '../present';

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

/** `size`, keeping what the analysis estimated before (when it had a figure or a reason) for the hover. */
export function withEstimate(size: SizeEstimate, before: SizeEstimate): SizeEstimate {
  if (before.source === 'pending' || before.source === 'none') return size;
  const { estimate: _nested, ...plain } = before;
  return { ...size, estimate: plain };
}
