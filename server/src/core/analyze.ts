/**
 * The whole pure analysis: Dockerfile text + options -> stages, steps (layer, size, cache) and findings.
 */
import type { Analysis, AnalysisOptions, Finding, SizeEstimate, Step, StageSummary, StageModel, Totals } from './types';
import { flagText, parseDockerfile } from './dockerfile';
import { finalImageStages, neededStages, resolveStages, resolveTarget, type ResolvedModel } from './stages';
import { classifyLayers, stageLabel, type LayerVerdict } from './layers';
import { checkBuilderSupport } from './compat';
import { applyCache } from './cache/apply';
import type { StepKey } from './cache/keys';
import { DEFAULT_ENGINE, describeModel } from './engine';
import { applySeverities, runLayerRules } from './findings';
import type { RuleHit } from './rules/context';
import type { ContextIndex } from './context';
import { estimateCopySizes, type CopySize } from './sizes';
import { finalImageBytes, imageBytesOf } from './totals';
import { splitLines } from './lines';
import { estimateRuns, type RunEstimate } from './estimate/run';
import { baseSize, stageImageSize } from './estimate/from';
import type { BaseImageFacts } from './baseImage';
import { staticWaste } from './wastedStatic';

/**
 * Analyzes Dockerfile text for one builder and target; never throws, problems come back as findings.
 * With a scanned `context`, COPY/ADD steps get exact sizes (uncompressed bytes) and digests; without one
 * their sizes are unknown.
 */
export function analyzeDockerfile(text: string, options: AnalysisOptions, context?: ContextIndex): Analysis {
  return analyzeDocument(text, options, context).analysis;
}

/**
 * analyzeDockerfile's analysis and the layer rules' hits (with their fixes) from the same run, for editors that
 * show both; never throws: the hits are empty when the text is too large or the analysis failed.
 */
export function analyzeDocument(text: string, options: AnalysisOptions, context?: ContextIndex): AnalysisRun {
  const tooLarge = sizeProblem(text);
  if (tooLarge !== null) return { analysis: emptyAnalysis(options, { code: 'too-large', severity: 'info', message: tooLarge, line: 0, endLine: 0 }), hits: [], keys: [] };
  try {
    return analyze(text, options, context);
  } catch (e) {
    // A parser bug must not take the editor down: report it as a finding and show nothing else.
    const message = `Dockerfile Layers could not analyze this file: ${e instanceof Error ? e.message : String(e)}`;
    return { analysis: emptyAnalysis(options, { code: 'internal-error', severity: 'warning', message, line: 0, endLine: 0 }), hits: [], keys: [] };
  }
}

/** One run of the analysis: the analysis, the layer rules' hits with their fixes, and every step's cache key (for recording a build). */
export interface AnalysisRun {
  analysis: Analysis;
  hits: RuleHit[];
  keys: StepKey[];
}

/** Largest text analyzed, in UTF-16 code units: real Dockerfiles are a few kilobytes, and typing must not wait. */
export const MAX_ANALYZED_CHARS = 256 * 1024;
/** Longest line analyzed: the parser's time grows fast with line length, and no real instruction is this long. */
export const MAX_ANALYZED_LINE = 32 * 1024;

/** Why `text` is too large to analyze while typing, or null when it is not. */
function sizeProblem(text: string): string | null {
  if (text.length > MAX_ANALYZED_CHARS) {
    return `This file has ${text.length} characters; Dockerfile Layers analyzes files of up to ${MAX_ANALYZED_CHARS} so that typing never waits. Is it really a Dockerfile?`;
  }
  const lines = splitLines(text);
  const line = lines.findIndex((l) => l.length > MAX_ANALYZED_LINE);
  if (line < 0) return null;
  return `Line ${line + 1} has ${lines[line].length} characters; Dockerfile Layers analyzes lines of up to ${MAX_ANALYZED_LINE} so that typing never waits.`;
}

/** The engine an analysis models and its label (`BuildKit 0.13 · Docker 26.1`). */
function modelOf(options: AnalysisOptions): Analysis['model'] {
  const engine = options.engine ?? DEFAULT_ENGINE;
  return { engine, label: describeModel(options.builder, engine) };
}

function emptyAnalysis(options: AnalysisOptions, finding: Finding): Analysis {
  return { builder: options.builder, model: modelOf(options), target: null, stages: [], steps: [], totals: { layers: 0, maybeLayers: 0, bytes: null }, findings: [finding] };
}

/**
 * The analysis plus the layer rules' hits, whose fixes the code actions and `fix` command offer; throws
 * only on parser bugs (callers that must not throw use analyzeDockerfile).
 */
export function analyzeWithFixes(text: string, options: AnalysisOptions, context?: ContextIndex): AnalysisRun {
  return analyze(text, options, context);
}

function analyze(text: string, options: AnalysisOptions, context?: ContextIndex): AnalysisRun {
  const model = resolveStages(parseDockerfile(text), options.buildArgs);
  const findings: Finding[] = [...model.findings, ...checkBuilderSupport(model, options.builder, options.engine ?? DEFAULT_ENGINE)];
  let target = resolveTarget(model.stages, options.target);
  if (target === null && model.stages.length > 0) {
    findings.push(unknownTarget(options.target ?? '', model.stages));
    target = model.stages.length - 1;
  }
  const stages = summarizeStages(model.stages, target, options.builder);
  const verdicts = classifyLayers(model, options.builder, options.engine ?? DEFAULT_ENGINE);
  const copies = estimateCopySizes(model, options.builder, context, options.engine ?? DEFAULT_ENGINE);
  const built = (i: number): boolean => stages[model.instructions[i].stage ?? -1]?.built === true;
  findings.push(...copies.findings);
  copies.byInstruction.forEach((c, i) => { if (built(i)) findings.push(...c.findings); });
  const runs = estimateRuns(model, options.sizes?.bases, options.sizes?.catalog);
  const sized = model.instructions.map((ins, i) => toStep(ins, skipVerdict(stages, ins.stage, target, model) ?? verdicts[i], copies.byInstruction.get(i) ?? runs.get(i)));
  const { steps, nextBuild, keys } = applyCache(model, sized, stages, copies.byInstruction, options, context);
  sizeFromLines(model, steps, options.sizes?.bases);
  const totals = totalsOf(steps, stages);
  const waste = staticWaste(model, steps, copies.byInstruction, runs, new Set(stages.filter((s) => s.inFinalImage).map((s) => s.index)), totals.base?.compressed ? null : totals.base?.bytes);
  waste.perStep.forEach((w, i) => (steps[i].wasted = w));
  // With a layer of unknown contents the wasted bytes are a floor, and no efficiency can be told.
  const withWaste: Totals = { ...totals, wastedBytes: waste.wastedBytes, efficiency: waste.lowerBound ? null : waste.efficiency, wasteSource: 'estimated', ...(waste.lowerBound ? { wastedLowerBound: true as const } : {}) };
  const hits = runLayerRules(text, model, steps, stages, options.severities);
  findings.push(...hits.map((h) => h.finding));
  const analysis = { builder: options.builder, model: modelOf(options), target, stages, steps, findings: applySeverities(findings, options.severities), totals: withWaste, nextBuild };
  return { analysis, hits, keys };
}

function unknownTarget(target: string, stages: StageModel[]): Finding {
  const names = stages.map((s) => stageLabel(s.index, s.name)).join(', ');
  return { code: 'unknown-target', severity: 'error', line: 0, endLine: 0, message: `Target stage "${target}" is not in this Dockerfile (stages: ${names}).` };
}

function summarizeStages(stages: StageModel[], target: number | null, builder: AnalysisOptions['builder']): StageSummary[] {
  if (target === null) return [];
  const needed = neededStages(stages, target);
  const final = finalImageStages(stages, target);
  const targetLabel = stageLabel(target, stages[target].name);
  return stages.map((s) => {
    const inTarget = needed.has(s.index);
    const inFinalImage = final.has(s.index);
    // The legacy builder builds every stage in order and stops at the target; BuildKit only what the target needs.
    const built = inTarget || (builder === 'legacy' && s.index < target);
    let role: string;
    if (s.index === target) role = 'The build target: its layers make up the final image.';
    else if (inFinalImage) role = `The target ${targetLabel} is built FROM this stage: its layers are in the final image.`;
    else if (inTarget) role = `Built because the target ${targetLabel} copies or mounts from it; its layers are not in the final image.`;
    else if (built) role = `Not needed by the target ${targetLabel}, but the legacy builder builds every stage before it; its layers are not in the final image.`;
    else if (s.index > target) role = `After the target ${targetLabel}: not built.`;
    else role = `Not needed by the target ${targetLabel}: BuildKit skips it.`;
    return { index: s.index, name: s.name, base: s.base, line: s.line, inTarget, inFinalImage, built, role };
  });
}

/** Steps of a stage the builder does not build add nothing in this build. */
function skipVerdict(stages: StageSummary[], stage: number | null, target: number | null, model: ResolvedModel): LayerVerdict | null {
  if (stage === null || stages[stage].built) return null;
  const t = target === null ? '' : stageLabel(target, model.stages[target].name);
  if (target !== null && stage > target) return { layer: 'no', reason: `This stage comes after the target ${t}: no builder builds it.`, metadata: false };
  return { layer: 'no', reason: `BuildKit does not build this stage: the target ${t} does not need it.`, metadata: false };
}

/**
 * A step's size before any build: exact for COPY/ADD with a scanned context and for WORKDIR, RUN's estimate,
 * else unknown. FROM lines are sized once every step is (sizeFromLines).
 */
function stepSize(keyword: string, v: LayerVerdict, sized: CopySize | RunEstimate | undefined): SizeEstimate {
  if (keyword === 'FROM') return { bytes: null, source: 'unknown', detail: 'The base image is not looked up.' };
  if (v.layer === 'no') return { bytes: 0, source: 'none' };
  if (keyword === 'WORKDIR') return { bytes: 0, source: 'exact', detail: 'A folder holds no bytes: the layer is empty.' };
  if (sized) return sized.size;
  if (keyword === 'RUN') return { bytes: null, source: 'unknown', detail: 'What a command writes is known after a build (Build Image, or `analyze --image`).' };
  return { bytes: null, source: 'unknown', detail: 'The build context is not scanned.' };
}

/** Sets every FROM line's size: the base image's, or the image of the stage it names (stages are in order). */
function sizeFromLines(model: ResolvedModel, steps: Step[], bases: Record<string, BaseImageFacts> | undefined): void {
  for (const stage of model.stages) {
    const from = stage.instructions.find((i) => model.instructions[i].keyword === 'FROM');
    if (from === undefined) continue;
    const parent = stage.baseStage === null ? null : model.stages[stage.baseStage];
    const parentFrom = parent?.instructions.find((i) => model.instructions[i].keyword === 'FROM');
    steps[from].size = parent === null || parent === undefined || parentFrom === undefined
      ? baseSize(stage.base, bases)
      : stageImageSize(parent, steps, steps[parentFrom].size);
  }
}

function toStep(ins: ResolvedModel['instructions'][number], v: LayerVerdict, sized: CopySize | RunEstimate | undefined): Step {
  const copy = sized !== undefined && 'digest' in sized ? sized : undefined;
  const size = stepSize(ins.keyword, v, sized);
  const step: Step = {
    line: ins.line, endLine: ins.endLine, endColumn: ins.endColumn, stage: ins.stage, keyword: ins.keyword,
    summary: summarize(ins), layer: v.layer, reason: v.reason, metadata: v.metadata, size,
    cache: { status: 'unknown', reason: 'No earlier build to compare with.' },
  };
  if (v.layer !== 'no' && copy?.digest) step.digest = copy.digest;
  return step;
}

const SUMMARY_LENGTH = 72;

function summarize(ins: ResolvedModel['instructions'][number]): string {
  const flags = ins.flags.map(flagText);
  const text = [ins.keyword, ...flags, ins.args.replace(/\s+/g, ' ').trim()].filter((p) => p !== '').join(' ');
  return text.length > SUMMARY_LENGTH ? `${text.slice(0, SUMMARY_LENGTH - 1)}…` : text;
}

/** Layers and bytes this Dockerfile adds to the final image (base image layers not counted). */
function totalsOf(steps: Step[], stages: StageSummary[]): Analysis['totals'] {
  let layers = 0;
  let maybeLayers = 0;
  for (const s of steps) {
    if (s.stage === null || !stages[s.stage]?.inFinalImage) continue;
    if (s.layer === 'yes') layers++;
    if (s.layer === 'maybe') maybeLayers++;
  }
  const own = finalImageBytes(steps, stages);
  const root = stages.find((s) => s.inFinalImage);
  const from = root === undefined ? undefined : steps.find((s) => s.keyword === 'FROM' && s.stage === root.index);
  if (root === undefined || from === undefined || root.base.toLowerCase() === 'scratch') return { layers, maybeLayers, ...own, imageBytes: own.bytes };
  const b = from.size;
  const base: NonNullable<Analysis['totals']['base']> = { ref: root.base, bytes: b.bytes, ...(b.compressed ? { compressed: true as const } : {}), ...(b.bytes === null && b.detail ? { why: b.detail } : {}) };
  return { layers, maybeLayers, ...own, base, imageBytes: imageBytesOf(own.bytes, base) };
}

