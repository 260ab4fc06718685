/**
 * Instruction list -> stages: global and per-stage ARG/ENV scopes, variable expansion where the builders
 * expand, stage dependencies (FROM, COPY --from, RUN --mount=from=) and the target's needs.
 */
import type { DockerfileModel, Finding, InstructionModel, StageModel } from './types';
import { parseDockerfile, type ParsedDockerfile } from './dockerfile';
import { expandWord, parsePairs, type Lookup } from './variables';

/** Instructions whose arguments the builders expand with ARG and ENV values. */
const EXPANDING = new Set(['ADD', 'COPY', 'ENV', 'EXPOSE', 'FROM', 'LABEL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR', 'ARG']);

/** An instruction with its words expanded (for EXPANDING instructions) and the names left unresolved. */
export interface ResolvedInstruction extends InstructionModel {
  expanded: string[];
  unresolved: string[];
  /**
   * In a stage: the ENV values (the stage's and those inherited from its parent stage) and the declared ARGs
   * (null: declared without a value) in effect when the instruction runs, before its own changes.
   */
  scope?: { env: ReadonlyMap<string, string>; args: ReadonlyMap<string, string | null> };
}

/** The model plus expansions; `instructions` carry expansion results. */
export interface ResolvedModel extends DockerfileModel {
  instructions: ResolvedInstruction[];
}

interface StageScope {
  env: Map<string, string>;
  args: Map<string, string | null>;
}

/** Assigns stages, expands variables with `buildArgs` overriding ARG defaults, and finds stage dependencies. */
export function resolveStages(parsed: ParsedDockerfile, buildArgs: Record<string, string>): ResolvedModel {
  const findings: Finding[] = [...parsed.findings];
  const escape = parsed.directives.escape;
  const globalArgs = new Map<string, string | null>();
  const stages: StageModel[] = [];
  const stageEnv: Array<Map<string, string>> = [];
  let scope: StageScope | null = null;
  const instructions: ResolvedInstruction[] = parsed.instructions.map((ins, index) => {
    const lookup: Lookup = scope ? scopeLookup(scope) : (n) => globalArgs.get(n);
    const resolved = expandInstruction(ins, lookup, escape);
    if (ins.keyword === 'FROM') {
      const stage = startStage(resolved, index, stages, globalArgs, buildArgs, escape, findings);
      stages.push(stage);
      resolved.stage = stage.index;
      const inherited = stage.baseStage === null ? new Map<string, string>() : new Map(stageEnv[stage.baseStage]);
      scope = { env: inherited, args: new Map() };
      stageEnv.push(scope.env);
      return resolved;
    }
    if (scope === null) {
      if (ins.keyword === 'ARG') declareArgs(resolved, globalArgs, globalArgs, buildArgs, escape);
      else if (ins.keyword !== '') findings.push(beforeFrom(ins));
      return resolved;
    }
    const stage = stages[stages.length - 1];
    resolved.stage = stage.index;
    stage.instructions.push(index);
    resolved.scope = { env: scope.env, args: scope.args };
    // Copy on write: an instruction that changes the scope gets new maps, so earlier snapshots stay as they were.
    if (ins.keyword === 'ENV' || ins.keyword === 'ARG') scope = { env: new Map(scope.env), args: new Map(scope.args) };
    updateScope(resolved, scope, globalArgs, buildArgs, escape);
    stageEnv[stage.index] = scope.env;
    addDependencies(resolved, stage, stages, findings);
    return resolved;
  });
  if (stages.length === 0 && instructions.length > 0) {
    findings.push({ code: 'no-from', severity: 'error', message: 'The Dockerfile has no FROM: the build fails.', line: 0, endLine: 0 });
  }
  return { directives: parsed.directives, instructions, stages, globalArgs, findings };
}

function scopeLookup(scope: StageScope): Lookup {
  return (name) => (scope.env.has(name) ? scope.env.get(name) : scope.args.get(name));
}

function expandInstruction(ins: InstructionModel, lookup: Lookup, escape: string): ResolvedInstruction {
  if (!EXPANDING.has(ins.keyword) || ins.keyword === 'ENV' || ins.keyword === 'ARG' || ins.keyword === 'LABEL') {
    return resolvedCopy(ins, ins.flags, ins.words, []);
  }
  const unresolved: string[] = [];
  const expanded = ins.words.map((w) => {
    const e = expandWord(w, lookup, escape);
    unresolved.push(...e.unresolved);
    return e.value;
  });
  const flags = ins.flags.map((f) => {
    if (f.value === null) return f;
    const e = expandWord(f.value, lookup, escape);
    unresolved.push(...e.unresolved);
    return { name: f.name, value: e.value };
  });
  return resolvedCopy(ins, flags, expanded, unresolved.length === 0 ? unresolved : [...new Set(unresolved)]);
}

/** `{ ...ins, flags, expanded, unresolved }` written out: object spread was a tenth of the analysis time. */
function resolvedCopy(ins: InstructionModel, flags: InstructionModel['flags'], expanded: string[], unresolved: string[]): ResolvedInstruction {
  const copy: ResolvedInstruction = {
    keyword: ins.keyword, line: ins.line, endLine: ins.endLine, endColumn: ins.endColumn, args: ins.args, words: ins.words,
    flags, form: ins.form, heredocs: ins.heredocs, stage: ins.stage, expanded, unresolved,
  };
  if ('trigger' in ins) copy.trigger = ins.trigger;
  return copy;
}

function startStage(
  from: ResolvedInstruction, index: number, stages: StageModel[], globalArgs: Map<string, string | null>,
  buildArgs: Record<string, string>, escape: string, findings: Finding[],
): StageModel {
  const lookup: Lookup = (n) => (n in buildArgs && globalArgs.has(n) ? buildArgs[n] : globalArgs.get(n));
  const base = from.words.length > 0 ? expandWord(from.words[0], lookup, escape).value : '';
  const hasAs = from.words.length >= 3 && from.words[1].toLowerCase() === 'as';
  const name = hasAs ? from.words[2] : null;
  const at = { line: from.line, endLine: from.endLine };
  if (base === '') findings.push({ code: 'empty-base', severity: 'error', message: 'FROM names no base image (it expands to an empty string): the build fails.', ...at });
  if (name !== null && stages.some((s) => s.name?.toLowerCase() === name.toLowerCase())) {
    findings.push({ code: 'duplicate-stage', severity: 'error', message: `Stage name "${name}" is used twice: the build fails.`, ...at });
  }
  const baseStage = findStageByName(stages, base);
  return {
    index: stages.length,
    name,
    base,
    baseStage,
    line: from.line,
    dependsOn: baseStage === null ? [] : [baseStage],
    instructions: [index],
  };
}

function findStageByName(stages: StageModel[], ref: string): number | null {
  const lower = ref.toLowerCase();
  const found = stages.find((s) => s.name !== null && s.name.toLowerCase() === lower);
  return found ? found.index : null;
}

/** Resolves `--from` or `from=` to a stage: by name, or by index for COPY --from (never a later stage). */
export function stageRef(stages: StageModel[], ref: string, allowIndex: boolean): number | null {
  const byName = findStageByName(stages, ref);
  if (byName !== null) return byName;
  if (allowIndex && /^\d+$/.test(ref)) {
    const i = Number(ref);
    return i < stages.length ? i : null;
  }
  return null;
}

function addDependencies(ins: ResolvedInstruction, stage: StageModel, stages: StageModel[], findings: Finding[]): void {
  for (const ref of fromRefs(ins)) {
    const earlier = stages.slice(0, stage.index);
    const dep = stageRef(earlier, ref, ins.keyword === 'COPY');
    if (dep !== null && !stage.dependsOn.includes(dep)) stage.dependsOn.push(dep);
    if (dep === null && /^\d+$/.test(ref) && ins.keyword === 'COPY') {
      findings.push({
        code: 'invalid-from', severity: 'error', line: ins.line, endLine: ins.endLine,
        message: `COPY --from=${ref} names no earlier stage (stages are numbered from 0): the build fails.`,
      });
    }
  }
}

/** The stage or image references of COPY --from and RUN --mount=...,from=... */
export function fromRefs(ins: InstructionModel): string[] {
  const refs: string[] = [];
  for (const f of ins.flags) {
    if (f.value === null) continue;
    if (ins.keyword === 'COPY' && f.name === 'from') refs.push(f.value);
    if (ins.keyword === 'RUN' && f.name === 'mount') {
      const from = f.value.split(',').map((kv) => kv.split('=')).find(([k]) => k === 'from');
      if (from && from[1]) refs.push(from[1]);
    }
  }
  return refs;
}

function updateScope(
  ins: ResolvedInstruction, scope: StageScope, globalArgs: Map<string, string | null>,
  buildArgs: Record<string, string>, escape: string,
): void {
  if (ins.keyword === 'ARG') declareArgs(ins, scope.args, globalArgs, buildArgs, escape, scopeLookup(scope));
  if (ins.keyword === 'ENV') {
    for (const [k, v] of parsePairs(ins.args, escape)) {
      scope.env.set(k, expandWord(v ?? '', scopeLookup(scope), escape).value);
    }
  }
}

function declareArgs(
  ins: InstructionModel, into: Map<string, string | null>, globalArgs: Map<string, string | null>,
  buildArgs: Record<string, string>, escape: string, lookup: Lookup = (n) => into.get(n),
): void {
  for (const [name, raw] of parsePairs(ins.args, escape, true)) {
    let value: string | null;
    if (name in buildArgs) value = buildArgs[name];
    else if (raw !== null) value = expandWord(raw, lookup, escape).value;
    else value = globalArgs.get(name) ?? null;
    into.set(name, value);
  }
}

function beforeFrom(ins: InstructionModel): Finding {
  return {
    code: 'instruction-before-from', severity: 'error', line: ins.line, endLine: ins.endLine,
    message: `${ins.keyword} before the first FROM: only ARG may come first, the build fails.`,
  };
}

/** The images the stages start FROM (not earlier stages, not scratch), after build-arg substitution. */
export function imageBases(text: string, buildArgs: Record<string, string>): string[] {
  const model = resolveStages(parseDockerfile(text), buildArgs);
  return [...new Set(model.stages.filter((s) => s.baseStage === null && s.base !== '' && s.base.toLowerCase() !== 'scratch').map((s) => s.base))];
}

/** Every target a build of `text` can name: each named stage, and null for the last stage. */
export function stageTargets(text: string, buildArgs: Record<string, string>): Array<string | null> {
  const model = resolveStages(parseDockerfile(text), buildArgs);
  return [null, ...model.stages.map((s) => s.name).filter((n): n is string => n !== null)];
}

/** Resolves a target given as a stage name or index; undefined selects the last stage. Null when not found. */
export function resolveTarget(stages: StageModel[], target: string | undefined): number | null {
  if (stages.length === 0) return null;
  if (target === undefined || target === '') return stages.length - 1;
  return stageRef(stages, target, true);
}

/** The stages the target needs, as a set of indices (the target included). */
export function neededStages(stages: StageModel[], target: number): Set<number> {
  const needed = new Set<number>();
  const visit = (i: number): void => {
    if (needed.has(i)) return;
    needed.add(i);
    for (const d of stages[i].dependsOn) visit(d);
  };
  visit(target);
  return needed;
}

/** The stages whose layers make up the final image: the target and the chain of stages it is built FROM. */
export function finalImageStages(stages: StageModel[], target: number): Set<number> {
  const chain = new Set<number>();
  for (let i: number | null = target; i !== null && !chain.has(i); i = stages[i].baseStage) chain.add(i);
  return chain;
}
