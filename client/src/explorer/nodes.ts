/**
 * Layer explorer rows as plain data, built from the server's analysis. No vscode import, so the tree's
 * content is unit-tested without an editor; explorer/provider.ts turns these into TreeItems.
 */
import type { Analysis, Step, StageSummary } from '../../../server/src/core/types';
import type { LayersResult, MeasuredImage, MeasuredLayer, WorkspaceResult } from '../../../server/src/protocol';
import { formatBytes, formatSize, hintLabel, imageSizeText, layerCount, formatSeconds, nextBuildText, sizeBasis } from '../../../server/src/core/present';
import { stageLabel } from '../../../server/src/core/layers';

/** Which icon a row shows; the provider maps these to theme icons. */
export type RowIcon = 'image' | 'stage' | 'stage-off' | 'layer' | 'layer-maybe' | 'metadata' | 'skipped' | 'base' | 'file' | 'workspace' | 'dockerfile' | 'info';

/** One row of the explorer. */
export interface Row {
  id: string;
  label: string;
  description: string;
  tooltip: string;
  icon: RowIcon;
  /** Colour hint for the icon: cache hit, cache miss, or none. */
  cache: 'hit' | 'miss' | null;
  /** Metadata-only and not-built rows are shown dimmed. */
  dimmed: boolean;
  /** Where a click goes: a document and 0-based line. */
  reveal?: { uri: string; line: number };
  children: Row[];
}

/** Options the user toggles in the view. */
export interface RowOptions {
  showMetadata: boolean;
}

/** Where the modelled Docker version came from, in the words of the image row's tooltip. */
function modelSource(source: Analysis['model']['engine']['source']): string {
  return source === 'daemon' ? 'the Docker daemon\'s version' : source === 'setting' ? 'dockerfileLayers.engineVersion' : 'no daemon answered: a current Docker';
}

/**
 * The top-level rows for one Dockerfile's analysis: an image row with the totals, after a build the base
 * image's layers, then the stages with their steps. The image row has no children, so that a new total
 * redraws one row: VS Code fetches a refreshed row's children again, one round trip per level.
 */
export function imageRows(result: LayersResult, options: RowOptions): Row[] {
  const { analysis, uri } = result;
  const stages = analysis.stages.map((s) => stageRow(s, analysis, uri, options, result.measured));
  const t = analysis.totals;
  const maybe = t.maybeLayers > 0 ? ` (+${t.maybeLayers}?)` : '';
  const model = analysis.model.label;
  const target = analysis.target === null ? 'no stage' : stageLabel(analysis.target, analysis.stages[analysis.target]?.name ?? null);
  const image: Row = {
    id: `${uri}#image`, label: 'Image', icon: 'image', cache: null, dimmed: false,
    description: `${layerCount(t.layers)}${maybe} · ${imageSizeText(t, 'size unknown')}${wasteText(t)} · ${model}${analysis.nextBuild ? ` · ${nextBuildText(analysis.nextBuild)}` : ''}`,
    tooltip: `Final image of target ${target} (${model}, ${modelSource(analysis.model.engine.source)}): ${layerCount(t.layers)} added by this Dockerfile${maybe}, ${formatSize(t, 'size not known yet')} on top of the base image${t.lowerBound ? ' (a lower bound: the build context was only partly scanned)' : ''}${baseTooltip(t)}${wasteTooltip(t)}.`,
    children: [],
  };
  return result.measured ? [image, baseRow(result.measured, uri), ...stages] : [image, ...stages];
}

function stageRow(stage: StageSummary, analysis: Analysis, uri: string, options: RowOptions, measured?: MeasuredImage): Row {
  const steps = analysis.steps.filter((s) => s.stage === stage.index);
  const layers = steps.filter((s) => s.layer === 'yes').length;
  const known = steps.filter((s) => s.layer !== 'no');
  const bytes = known.every((s) => s.size.bytes !== null) ? known.reduce((n, s) => n + (s.size.bytes ?? 0), 0) : null;
  const lowerBound = known.some((s) => s.size.lowerBound) ? true : undefined;
  const where = !stage.built ? 'not built' : stage.inFinalImage ? 'in final image' : 'not in final image';
  const visible = steps.filter((s) => options.showMetadata || !(s.metadata || s.layer === 'no') || s.keyword === 'FROM');
  return {
    id: `${uri}#stage${stage.index}`,
    label: `${stage.name ?? `stage #${stage.index}`}`,
    description: `${where} · ${layerCount(layers)} · ${formatSize({ bytes, lowerBound }, '?')}`,
    tooltip: `FROM ${stage.base}\n${stage.role}`,
    icon: stage.inFinalImage ? 'stage' : 'stage-off',
    cache: null,
    dimmed: !stage.inFinalImage,
    reveal: { uri, line: stage.line },
    children: visible.map((s) => stepRow(s, analysis, uri, measured)),
  };
}

function stepRow(step: Step, analysis: Analysis, uri: string, measured?: MeasuredImage): Row {
  const stage = step.stage === null ? undefined : analysis.stages[step.stage];
  const built = stage?.built !== false;
  const icon: RowIcon = !built ? 'skipped' : step.layer === 'yes' ? 'layer' : step.layer === 'maybe' ? 'layer-maybe' : 'metadata';
  const layer = measured?.layers.find((l) => l.line === step.line);
  // The stage in the id too: a step that moves to another stage (a FROM was added above it) is a new row there.
  const id = `${uri}#stage${step.stage ?? '-'}#line${step.line}`;
  const size = step.size.bytes === null ? `size unknown${step.size.detail ? `: ${step.size.detail}` : ''}` : `${formatSize(step.size)} (${step.size.lowerBound ? 'at least, ' : ''}${sizeBasis(step.size)})`;
  const wasted = step.wasted !== undefined && step.wasted.bytes > 0 ? `Wasted: ${formatBytes(step.wasted.bytes)} ${step.wasted.detail}` : '';
  return {
    id,
    label: step.summary,
    description: hintLabel(step, analysis),
    tooltip: [step.reason, step.layer === 'no' && step.keyword !== 'FROM' ? '' : `Size: ${size}`, wasted, step.cache.status === 'unknown' ? '' : `Cache: ${step.cache.status}, ${step.cache.reason}`]
      .filter((l) => l !== '').join('\n'),
    icon,
    cache: step.cache.status === 'unknown' || step.layer === 'no' ? null : step.cache.status,
    dimmed: !built || step.layer === 'no',
    reveal: { uri, line: step.line },
    children: layer ? fileRows(layer, id) : [],
  };
}

function baseRow(measured: MeasuredImage, uri: string): Row {
  const total = measured.baseLayers.reduce((n, l) => n + l.bytes, 0);
  return {
    id: `${uri}#base`, label: 'Base image layers', icon: 'base', cache: null, dimmed: false,
    description: `${layerCount(measured.baseLayers.length)} · ${formatBytes(total)} · shared`,
    tooltip: 'Layers of the base image. Images built on the same base store these once and pull them once.',
    children: measured.baseLayers.map((l, i) => ({
      id: `${uri}#base${i}`, label: l.createdBy.slice(0, 80) || `layer ${i + 1}`, description: formatBytes(l.bytes), tooltip: l.createdBy,
      icon: 'layer', cache: null, dimmed: false, children: fileRows(l, `${uri}#base${i}`),
    })),
  };
}

function fileRows(layer: MeasuredLayer, id: string): Row[] {
  return layer.largestFiles.map((f, i) => ({
    id: `${id}#file${i}`, label: f.path, description: formatBytes(f.bytes), tooltip: `${f.path}: ${f.bytes} bytes in this layer`,
    icon: 'file', cache: null, dimmed: false, children: [],
  }));
}

/** The workspace row: every Dockerfile with its total, and the bytes images share through base layers. */
export function workspaceRow(result: WorkspaceResult, label: (uri: string) => string): Row {
  const shared = result.sharedBytes === null ? (result.sharedNote ?? 'sharing unknown') : `${formatBytes(result.sharedBytes)} shared`;
  return {
    id: 'workspace', label: 'Workspace', icon: 'workspace', cache: null, dimmed: false,
    description: `${result.entries.length} ${result.entries.length === 1 ? 'Dockerfile' : 'Dockerfiles'} · ${shared}`,
    tooltip: 'Images built on the same base image store its layers once. Shared bytes: what sharing saves compared with storing each image whole.',
    children: result.entries.map((e) => ({
      id: `workspace#${e.uri}`, label: label(e.uri), icon: 'dockerfile', cache: null, dimmed: false,
      description: `${layerCount(e.layers)} · ${formatSize(e, 'size unknown')}${e.base ? ` · on ${e.base}${e.baseBytes === null ? '' : ` (${e.baseCompressed ? `~${formatBytes(e.baseBytes)} compressed` : formatBytes(e.baseBytes)})`}` : ''}`,
      tooltip: `${label(e.uri)}: ${layerCount(e.layers)}, ${formatSize(e, 'size unknown')} added${e.base ? ` on ${e.base}` : ''}.`,
      reveal: { uri: e.uri, line: 0 }, children: [],
    })),
  };
}

/** The workspace summary with one entry brought up to date from a fresher analysis (the active editor's). */
export function withFreshEntry(result: WorkspaceResult, fresh: LayersResult): WorkspaceResult {
  const t = fresh.analysis.totals;
  return {
    ...result,
    entries: result.entries.map((e) => (e.uri === fresh.uri ? { ...e, layers: t.layers, bytes: t.bytes, lowerBound: t.lowerBound } : e)),
  };
}

/** ` · 33 MB wasted` for the image row when later layers delete or overwrite bytes of earlier ones. */
function wasteText(t: Analysis['totals']): string {
  return t.wastedBytes !== undefined && t.wastedBytes > 0 ? ` · ${formatBytes(t.wastedBytes)} wasted` : '';
}

function baseTooltip(t: Analysis['totals']): string {
  if (t.base === undefined) return '';
  if (t.base.bytes === null) return `; base ${t.base.ref}: size unknown (${t.base.why ?? 'not looked up'})`;
  return `; base ${t.base.ref}: ${formatBytes(t.base.bytes)}${t.base.compressed ? ' compressed, from its registry' : ''}`;
}

function wasteTooltip(t: Analysis['totals']): string {
  if (t.wastedBytes === undefined) return '';
  const eff = (t.efficiency === null || t.efficiency === undefined ? '' : `, efficiency ${(t.efficiency * 100).toFixed(1)}%`)
    + (t.userWastedPercent === null || t.userWastedPercent === undefined ? '' : `, user wasted ${(t.userWastedPercent * 100).toFixed(1)}%`);
  return `; wasted space (dive's measure, ${t.wasteSource === 'measured' ? 'measured from the built image\'s layers' : 'estimated from what the analysis knows'}): ${t.wastedLowerBound ? 'at least ' : ''}${formatBytes(t.wastedBytes)}${eff}`;
}

/** The status bar text for an analysis: `$(layers) 5 layers · 12.4 MB`. */
export function statusText(analysis: Analysis): string {
  const t = analysis.totals;
  const maybe = t.maybeLayers > 0 ? ` (+${t.maybeLayers}?)` : '';
  const nb = analysis.nextBuild;
  const next = nb ? ` · ${nb.steps === 0 ? 'all cached' : `${nb.steps} rerun${nb.seconds === null ? '' : ` ~${formatSeconds(nb.seconds)}`}`}` : '';
  return `$(layers) ${layerCount(t.layers)}${maybe} · ${imageSizeText(t)}${next}`;
}
