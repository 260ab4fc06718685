/**
 * What every layer rule reads: the raw lines, the resolved model, the per-step layer verdicts, and the
 * file's continuation style. Built once per analysis; rules stay linear in the number of instructions.
 */
import type { Finding, StageSummary, Step } from '../types';
import type { ResolvedInstruction, ResolvedModel } from '../stages';
import type { Fix } from '../fixes/edits';
import { LINE_BREAK, splitLines } from '../lines';

/** How the file writes `&&` chains over continuation lines. */
export interface ContinuationStyle {
  /** Whitespace at the start of a continuation line. */
  indent: string;
  /** True when `&&` starts the continuation line (`\n    && b`), false when it ends the line (`a && \`). */
  leadingAnd: boolean;
}

/** The input of every rule. */
export interface RuleContext {
  lines: string[];
  /** The file's line break: `\r\n` when its first line break is one, else `\n`. */
  eol: string;
  escape: string;
  model: ResolvedModel;
  /** Steps indexed like model.instructions. */
  steps: Step[];
  stages: StageSummary[];
  style: ContinuationStyle;
  /** Whether a stage (by index) sets a non-default SHELL before or in it (then RUN text is not sh). */
  customShell: boolean[];
}

/** A finding, the lines a code action for it may be requested on, and its fix (null when none is safe). */
export interface RuleHit {
  finding: Finding;
  span: { line: number; endLine: number };
  fix: Fix | null;
}

/** Builds the rule context from the text, the resolved model and the analysis steps. */
export function ruleContext(text: string, model: ResolvedModel, steps: Step[], stages: StageSummary[]): RuleContext {
  const lines = splitLines(text);
  const eol = LINE_BREAK.exec(text)?.[0] ?? '\n';
  const escape = model.directives.escape;
  return { lines, eol, escape, model, steps, stages, style: continuationStyle(lines, escape), customShell: customShells(model) };
}

function continuationStyle(lines: string[], escape: string): ContinuationStyle {
  const indents = new Map<string, number>();
  let leading = 0;
  let trailing = 0;
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i - 1].trimEnd().endsWith(escape) || /^\s*(#|$)/.test(lines[i])) continue;
    const indent = /^[ \t]*/.exec(lines[i])?.[0] ?? '';
    if (indent !== '') indents.set(indent, (indents.get(indent) ?? 0) + 1);
    if (/^\s*&&/.test(lines[i])) leading++;
    if (lines[i - 1].trimEnd().endsWith(`&& ${escape}`)) trailing++;
  }
  let indent = '    ';
  let best = 0;
  for (const [k, n] of indents) if (n > best) [indent, best] = [k, n];
  return { indent, leadingAnd: leading > trailing };
}

function customShells(model: ResolvedModel): boolean[] {
  const result: boolean[] = [];
  for (const stage of model.stages) {
    let custom = stage.baseStage !== null && result[stage.baseStage];
    for (const i of stage.instructions) if (model.instructions[i].keyword === 'SHELL') custom = !isPlainSh(model.instructions[i].words);
    result.push(custom);
  }
  return result;
}

function isPlainSh(words: string[]): boolean {
  return words.length === 2 && /^(\/bin\/)?(sh|bash|dash)$/.test(words[0]) && words[1] === '-c';
}

/** The RUN instructions of a stage in order, with their indices into model.instructions. */
export function stageInstructions(ctx: RuleContext, stage: number): Array<{ index: number; ins: ResolvedInstruction }> {
  return ctx.model.stages[stage].instructions.map((index) => ({ index, ins: ctx.model.instructions[index] }));
}

/** The column where an instruction's keyword starts (after indentation). */
export function keywordColumn(ctx: RuleContext, ins: ResolvedInstruction): number {
  return /^\s*/.exec(ctx.lines[ins.line])?.[0].length ?? 0;
}

/** A finding on an instruction's keyword (severity is set later from the settings). */
export function findingAt(ctx: RuleContext, ins: ResolvedInstruction, code: string, message: string): Finding {
  const start = keywordColumn(ctx, ins);
  return { code, severity: 'warning', message, line: ins.line, endLine: ins.line, startColumn: start, endColumn: start + ins.keyword.length };
}
