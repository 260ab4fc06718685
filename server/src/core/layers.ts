/**
 * Layer classification per builder: for each instruction, does it add a layer to its stage's image?
 * The rules follow what Docker Engine's two builders were seen to do (test/conformance checks them):
 * BuildKit commits a layer for every RUN, COPY, ADD and WORKDIR other than `/`, even an empty one; the
 * legacy builder drops a layer whose diff is empty (a no-op RUN, WORKDIR of an existing folder).
 */
import * as posix from './posixPath';
import type { Builder, LayerFlag, StageModel } from './types';
import type { ResolvedInstruction, ResolvedModel } from './stages';
import { DEFAULT_ENGINE, featureSupport, type EngineModel } from './engine';
import { createdDirs, scriptEffect } from './shell';

/** Instructions that only change the image's configuration, never its files. */
export const METADATA_KEYWORDS = new Set([
  'ENV', 'LABEL', 'EXPOSE', 'USER', 'CMD', 'ENTRYPOINT', 'HEALTHCHECK', 'VOLUME', 'SHELL', 'STOPSIGNAL', 'MAINTAINER',
]);

/** A layer verdict for one instruction. */
export interface LayerVerdict {
  layer: LayerFlag;
  reason: string;
  metadata: boolean;
}

/** What is known about a stage's filesystem while walking its instructions. */
interface StageFs {
  /** The base is `scratch` (directly or through earlier stages): only what this build creates exists. */
  fromScratch: boolean;
  /** Folders known to exist, with the 0-based line that created them (-1: inherited). */
  dirs: Map<string, number>;
  workdir: string;
}

/** Classifies every instruction of `model` for `builder`; the result is indexed like model.instructions. */
export function classifyLayers(model: ResolvedModel, builder: Builder, engine: EngineModel = DEFAULT_ENGINE): LayerVerdict[] {
  const firstLineOnly = builder === 'legacy' && featureSupport('run-heredoc', builder, engine, false).kind === 'ignored';
  const verdicts: LayerVerdict[] = model.instructions.map(() => ({ layer: 'no', reason: '', metadata: false }));
  const stageFs: StageFs[] = [];
  for (const stage of model.stages) {
    const fs = initialFs(stage, stageFs);
    stageFs.push(fs);
    for (const i of stage.instructions) verdicts[i] = classify(model.instructions[i], builder, fs, stage, firstLineOnly);
  }
  model.instructions.forEach((ins, i) => {
    if (ins.stage === null) {
      verdicts[i] = { layer: 'no', reason: 'Global build argument: usable in FROM lines, no history entry and no layer.', metadata: false };
    }
  });
  return verdicts;
}

function initialFs(stage: StageModel, earlier: StageFs[]): StageFs {
  if (stage.baseStage !== null) {
    const parent = earlier[stage.baseStage];
    return { fromScratch: parent.fromScratch, dirs: new Map([...parent.dirs].map(([d]) => [d, -1])), workdir: parent.workdir };
  }
  const fromScratch = stage.base.toLowerCase() === 'scratch';
  return { fromScratch, dirs: new Map([['/', -1]]), workdir: '/' };
}

function classify(ins: ResolvedInstruction, builder: Builder, fs: StageFs, stage: StageModel, firstLineOnly: boolean): LayerVerdict {
  const k = ins.keyword;
  if (METADATA_KEYWORDS.has(k)) {
    return { layer: 'no', reason: `${k} only changes the image configuration: an empty history entry, no layer.`, metadata: true };
  }
  switch (k) {
    case 'FROM':
      return { layer: 'no', reason: fromReason(stage), metadata: false };
    case 'ARG':
      return { layer: 'no', reason: 'Build argument: an empty history entry, no layer.', metadata: true };
    case 'ONBUILD':
      return {
        layer: 'no', metadata: true,
        reason: builder === 'buildkit'
          ? 'ONBUILD only records a trigger for images built FROM this one: no history entry, no layer.'
          : 'ONBUILD only records a trigger for images built FROM this one: an empty history entry, no layer.',
      };
    case 'WORKDIR':
      return classifyWorkdir(ins, builder, fs);
    case 'RUN':
      return firstLineOnly && ins.heredocs.length > 0 ? classifyLegacyHeredocRun(ins, fs) : classifyRun(ins, builder, fs);
    case 'COPY':
    case 'ADD':
      return classifyCopy(ins, fs);
    default:
      return { layer: 'no', reason: `Unknown instruction ${k}: the build fails before it adds anything.`, metadata: false };
  }
}

function fromReason(stage: StageModel): string {
  const base = stage.baseStage !== null ? `stage ${stageLabel(stage.baseStage, null)}` : stage.base === 'scratch' ? 'an empty filesystem (scratch)' : `image ${stage.base}`;
  return `Starts a stage from ${base}: its layers are inherited, this line adds none.`;
}

/** A stage's display label: its name, or `#index`. */
export function stageLabel(index: number, name: string | null): string {
  return name ?? `#${index}`;
}

function classifyWorkdir(ins: ResolvedInstruction, builder: Builder, fs: StageFs): LayerVerdict {
  const raw = ins.expanded.join(' ');
  const path = posix.resolve(fs.workdir, raw);
  fs.workdir = path;
  const known = fs.dirs.get(path);
  const unresolved = ins.unresolved.length > 0 ? ` (${ins.unresolved.map((v) => '$' + v).join(', ')} not set, read as empty)` : '';
  if (path === '/') return { layer: 'no', reason: `WORKDIR / changes no files${unresolved}: no layer.`, metadata: false };
  markDir(fs, path, ins.line);
  if (builder === 'buildkit') {
    return { layer: 'yes', reason: `BuildKit records WORKDIR ${path} as a layer${unresolved}, 0 B when the folder already exists.`, metadata: false };
  }
  if (known !== undefined) {
    const where = known >= 0 ? `line ${known + 1} created it` : 'the parent stage has it';
    return { layer: 'no', reason: `${path} already exists (${where}): the legacy builder drops the empty diff, no layer.`, metadata: false };
  }
  if (fs.fromScratch) return { layer: 'yes', reason: `Creates ${path}: a 0 B layer (legacy builder).`, metadata: false };
  return {
    layer: 'maybe', metadata: false,
    reason: `Legacy builder: a 0 B layer if the base image lacks ${path}${unresolved}, none if it has it (depends on the base image).`,
  };
}

function markDir(fs: StageFs, path: string, line: number): void {
  for (let p = path; p !== '/' && !fs.dirs.has(p); p = posix.dirname(p)) fs.dirs.set(p, line);
}

function classifyRun(ins: ResolvedInstruction, builder: Builder, fs: StageFs): LayerVerdict {
  const script = runScript(ins);
  const { effect, culprit } = scriptEffect(script, (p) => {
    if (fs.dirs.has(posix.resolve(fs.workdir, p))) return true;
    return fs.fromScratch ? false : undefined;
  });
  for (const dir of createdDirs(script)) markDir(fs, posix.resolve(fs.workdir, dir), ins.line);
  if (builder === 'buildkit') {
    const empty = effect === 'none' ? ' (0 B: the command changes no files)' : '';
    return { layer: 'yes', reason: `BuildKit commits every RUN as a layer${empty}.`, metadata: false };
  }
  if (effect === 'none') return { layer: 'no', reason: 'The command changes no files: the legacy builder drops the empty diff, no layer.', metadata: false };
  if (effect === 'writes') return { layer: 'yes', reason: `\`${culprit}\` writes files: a new layer.`, metadata: false };
  return { layer: 'maybe', reason: `Legacy builder: a layer only if \`${culprit}\` changes files (depends on the command); empty diffs are dropped.`, metadata: false };
}

/**
 * A heredoc RUN under the legacy builder of Docker 23 and later, which parses heredocs but runs only the
 * instruction's first line: `RUN <<EOF` alone runs an empty script, so its diff is empty and dropped.
 */
function classifyLegacyHeredocRun(ins: ResolvedInstruction, fs: StageFs): LayerVerdict {
  if (/^(\s*<<-?\s*("[^"]*"|'[^']*'|\S+))+\s*$/.test(ins.args)) {
    return { layer: 'no', reason: `The legacy builder runs only \`${ins.args.trim()}\`, not the heredoc's lines: it changes no files, no layer.`, metadata: false };
  }
  const { effect, culprit } = scriptEffect(ins.args, (p) => (fs.dirs.has(posix.resolve(fs.workdir, p)) ? true : fs.fromScratch ? false : undefined));
  const first = `The legacy builder runs only the first line, \`${ins.args.trim()}\`, not the heredoc's lines`;
  if (effect === 'none') return { layer: 'no', reason: `${first}: it changes no files, no layer.`, metadata: false };
  if (effect === 'writes') return { layer: 'yes', reason: `${first}: \`${culprit}\` writes files, a new layer.`, metadata: false };
  return { layer: 'maybe', reason: `${first}: a layer only if \`${culprit}\` changes files (depends on the command).`, metadata: false };
}

/** The shell script a RUN executes: heredoc bodies, `sh -c` of the exec form, or the shell form text. */
export function runScript(ins: ResolvedInstruction): string {
  if (ins.heredocs.length > 0) return [ins.args, ...ins.heredocs.map((h) => h.body)].join('\n');
  if (ins.form === 'exec') {
    const [cmd, flag, script] = ins.words;
    if (/(^|\/)(ba|da|a)?sh$/.test(cmd ?? '') && flag === '-c' && script !== undefined) return script;
    return ins.words.map((w) => `'${w.replace(/'/g, '')}'`).join(' ');
  }
  return ins.args;
}

function classifyCopy(ins: ResolvedInstruction, fs: StageFs): LayerVerdict {
  const dest = ins.heredocs.length > 0 ? ins.expanded.find((w) => !w.startsWith('<<')) : ins.expanded[ins.expanded.length - 1];
  // The destination exists afterwards: a folder, or a file (then a later WORKDIR there fails the build).
  if (dest !== undefined) markDir(fs, posix.resolve(fs.workdir, dest), ins.line);
  const what = ins.keyword === 'ADD' ? 'ADD writes the added files' : 'COPY writes the copied files';
  return { layer: 'yes', reason: `${what} into a new layer (both builders), even when the same files were copied before.`, metadata: false };
}
