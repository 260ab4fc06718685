/** The final image's totals, shared by the analysis and by measurements that replace its estimates. */
import type { Analysis, Step, StageSummary, Totals } from './types';
import { isEstimate } from './estimate/from';

/**
 * Uncompressed bytes the final image's own layers add (base image layers not counted), null while one of
 * them is unknown, with `lowerBound` set when one of them is a lower bound.
 */
export function finalImageBytes(steps: Step[], stages: StageSummary[]): Pick<Analysis['totals'], 'bytes' | 'lowerBound' | 'estimated'> {
  let bytes: number | null = 0;
  let lowerBound = false;
  let estimated = false;
  for (const s of steps) {
    if (s.stage === null || !stages[s.stage]?.inFinalImage || s.layer === 'no') continue;
    bytes = bytes === null || s.size.bytes === null ? null : bytes + s.size.bytes;
    lowerBound ||= s.size.lowerBound === true;
    estimated ||= isEstimate(s.size);
  }
  return { bytes, ...(bytes !== null && lowerBound ? { lowerBound: true as const } : {}), ...(bytes !== null && estimated ? { estimated: true as const } : {}) };
}

/** `totals` with the own bytes (and the whole image's) counted again from `steps`, after measurements replaced sizes. */
export function recountTotals(totals: Totals, steps: Step[], stages: StageSummary[]): Totals {
  const { lowerBound: _old, estimated: _was, ...rest } = totals;
  const own = finalImageBytes(steps, stages);
  const base = totals.base;
  return { ...rest, ...own, imageBytes: imageBytesOf(own.bytes, base) };
}

/** Base plus own bytes; null when either is unknown or the base's are a registry's compressed bytes (they do not add up). */
export function imageBytesOf(own: number | null, base: Totals['base']): number | null {
  if (base === undefined) return own;
  return own === null || base.bytes === null || base.compressed ? null : own + base.bytes;
}
