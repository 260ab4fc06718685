/**
 * Image history -> Dockerfile steps, and what a build measured -> the analysis. Pure: the docker/ side reads
 * the history (with `empty_layer`) and the build log; this module lines them up with the instructions.
 */
import type { Analysis, Builder, CacheStatus, Step } from './types';
import { splitLines } from './lines';
import { formatBytes } from './present';
import { recountTotals } from './totals';
import { withEstimate } from './estimate/from';

/** One entry of an image config's history, oldest first; `bytes` is uncompressed, as `docker history` shows. */
export interface HistoryEntry {
  createdBy: string;
  /** True when the entry added no RootFS layer (Docker's `empty_layer`). */
  emptyLayer: boolean;
  bytes: number;
}

/** Where each step of the final image's stage chain found its history entry. */
export interface HistoryAlignment {
  /** How many leading entries belong to the base image (before the chain's first step). */
  baseCount: number;
  /** One item per chain step, in build order: its 0-based line and the index of its entry (null: none). */
  steps: Array<{ line: number; entry: number | null }>;
}

/**
 * The Dockerfile keyword a history entry came from. Legacy writes `<shell> #(nop)  KEYWORD ...` for all but
 * RUN, whose entry is the command itself (`|N K=V /bin/sh -c ...` or exec words); BuildKit writes `KEYWORD ...`.
 */
export function historyKeyword(createdBy: string, builder: Builder): string {
  if (builder === 'buildkit') return (/^\s*([A-Za-z]+)/.exec(createdBy)?.[1] ?? '').toUpperCase();
  const nop = /#\(nop\)\s+([A-Za-z]+)/.exec(createdBy);
  return nop !== null ? nop[1].toUpperCase() : 'RUN';
}

/** The steps that can leave a history entry in the final image: the chain of stages it is built FROM, in order. */
export function chainSteps(analysis: Analysis): Step[] {
  const final = new Set(analysis.stages.filter((s) => s.inFinalImage).map((s) => s.index));
  // BuildKit records no history entry for ONBUILD (observed on Engine 20.10); FROM never has one of its own.
  return analysis.steps.filter((s) => s.stage !== null && final.has(s.stage) && s.keyword !== 'FROM'
    && !(analysis.builder === 'buildkit' && s.keyword === 'ONBUILD'));
}

/**
 * Lines up history entries (oldest first) with the chain's steps, from the newest backwards by keyword:
 * the image ends with the Dockerfile's own entries, so what is left before them is the base image's.
 */
export function alignHistory(entries: HistoryEntry[], analysis: Analysis): HistoryAlignment {
  const steps = chainSteps(analysis);
  const aligned: HistoryAlignment['steps'] = [];
  let cursor = entries.length - 1;
  for (let i = steps.length - 1; i >= 0; i--) {
    const entry = entries[cursor];
    const matches = entry !== undefined && historyKeyword(entry.createdBy, analysis.builder) === steps[i].keyword;
    aligned.unshift({ line: steps[i].line, entry: matches ? cursor : null });
    if (matches) cursor--;
  }
  return { baseCount: cursor + 1, steps: aligned };
}

/** Keywords whose history entries may hold a 0-byte layer (BuildKit keeps empty RUN/COPY/ADD/WORKDIR layers). */
const FILE_KEYWORDS = new Set(['RUN', 'COPY', 'ADD', 'WORKDIR']);

/**
 * Bytes of each RootFS layer (oldest first) from `docker history` entries (oldest first), which lack the
 * `empty_layer` flag: entries with bytes are layers; 0-byte entries of file-changing steps are taken as
 * layers, oldest first, until there are `layerCount`. Exact unless an image mixes 0-byte layers with empty entries.
 */
export function layerBytes(entries: Array<{ createdBy: string; bytes: number }>, layerCount: number): number[] {
  let zeroLayers = layerCount - entries.filter((e) => e.bytes > 0).length;
  const out: number[] = [];
  for (const e of entries) {
    // Either builder's format: legacy entries without `#(nop)` are RUN commands, BuildKit's start with the keyword.
    const keyword = /^[A-Z]+\s/.test(e.createdBy) ? historyKeyword(e.createdBy, 'buildkit') : historyKeyword(e.createdBy, 'legacy');
    if (e.bytes > 0) out.push(e.bytes);
    else if (zeroLayers > 0 && (FILE_KEYWORDS.has(keyword) || e.createdBy === '')) (out.push(0), zeroLayers--);
  }
  return out.slice(0, layerCount);
}

/** What one build measured for one step, keyed by the instruction's text so it survives edits elsewhere. */
export interface MeasuredStep {
  /** The instruction's source text (its lines joined with `\n`) when it was built. */
  text: string;
  /** Uncompressed bytes of its layer (0 for an empty entry), or null when the final image has no entry for it. */
  bytes: number | null;
  /** hit: taken from the cache in that build; miss: rebuilt; null: the log did not say. */
  cache: Exclude<CacheStatus, 'unknown'> | null;
  /** Bytes of its layer that later layers of the image delete or overwrite (core/wasted.ts LayerWaste); absent when not measured. */
  wasted?: number;
}

/** A build's measurements for one document, builder and target. */
export interface BuildMeasurement {
  builder: Builder;
  target: string | null;
  /** When the build finished, ms since the epoch. */
  finishedAt: number;
  steps: MeasuredStep[];
  /** dive's measures of the whole image (base layers included), from its layer tars; absent when not measured. */
  image?: { efficiency: number; wastedBytes: number; userWastedPercent: number | null };
}

/** The source text of a step (its lines, split as the parser does, joined with `\n`), the key measurements are kept by. */
export function stepText(text: string, step: Pick<Step, 'line' | 'endLine'>): string {
  return splitLines(text).slice(step.line, step.endLine + 1).join('\n').trimEnd();
}

/**
 * The analysis with a build's measurements applied: steps whose instruction text is unchanged get the measured
 * size, and the build's cache result where no prediction says what the next build does; other steps keep their
 * estimates. Wasted space depends on every step, so the measured figures replace the estimates only while every
 * measured step's text is unchanged. Returns a new Analysis.
 */
export function withMeasurement(analysis: Analysis, text: string, m: BuildMeasurement | null): Analysis {
  if (m === null || m.builder !== analysis.builder) return analysis;
  const queues = new Map<string, MeasuredStep[]>();
  for (const s of m.steps) queues.set(s.text, [...(queues.get(s.text) ?? []), s]);
  const when = new Date(m.finishedAt).toLocaleTimeString();
  const matched = new Map<Step, MeasuredStep>();
  for (const step of analysis.steps) {
    const measured = queues.get(stepText(text, step))?.shift();
    if (measured !== undefined) matched.set(step, measured);
  }
  const measurable = analysis.steps.filter((s) => s.keyword !== 'FROM' && s.stage !== null).length;
  const unchanged = matched.size === m.steps.length && measurable === m.steps.length;
  const steps = analysis.steps.map((step): Step => {
    const measured = matched.get(step);
    if (measured === undefined) return step;
    // An exact size from the context is current; the measured one only while the step is predicted cached.
    const current = step.size.source === 'exact' && step.cache.status !== 'hit';
    const size = measured.bytes === null || step.layer === 'no' || current ? step.size
      : withEstimate({ bytes: measured.bytes, source: 'measured', detail: `Measured in the image built at ${when}; kept while this instruction's text is unchanged.` }, step.size.estimate ?? step.size);
    // A prediction from the recorded build says what the next build does; the last build's result fills in only without one.
    const cache = measured.cache === null || step.cache.status !== 'unknown' ? step.cache
      : { status: measured.cache, reason: measured.cache === 'hit' ? `Taken from the build cache in the build at ${when}.` : `Rebuilt in the build at ${when}.`, source: 'measured' as const };
    return unchanged && measured.wasted !== undefined ? withWasted({ ...step, size, cache }, measured.wasted, when) : { ...step, size, cache };
  });
  const totals = recountTotals(analysis.totals, steps, analysis.stages);
  if (!unchanged || m.image === undefined) return { ...analysis, steps, totals };
  const { wastedLowerBound: _floor, ...exact } = totals;
  return { ...analysis, steps, totals: { ...exact, wastedBytes: m.image.wastedBytes, efficiency: m.image.efficiency, userWastedPercent: m.image.userWastedPercent, wasteSource: 'measured' } };
}

/** The step with its measured wasted bytes (none when 0). */
function withWasted(step: Step, bytes: number, when: string): Step {
  const { wasted: _estimated, ...rest } = step;
  if (bytes === 0) return rest;
  return { ...rest, wasted: { bytes, detail: `Measured in the image built at ${when}: ${formatBytes(bytes)} of this layer are deleted or overwritten by later layers, yet still shipped.` } };
}
