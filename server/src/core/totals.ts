/** The final image's totals, shared by the analysis and by measurements that replace its estimates. */
import type { Analysis, Step, StageSummary } from './types';

/**
 * Uncompressed bytes the final image's own layers add (base image layers not counted), null while one of
 * them is unknown, with `lowerBound` set when one of them is a lower bound.
 */
export function finalImageBytes(steps: Step[], stages: StageSummary[]): Pick<Analysis['totals'], 'bytes' | 'lowerBound'> {
  let bytes: number | null = 0;
  let lowerBound = false;
  for (const s of steps) {
    if (s.stage === null || !stages[s.stage]?.inFinalImage || s.layer === 'no') continue;
    bytes = bytes === null || s.size.bytes === null ? null : bytes + s.size.bytes;
    lowerBound ||= s.size.lowerBound === true;
  }
  return bytes !== null && lowerBound ? { bytes, lowerBound: true } : { bytes };
}
