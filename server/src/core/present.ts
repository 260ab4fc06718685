/**
 * Words users read: the compact inlay hint label and the hover text of a step. Pure string building,
 * shared by the language server and the CLI so both say the same thing.
 */
import type { NextBuild } from './cache/predict';
import type { Analysis, SizeEstimate, Step, StageSummary, Totals } from './types';
import { stageLabel } from './layers';

/** Which parts of a hint label to show. */
export interface HintParts {
  layer: boolean;
  size: boolean;
  cache: boolean;
}

const ALL_PARTS: HintParts = { layer: true, size: true, cache: true };

/** Formats bytes for people: `0 B`, `812 B`, `12.4 kB`, `1.2 MB` (decimal units, as `docker history`). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

/**
 * A size for people: `12.4 MB`, `≥ 891 MB` for a lower bound, `~17 MB` for an estimate, `12.4 MB last build`,
 * `~75 MB compressed`; `unknown` (or the given word) when bytes is null.
 */
export function formatSize(size: Pick<SizeEstimate, 'bytes' | 'lowerBound' | 'source' | 'lastBuild' | 'compressed' | 'confidence'> | { bytes: number | null; lowerBound?: true }, unknown = 'unknown'): string {
  if (size.bytes === null) return unknown;
  const s = size as Partial<SizeEstimate>;
  const text = formatBytes(size.bytes);
  if (s.lastBuild) return `${text} last build`;
  if (s.compressed) return `~${text} compressed`;
  if (size.lowerBound) return `≥ ${text}`;
  return s.source === 'catalog' || s.source === 'heuristic' || s.confidence !== undefined ? `~${text}` : text;
}

/** How a size was found, in a few words for hovers and tables: `catalog estimate, medium confidence`. */
export function sizeBasis(size: SizeEstimate): string {
  const words = {
    exact: 'exact', measured: size.lastBuild ? 'the last build\'s measurement' : 'measured', catalog: 'estimate from Debian\'s package catalog',
    heuristic: 'heuristic estimate', base: size.compressed ? 'compressed, from the registry' : 'base image', none: 'none', unknown: 'unknown', pending: 'pending',
  }[size.source];
  return size.confidence ? `${words}, ${size.confidence} confidence` : words;
}

/**
 * The whole image's size for the status bar, the explorer and the CLI: `412 MB (base 199 MB)`, `~213 MB +
 * base ~75 MB compressed` (registry bytes do not add up with unpacked ones), `size ? (base 199 MB)`, or the
 * own layers alone for an image FROM scratch.
 */
export function imageSizeText(t: Totals, unknown = 'size ?'): string {
  const own = { bytes: t.bytes, ...(t.lowerBound ? { lowerBound: true as const } : {}), ...(t.estimated ? { confidence: 'medium' as const } : {}) };
  if (t.base === undefined || (t.base.bytes === null && t.bytes === null)) return formatSize(own, unknown);
  const base = t.base.bytes === null ? 'base ?' : `base ${formatSize({ bytes: t.base.bytes, ...(t.base.compressed ? { compressed: true as const } : {}) })}`;
  if (t.imageBytes !== null && t.imageBytes !== undefined) {
    return `${formatSize({ ...own, bytes: t.imageBytes })} (${base})`;
  }
  return t.bytes === null ? `${unknown} (${base})` : `${formatSize(own)} + ${base}`;
}

/** `1 layer`, `3 layers`: a count with its noun. */
export function layerCount(n: number): string {
  return `${n} ${n === 1 ? 'layer' : 'layers'}`;
}

/** The layer part of a hint: `+ layer`, `+ layer?`, `no layer · metadata`, `stage from …`, `not built`. */
export function layerLabel(step: Step, stage: StageSummary | undefined): string {
  if (stage && !stage.built) return 'not built';
  if (step.keyword === 'FROM') {
    if (!stage) return 'stage';
    return stage.inFinalImage ? 'stage · in final image' : 'stage not in final image';
  }
  if (step.layer === 'yes') return '+ layer';
  if (step.layer === 'maybe') return '+ layer?';
  return step.metadata ? 'no layer · metadata' : 'no layer';
}

/** The compact hint label of a step, e.g. `+ layer · 12.4 MB · cached`; empty when every part is off. */
export function hintLabel(step: Step, analysis: Analysis, parts: HintParts = ALL_PARTS): string {
  const stage = step.stage === null ? undefined : analysis.stages[step.stage];
  const out: string[] = [];
  if (parts.layer) out.push(layerLabel(step, stage));
  if (parts.size && step.size.source === 'pending' && step.layer !== 'no') out.push('sizing…');
  const sized = step.layer !== 'no' || (step.keyword === 'FROM' && step.size.source === 'base' && stage?.built !== false);
  if (parts.size && step.size.bytes !== null && sized) out.push(formatSize(step.size));
  if (parts.cache && step.cache.status !== 'unknown' && step.layer !== 'no') out.push(step.cache.status === 'hit' ? 'cached' : 'rebuild');
  if (parts.size && step.wasted !== undefined && step.wasted.bytes > 0) out.push(`${formatBytes(step.wasted.bytes)} wasted`);
  return out.join(' · ');
}

/** What the next build reruns, for the status bar, the explorer and the CLI: `next build: 3 steps rerun, about 41 s (line 11 npm ci took 38 s)`. */
export function nextBuildText(nb: NextBuild): string {
  if (nb.steps === 0) return 'next build: every step cached';
  const steps = `${nb.steps} ${nb.steps === 1 ? 'step reruns' : 'steps rerun'}`;
  const about = nb.seconds === null ? '' : `, about ${formatSeconds(nb.seconds)}`;
  const costliest = nb.costliest !== null && nb.steps > 1 ? ` (line ${nb.costliest.line} ${nb.costliest.summary} took ${formatSeconds(nb.costliest.seconds)})` : '';
  return `next build: ${steps}${about}${costliest}`;
}

/** Seconds as users read them: `0.4 s`, `41 s`, `2 min 5 s`. */
export function formatSeconds(seconds: number): string {
  if (seconds < 0.1) return 'under 0.1 s';
  if (seconds < 10) return `${Math.round(seconds * 10) / 10} s`;
  if (seconds < 120) return `${Math.round(seconds)} s`;
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)} min${s % 60 === 0 ? '' : ` ${s % 60} s`}`;
}

/** How hovers say where the modelled Docker version came from. */
const MODEL_SOURCES = { daemon: ', from the daemon', setting: ', from dockerfileLayers.engineVersion', default: ', the default engine' } as const;

/** `~17 MB (17234000 bytes, estimate from Debian's package catalog, medium confidence): how` or `unknown: why`. */
function sizeLine(size: SizeEstimate): string {
  const detail = size.detail ? `: ${size.detail}` : '';
  if (size.bytes === null) return `unknown${detail}`;
  return `${formatSize(size)} (${size.lowerBound ? 'at least ' : ''}${size.bytes} bytes, ${sizeBasis(size)})${detail}`;
}

/** Hover markdown for a step: verdict, reason, stage role, size and cache lines. */
export function hoverMarkdown(step: Step, analysis: Analysis): string {
  const verdict = step.layer === 'yes' ? 'adds a layer' : step.layer === 'maybe' ? 'may add a layer' : 'adds no layer';
  const lines = [`**${step.keyword}** ${verdict} (${analysis.model.label}${MODEL_SOURCES[analysis.model.engine.source]})`, '', step.reason];
  if (step.stage !== null) {
    const st = analysis.stages[step.stage];
    if (st) lines.push('', `Stage **${stageLabel(st.index, st.name)}** (#${st.index}, FROM ${st.base}): ${st.role}`);
  } else {
    lines.push('', 'Before the first FROM: global scope.');
  }
  if (step.layer !== 'no' || step.keyword === 'FROM') {
    lines.push('', `${step.keyword === 'FROM' ? 'Image size' : 'Size'}: ${sizeLine(step.size)}`);
    const before = step.size.estimate;
    if (before !== undefined) lines.push(`${step.size.lastBuild ? 'From the instruction alone' : 'Estimated before the build'}: ${sizeLine(before)}`);
    if (step.wasted !== undefined && step.wasted.bytes > 0) lines.push(`Wasted: **${step.wasted.lowerBound ? 'at least ' : ''}${formatBytes(step.wasted.bytes)}** ${step.wasted.detail}`);
    const word = { hit: 'cached', miss: 'rebuild', unknown: 'unknown' }[step.cache.status];
    const when = step.cache.source === 'measured' ? 'This build' : step.cache.source === 'inferred' ? 'Cache (inferred)' : 'Next build';
    lines.push(`${when}: **${word}**. ${step.cache.reason}`);
  }
  return lines.join('\n');
}
