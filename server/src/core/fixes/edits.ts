/**
 * Text edits as plain data (0-based lines, UTF-16 columns, like LSP) and the arithmetic to apply and
 * combine them. Fix producers return these; adapters turn them into workspace edits or rewritten files.
 */
import { LINE_BREAK } from '../lines';

/** A position in the text: 0-based line and 0-based UTF-16 column. */
export interface TextPosition {
  line: number;
  character: number;
}

/** Replaces the text between `start` (inclusive) and `end` (exclusive) with `newText`. */
export interface TextEdit {
  range: { start: TextPosition; end: TextPosition };
  newText: string;
}

/** A quick fix: what it does and saves (`title`), the finding code it fixes, and its edits. */
export interface Fix {
  code: string;
  title: string;
  edits: TextEdit[];
}

/** Where each line starts and its text ends, with \r\n, \n and a lone \r as line breaks (as in LSP). */
function lineStarts(text: string): { start: number; end: number }[] {
  const lines: { start: number; end: number }[] = [];
  const re = new RegExp(LINE_BREAK.source, 'g');
  let start = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    lines.push({ start, end: m.index });
    start = m.index + m[0].length;
  }
  lines.push({ start, end: text.length });
  return lines;
}

function offsetOf(lines: { start: number; end: number }[], text: string, p: TextPosition): number {
  if (p.line >= lines.length) return text.length;
  return Math.min(lines[p.line].start + p.character, lines[p.line].end);
}

/** Applies non-overlapping edits to `text`; inserts at the same position keep their order. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const starts = lineStarts(text);
  const located = edits.map((e, order) => ({ e, order, from: offsetOf(starts, text, e.range.start), to: offsetOf(starts, text, e.range.end) }));
  located.sort((a, b) => b.from - a.from || b.order - a.order);
  let out = text;
  for (const { e, from, to } of located) out = out.slice(0, from) + e.newText + out.slice(to);
  return out;
}

function before(a: TextPosition, b: TextPosition): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

function overlaps(a: TextEdit, b: TextEdit): boolean {
  return before(a.range.start, b.range.end) && before(b.range.start, a.range.end);
}

/**
 * The edits of several fixes as one list: a fix whose edits overlap an already accepted fix is left out
 * (it can be applied after the others, on the new text). Identical edits are kept once.
 */
export function combineFixes(fixes: Fix[]): { edits: TextEdit[]; applied: Fix[] } {
  const edits: TextEdit[] = [];
  const applied: Fix[] = [];
  const seen = new Set<string>();
  for (const fix of fixes) {
    const fresh = fix.edits.filter((e) => !seen.has(JSON.stringify(e)));
    if (fresh.length === 0) continue;
    if (fresh.some((e) => edits.some((d) => overlaps(e, d)))) continue;
    for (const e of fresh) {
      seen.add(JSON.stringify(e));
      edits.push(e);
    }
    applied.push(fix);
  }
  return { edits, applied };
}
