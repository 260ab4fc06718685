/**
 * The whole pure analysis: Dockerfile text + options -> stages, steps (layer, size, cache) and findings.
 */
import type { Analysis, AnalysisOptions, Finding, Step, StageSummary, StageModel } from './types';
import { parseDockerfile } from './dockerfile';
import { finalImageStages, neededStages, resolveStages, resolveTarget, type ResolvedModel } from './stages';
import { classifyLayers, stageLabel, type LayerVerdict } from './layers';
import { checkBuilderSupport } from './compat';

/** Analyzes Dockerfile text for one builder and target; never throws, problems come back as findings. */
export function analyzeDockerfile(text: string, options: AnalysisOptions): Analysis {
  try {
    return analyze(text, options);
  } catch (e) {
    // A parser bug must not take the editor down: report it as a finding and show nothing else.
    const message = `Dockerfile Layers could not analyze this file: ${e instanceof Error ? e.message : String(e)}`;
    return {
      builder: options.builder, target: null, stages: [], steps: [], totals: { layers: 0, maybeLayers: 0, bytes: null },
      findings: [{ code: 'internal-error', severity: 'warning', message, line: 0, endLine: 0 }],
    };
  }
}

function analyze(text: string, options: AnalysisOptions): Analysis {
  const model = resolveStages(parseDockerfile(text), options.buildArgs);
  const findings: Finding[] = [...model.findings, ...checkBuilderSupport(model, options.builder)];
  let target = resolveTarget(model.stages, options.target);
  if (target === null && model.stages.length > 0) {
    findings.push(unknownTarget(options.target ?? '', model.stages));
    target = model.stages.length - 1;
  }
  const stages = summarizeStages(model.stages, target, options.builder);
  const verdicts = classifyLayers(model, options.builder);
  const steps = model.instructions.map((ins, i) => toStep(ins, skipVerdict(stages, ins.stage, target, model) ?? verdicts[i]));
  return { builder: options.builder, target, stages, steps, findings, totals: totalsOf(steps, stages) };
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
    const built = builder === 'legacy' || inTarget;
    let role: string;
    if (s.index === target) role = 'The build target: its layers make up the final image.';
    else if (inFinalImage) role = `The target ${targetLabel} is built FROM this stage: its layers are in the final image.`;
    else if (inTarget) role = `Built because the target ${targetLabel} copies or mounts from it; its layers are not in the final image.`;
    else if (built) role = `Not needed by the target ${targetLabel}, but the legacy builder builds every stage; its layers are not in the final image.`;
    else role = `Not needed by the target ${targetLabel}: BuildKit skips it.`;
    return { index: s.index, name: s.name, base: s.base, line: s.line, inTarget, inFinalImage, built, role };
  });
}

/** Steps of a stage BuildKit does not build add nothing in this build. */
function skipVerdict(stages: StageSummary[], stage: number | null, target: number | null, model: ResolvedModel): LayerVerdict | null {
  if (stage === null || stages[stage].built) return null;
  const t = target === null ? '' : stageLabel(target, model.stages[target].name);
  return { layer: 'no', reason: `BuildKit does not build this stage: the target ${t} does not need it.`, metadata: false };
}

function toStep(ins: ResolvedModel['instructions'][number], v: LayerVerdict): Step {
  const size = ins.keyword === 'FROM'
    ? { bytes: null, source: 'base' as const, detail: 'The base image is not inspected yet.' }
    : v.layer === 'no'
      ? { bytes: 0, source: 'none' as const }
      : { bytes: null, source: 'unknown' as const, detail: 'No size estimate for this step yet.' };
  return {
    line: ins.line, endLine: ins.endLine, endColumn: ins.endColumn, stage: ins.stage, keyword: ins.keyword,
    summary: summarize(ins), layer: v.layer, reason: v.reason, metadata: v.metadata, size,
    cache: { status: 'unknown', reason: 'No earlier build to compare with.' },
  };
}

const SUMMARY_LENGTH = 72;

function summarize(ins: ResolvedModel['instructions'][number]): string {
  const flags = ins.flags.map((f) => (f.value === null ? `--${f.name}` : `--${f.name}=${f.value}`));
  const text = [ins.keyword, ...flags, ins.args.replace(/\s+/g, ' ').trim()].filter((p) => p !== '').join(' ');
  return text.length > SUMMARY_LENGTH ? `${text.slice(0, SUMMARY_LENGTH - 1)}…` : text;
}

/** Layers and bytes this Dockerfile adds to the final image (base image layers not counted). */
function totalsOf(steps: Step[], stages: StageSummary[]): Analysis['totals'] {
  let layers = 0;
  let maybeLayers = 0;
  let bytes: number | null = 0;
  for (const s of steps) {
    if (s.stage === null || !stages[s.stage]?.inFinalImage) continue;
    if (s.layer === 'yes') layers++;
    if (s.layer === 'maybe') maybeLayers++;
    if (s.layer !== 'no') bytes = bytes === null || s.size.bytes === null ? null : bytes + s.size.bytes;
  }
  return { layers, maybeLayers, bytes };
}
