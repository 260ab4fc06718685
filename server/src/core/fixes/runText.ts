/**
 * The raw text of RUN steps as fixes need it: the command lines as written (continuations kept), a coarse
 * scan of the script's top-level syntax, and edits that append a command or insert a flag. Everything here
 * refuses (returns null) rather than guess: a fix is only offered when its edit is certain.
 */
import type { ResolvedInstruction } from '../stages';
import type { RuleContext } from '../rules/context';
import type { TextEdit, TextPosition } from './edits';
import { splitCommands, type SimpleCommand } from '../shell';

/** What a script uses at its top level, as far as merging and appending commands care. */
export interface ScriptScan {
  /** Separators between commands: `&&`, `||`, `;`, `|`, `&`, newline. */
  separators: Set<string>;
  /** A `#` comment: text appended after it would be commented out. */
  comment: boolean;
  /** Parentheses, braces, backticks or `$(`: grouping the scan does not follow. */
  grouping: boolean;
}

/** Results per script text: rules ask the same questions of each RUN several times. */
const MEMO_LIMIT = 4096;
const scans = new Map<string, ScriptScan>();
const commandLists = new Map<string, SimpleCommand[]>();

function memo<T>(cache: Map<string, T>, key: string, compute: (k: string) => T): T {
  let value = cache.get(key);
  if (value === undefined) {
    if (cache.size >= MEMO_LIMIT) cache.clear();
    value = compute(key);
    cache.set(key, value);
  }
  return value;
}

/** `splitCommands(script)`, remembered per script text (callers must not change the result). */
export function commandsOf(script: string): SimpleCommand[] {
  return memo(commandLists, script, splitCommands);
}

/** Scans a shell script outside quotes (remembered per script text). */
export function scanScript(script: string): ScriptScan {
  return memo(scans, script, scan);
}

/** Written by hand because only these few facts are needed, not a shell parser. */
function scan(script: string): ScriptScan {
  const result: ScriptScan = { separators: new Set(), comment: false, grouping: false };
  let wordStart = true;
  for (let i = 0; i < script.length; i++) {
    const c = script[i];
    if (c === '\\') {
      i++;
      wordStart = false;
    } else if (c === "'" || c === '"') {
      const close = script.indexOf(c, i + 1);
      if (c === '"' && /`|\$\(/.test(script.slice(i, close < 0 ? undefined : close))) result.grouping = true;
      i = close < 0 ? script.length : close;
      wordStart = false;
    } else if (c === '#' && wordStart) {
      result.comment = true;
      return result;
    } else if (c === '&' || c === '|' || c === ';' || c === '\n') {
      const two = script.slice(i, i + 2);
      if (two === '&&' || two === '||' || two === ';;') i++;
      if (!(c === '&' && /[<>]/.test(script[i - 1] ?? '')) && !(c === '&' && script[i + 1] === '>')) result.separators.add(two === '&&' || two === '||' ? two : c);
      wordStart = true;
    } else if (c === '(' || c === ')' || c === '{' || c === '}' || c === '`' || (c === '$' && script[i + 1] === '(')) {
      result.grouping = true;
      wordStart = true;
    } else {
      wordStart = c === ' ' || c === '\t' || c === '\n' || c === '<' || c === '>';
    }
  }
  return result;
}

/**
 * The command text of a shell-form RUN without heredocs, line by line as written: the first line without
 * keyword and flags, continuation and comment lines kept, trailing blanks of the last line removed. Null
 * when the text cannot be taken apart with certainty (checked by joining it back to the parsed arguments).
 */
export function runBody(ctx: RuleContext, ins: ResolvedInstruction): string[] | null {
  if (ins.keyword !== 'RUN' || ins.form !== 'shell' || ins.heredocs.length > 0) return null;
  let first = ctx.lines[ins.line].replace(/^\s*\S+\s*/, '');
  for (let i = 0; i < ins.flags.length; i++) first = first.replace(/^--\S*\s*/, '');
  const body = [first, ...ctx.lines.slice(ins.line + 1, ins.endLine + 1)];
  body[body.length - 1] = body[body.length - 1].trimEnd();
  if (first.trim() === '' || first.trim() === ctx.escape) return null;
  return joinBody(body, ctx.escape) === ins.args ? body : null;
}

/** Joins body lines as the builder does: continuations removed, comment and blank lines dropped. */
function joinBody(body: string[], escape: string): string {
  let text = '';
  for (let i = 0; i < body.length; i++) {
    if (i > 0 && /^\s*(#|$)/.test(body[i])) continue;
    const trimmed = body[i].replace(/\s+$/, '');
    if (trimmed.endsWith(escape) && i < body.length - 1) text += trimmed.slice(0, -1);
    else return (text + body[i]).trim();
  }
  return text.trim();
}

/** Where a RUN's text ends: after the last non-blank character of its last line. */
export function endOfInstruction(ctx: RuleContext, ins: ResolvedInstruction): TextPosition {
  return { line: ins.endLine, character: ctx.lines[ins.endLine].trimEnd().length };
}

/**
 * An edit that appends `command` to a shell-form RUN as `... && command` on a continuation line, in the
 * file's style; null when the RUN's text is not certain or ends in a shell comment.
 */
export function appendCommand(ctx: RuleContext, ins: ResolvedInstruction, command: string): TextEdit | null {
  const body = runBody(ctx, ins);
  if (body === null || scanScript(ins.args).comment) return null;
  const at = endOfInstruction(ctx, ins);
  const { indent, leadingAnd } = ctx.style;
  const newText = leadingAnd
    ? ` ${ctx.escape}${ctx.eol}${indent}&& ${command}`
    : ` && ${ctx.escape}${ctx.eol}${indent}${command}`;
  return { range: { start: at, end: at }, newText };
}

/**
 * Edits that insert ` flag` after each match of `pattern` (a global regex ending where the flag goes) in a
 * RUN's raw lines; null unless there are exactly `expected` matches, all on the RUN's own lines.
 */
export function insertAfterMatches(ctx: RuleContext, ins: ResolvedInstruction, pattern: RegExp, flag: string, expected: number): TextEdit[] | null {
  const body = runBody(ctx, ins);
  if (body === null || expected === 0) return null;
  const edits: TextEdit[] = [];
  for (let l = ins.line; l <= ins.endLine; l++) {
    if (l > ins.line && /^\s*#/.test(ctx.lines[l])) continue;
    for (const m of ctx.lines[l].matchAll(pattern)) {
      const at = { line: l, character: (m.index ?? 0) + m[0].length };
      edits.push({ range: { start: at, end: at }, newText: ` ${flag}` });
    }
  }
  return edits.length === expected ? edits : null;
}

/** Quotes a word for sh when it needs it; glob characters are quoted too (use `globWord` to keep them). */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A path word written so that `*` and `?` still glob; null when it holds anything that would need quotes. */
export function globWord(word: string): string | null {
  return /^[A-Za-z0-9_./:=@%+,*?~-]+$/.test(word) ? word : null;
}

/** The edit that deletes whole instruction lines (with their line break). */
export function deleteInstruction(ctx: RuleContext, ins: ResolvedInstruction): TextEdit {
  if (ins.endLine + 1 < ctx.lines.length) {
    return { range: { start: { line: ins.line, character: 0 }, end: { line: ins.endLine + 1, character: 0 } }, newText: '' };
  }
  const prev = ins.line - 1;
  const start = prev >= 0 ? { line: prev, character: ctx.lines[prev].length } : { line: ins.line, character: 0 };
  return { range: { start, end: { line: ins.endLine, character: ctx.lines[ins.endLine].length } }, newText: '' };
}
