/**
 * The merge fix: consecutive RUN steps become one RUN joined with `&&` (a failing step still fails the
 * build), comments between them move above it, and a step that changes shell state (`cd`, `export`, ...)
 * or uses separators that `&&` would rebind runs in a subshell, so the merged step behaves like the
 * separate ones, each of which started in WORKDIR with a fresh shell.
 */
import { flagText } from '../dockerfile';
import type { ResolvedInstruction } from '../stages';
import type { RuleContext } from '../rules/context';
import type { TextEdit } from './edits';
import { runBody, scanScript, shellQuote, commandsOf } from './runText';

/** Builtins whose effect outlives the command in the same shell; a later RUN never sees it. */
const STATE_CHANGERS = new Set([
  'cd', 'pushd', 'popd', 'export', 'unset', 'set', 'umask', 'source', '.', 'alias', 'unalias', 'exit', 'exec',
  'trap', 'shopt', 'ulimit', 'readonly', 'eval', 'shift', 'declare', 'typeset', 'local', 'hash', 'return',
]);

/** The lines of one step as a merged part, or null when it cannot be merged safely. */
export function mergePart(ctx: RuleContext, ins: ResolvedInstruction): string[] | null {
  if (ins.keyword !== 'RUN' || ins.heredocs.length > 0 || (ins.stage !== null && ctx.customShell[ins.stage])) return null;
  const lines = ins.form === 'exec' ? execAsShell(ins.words) : runBody(ctx, ins);
  if (lines === null) return null;
  const script = ins.form === 'exec' ? lines.join(' ') : ins.args;
  const scan = scanScript(script);
  if (scan.comment) return null;
  if (!needsSubshell(script)) return lines;
  // `((` would start arithmetic in bash: keep a space between two opening parentheses.
  const wrapped = [...lines];
  wrapped[0] = wrapped[0].startsWith('(') ? `( ${wrapped[0]}` : `(${wrapped[0]}`;
  wrapped[wrapped.length - 1] += ')';
  return wrapped;
}

/** Exec form as one shell line: `sh -c SCRIPT` becomes SCRIPT, anything else its quoted words. */
function execAsShell(words: string[]): string[] | null {
  if (words.length === 0 || words.some((w) => /[\r\n]/.test(w))) return null;
  if (words.length === 3 && /^(\/bin\/)?sh$/.test(words[0]) && words[1] === '-c') return [words[2]];
  return [words.map(shellQuote).join(' ')];
}

/** A step must run in a subshell when it changes shell state or uses separators other than `&&` and `|`. */
export function needsSubshell(script: string): boolean {
  const scan = scanScript(script);
  if (scan.grouping || [...scan.separators].some((s) => s !== '&&' && s !== '|')) return true;
  return commandsOf(script).some((c) => {
    const words = c.words;
    let i = 0;
    while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i])) i++;
    return i === words.length ? words.length > 0 : STATE_CHANGERS.has(words[i]);
  });
}

/**
 * The edit that merges `group` (consecutive RUN steps with equal flags, at least two) into one, or null
 * when a step cannot be merged safely.
 */
export function mergeEdit(ctx: RuleContext, group: ResolvedInstruction[]): TextEdit | null {
  const parts = group.map((ins) => mergePart(ctx, ins));
  if (parts.some((p) => p === null)) return null;
  const { indent, leadingAnd } = ctx.style;
  const esc = ctx.escape;
  const out: string[] = [];
  for (let i = 1; i < group.length; i++) out.push(...commentsBetween(ctx, group[i - 1], group[i]));
  const flags = group[0].flags.map(flagText);
  const keyword = ctx.lines[group[0].line].match(/^\s*\S+/)?.[0] ?? 'RUN';
  const merged: string[] = [];
  (parts as string[][]).forEach((part, i) => {
    const lines = [...part];
    if (i > 0) lines[0] = `${indent}${leadingAnd ? '&& ' : ''}${lines[0].trimStart()}`;
    if (i < parts.length - 1) lines[lines.length - 1] += leadingAnd ? ` ${esc}` : ` && ${esc}`;
    merged.push(...lines);
  });
  merged[0] = [keyword, ...flags, merged[0].trimStart()].join(' ');
  out.push(...merged);
  const last = group[group.length - 1];
  return {
    range: { start: { line: group[0].line, character: 0 }, end: { line: last.endLine, character: ctx.lines[last.endLine].length } },
    newText: out.join(ctx.eol),
  };
}

/** The comment lines between two instructions, kept in order (blank lines dropped). */
function commentsBetween(ctx: RuleContext, a: ResolvedInstruction, b: ResolvedInstruction): string[] {
  return ctx.lines.slice(a.endLine + 1, b.line).filter((l) => l.trim() !== '');
}
