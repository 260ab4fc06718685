/**
 * Dockerfile text -> plain instruction model, on top of dockerfile-ast. Only this file knows that library.
 */
import { DockerfileParser, Instruction, Heredoc, Flag } from 'dockerfile-ast';
import type { Directives, Finding, FlagModel, HeredocModel, InstructionModel } from './types';
import { splitWords } from './variables';
import { splitLines } from './lines';

/** Instructions the builders know. ONBUILD triggers use the same set minus ONBUILD, FROM and MAINTAINER. */
export const KNOWN_KEYWORDS = new Set([
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL', 'MAINTAINER',
  'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
]);

const EXEC_FORM_KEYWORDS = new Set(['RUN', 'CMD', 'ENTRYPOINT', 'SHELL', 'COPY', 'ADD', 'VOLUME']);

/** The parsed text: directives, instructions in file order (stage not yet assigned), and parse findings. */
export interface ParsedDockerfile {
  directives: Directives;
  instructions: InstructionModel[];
  findings: Finding[];
}

/** Parses Dockerfile text (LF or CRLF) into plain instruction models; never throws. */
export function parseDockerfile(text: string): ParsedDockerfile {
  const ast = DockerfileParser.parse(text);
  const escape = ast.getEscapeCharacter();
  const directives: Directives = { escape, syntax: null, check: null };
  for (const d of ast.getDirectives()) {
    const name = d.getName().toLowerCase();
    if (name === 'syntax') directives.syntax = d.getValue();
    else if (name === 'check') directives.check = d.getValue();
  }
  const findings: Finding[] = [];
  const lines = splitLines(text);
  const instructions = ast.getInstructions().map((i) => toModel(i, escape, lines, findings));
  return { directives, instructions, findings };
}

function toModel(ins: Instruction, escape: string, lines: string[], findings: Finding[]): InstructionModel {
  const range = ins.getRange();
  const keyword = ins.getKeyword();
  const heredocs = readHeredocs(ins, lines);
  const text = argumentText(ins, range, lines, escape, heredocs.length > 0);
  // Flags come first: without a leading `--` there are none, and asking dockerfile-ast for them re-reads the
  // arguments (a quarter of the analysis time of a 200-line file).
  const flags = text.startsWith('--') ? readFlags(ins) : [];
  let args = text;
  for (let i = 0; i < flags.length; i++) args = args.replace(/^--\S*\s*/, '');
  const model: InstructionModel = {
    keyword,
    line: range.start.line,
    endLine: range.end.line,
    endColumn: range.end.character,
    args,
    words: [],
    flags,
    form: 'shell',
    heredocs,
    stage: null,
  };
  const exec = EXEC_FORM_KEYWORDS.has(keyword) ? parseExecForm(args) : null;
  if (exec !== null) {
    model.form = 'exec';
    model.words = exec;
  } else {
    model.words = splitWords(args, escape);
  }
  if (keyword === 'ONBUILD') model.trigger = (model.words[0] ?? '').toUpperCase();
  checkInstruction(model, findings);
  return model;
}

/**
 * The argument text as the builders see it: continuation lines joined (escape and newline removed), comment
 * and empty lines inside continuations dropped even when indented, flags kept. For heredoc instructions
 * only the first line counts (the bodies are separate). dockerfile-ast keeps indented comments, so this
 * reads the raw lines itself.
 */
function argumentText(ins: Instruction, range: { start: { line: number }; end: { line: number } }, lines: string[], escape: string, hasHeredoc: boolean): string {
  const keywordEnd = ins.getInstructionRange().end.character;
  let text = '';
  for (let l = range.start.line; l <= range.end.line; l++) {
    let line = lines[l] ?? '';
    if (l === range.start.line) line = line.slice(keywordEnd);
    else if (/^\s*(#|$)/.test(line)) continue;
    const trimmed = line.replace(/\s+$/, '');
    if (!hasHeredoc && trimmed.endsWith(escape) && l < range.end.line) {
      text += trimmed.slice(0, -1);
    } else {
      text += line;
      if (hasHeredoc || l === range.end.line) break;
    }
  }
  return text.trim();
}

function readFlags(ins: Instruction): FlagModel[] {
  const withFlags = ins as unknown as { getFlags?: () => Flag[] };
  if (typeof withFlags.getFlags !== 'function') return [];
  return withFlags.getFlags().map((f) => ({ name: f.getName(), value: f.getValue() }));
}

/** Reads heredocs of RUN, COPY and ADD; `lines` is the file's text by line (empty when it has no `<<`). */
function readHeredocs(ins: Instruction, lines: string[]): HeredocModel[] {
  const keyword = ins.getKeyword();
  if (lines.length === 0 || (keyword !== 'RUN' && keyword !== 'COPY' && keyword !== 'ADD')) return [];
  // A heredoc needs `<<`: skipping the others saves dockerfile-ast re-reading their arguments.
  if (!ins.getTextContent().includes('<')) return [];
  const getter = (ins as unknown as { getHeredocs: () => Heredoc[] }).getHeredocs;
  let heredocs: Heredoc[];
  try {
    heredocs = getter.call(ins);
  } catch {
    // dockerfile-ast 0.7 throws on some malformed heredoc lines (it reads past its own list): no heredocs then.
    return [];
  }
  return heredocs.map((h) => {
    const content = h.getContentRange();
    const body = content === null ? '' : lines.slice(content.start.line, content.end.line + 1).join('\n');
    return { name: h.getName(), body, terminated: h.getDelimiterRange() !== null };
  });
}

/** Parses a JSON array of strings the way the builders do; anything else means shell form. */
function parseExecForm(args: string): string[] | null {
  const trimmed = args.trim();
  if (!trimmed.startsWith('[') || !trimmed.endsWith(']')) return null;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    if (Array.isArray(parsed) && parsed.every((v) => typeof v === 'string')) return parsed as string[];
  } catch {
    // Not valid JSON: the builders then run it as a shell command.
  }
  return null;
}

function checkInstruction(m: InstructionModel, findings: Finding[]): void {
  const at = { line: m.line, endLine: m.endLine };
  if (!KNOWN_KEYWORDS.has(m.keyword)) {
    findings.push({ code: 'unknown-instruction', severity: 'error', message: `Unknown instruction ${m.keyword}: the build fails here.`, ...at });
    return;
  }
  if (m.args.trim() === '' && m.heredocs.length === 0 && m.keyword !== 'CMD' && m.keyword !== 'ENTRYPOINT') {
    findings.push({ code: 'missing-arguments', severity: 'error', message: `${m.keyword} needs arguments: the build fails here.`, ...at });
  }
  for (const h of m.heredocs) {
    if (!h.terminated) {
      findings.push({ code: 'unterminated-heredoc', severity: 'error', message: `Heredoc <<${h.name} is never closed by a line "${h.name}": the build fails.`, ...at });
    }
  }
  if (m.keyword === 'ONBUILD' && (m.trigger === 'ONBUILD' || m.trigger === 'FROM' || m.trigger === 'MAINTAINER')) {
    findings.push({ code: 'invalid-onbuild', severity: 'error', message: `ONBUILD ${m.trigger} is not allowed: the build fails here.`, ...at });
  }
}

/** A flag as written in the Dockerfile: `--name` or `--name=value`. */
export function flagText(f: FlagModel): string {
  return f.value === null ? `--${f.name}` : `--${f.name}=${f.value}`;
}
