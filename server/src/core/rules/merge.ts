/**
 * Rule `merge-runs`: consecutive RUN steps of a stage (comments and blank lines between them allowed) with
 * the same flags each add a layer; one RUN would add one. Steps that cannot be merged safely (heredocs,
 * exec form that cannot be written as shell, a custom SHELL, a trailing shell comment) end a group.
 */
import type { ResolvedInstruction } from '../stages';
import { mergeEdit, mergePart } from '../fixes/merge';
import { findingAt, type RuleContext, type RuleHit } from './context';

export const MERGE_RUNS = 'merge-runs';

/** Finds groups of mergeable consecutive RUN steps; one finding per step after the first of a group. */
export function checkMergeRuns(ctx: RuleContext): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const group of runGroups(ctx)) hits.push(...groupHits(ctx, group));
  return hits;
}

/** Consecutive RUN steps of one stage, in file order, with equal flags and each mergeable; at least two. */
export function runGroups(ctx: RuleContext): Array<{ ins: ResolvedInstruction; index: number }[]> {
  const groups: Array<{ ins: ResolvedInstruction; index: number }[]> = [];
  let current: { ins: ResolvedInstruction; index: number }[] = [];
  const close = (): void => {
    if (current.length > 1) groups.push(current);
    current = [];
  };
  ctx.model.instructions.forEach((ins, index) => {
    if (ins.keyword !== 'RUN' || ins.stage === null || mergePart(ctx, ins) === null) return close();
    const prev = current[current.length - 1];
    if (prev !== undefined && (prev.index !== index - 1 || prev.ins.stage !== ins.stage || flagKey(prev.ins) !== flagKey(ins))) close();
    current.push({ ins, index });
  });
  close();
  return groups;
}

function flagKey(ins: ResolvedInstruction): string {
  return ins.flags.map((f) => `${f.name}=${f.value ?? ''}`).sort().join(' ');
}

function groupHits(ctx: RuleContext, group: { ins: ResolvedInstruction; index: number }[]): RuleHit[] {
  const first = group[0].ins;
  const last = group[group.length - 1].ins;
  const layers = group.filter((g) => ctx.steps[g.index].layer !== 'no').length;
  const saved = Math.max(0, layers - 1);
  if (saved === 0) return [];
  const edit = mergeEdit(ctx, group.map((g) => g.ins));
  const savedText = saved === 1 ? '1 layer' : `${saved} layers`;
  const fix = edit === null ? null : { code: MERGE_RUNS, title: `Merge ${group.length} RUN steps (lines ${first.line + 1}-${last.endLine + 1}) into one: ${savedText} fewer`, edits: [edit] };
  const flags = first.flags.length > 0 ? ' with the same flags' : '';
  return group.slice(1).map(({ ins }) => ({
    finding: findingAt(ctx, ins, MERGE_RUNS, `This RUN adds a layer of its own, right after the RUN on line ${first.line + 1}${flags}: the ${group.length} consecutive RUN steps could be one, ${savedText} fewer (each layer costs a history entry, a pull and a cache key). Keep steps apart only when they change at different rates.`),
    span: { line: first.line, endLine: last.endLine },
    fix,
  }));
}
