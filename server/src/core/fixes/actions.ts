/**
 * Rule hits -> the fixes users can pick: the fixes for the lines asked about, and "fix all of this kind
 * in the file". Plain data; the LSP adapter turns these into code actions, the CLI into a diff.
 */
import type { AnalysisOptions, Finding } from '../types';
import { analyzeWithFixes } from '../analyze';
import type { RuleHit } from '../rules/context';
import { applyEdits, combineFixes, type Fix, type TextEdit } from './edits';
import { splitLines } from '../lines';

/** One offer: a single fix, or all fixes of one code in the file. */
export interface FixAction {
  title: string;
  /** `quickfix` for one finding's fix; `fixAll` for all fixes of one code; `source` for every fix in the file. */
  kind: 'quickfix' | 'fixAll' | 'source';
  code: string;
  edits: TextEdit[];
  /** The findings this action resolves. */
  findings: Finding[];
}

/** The fixes for hits whose lines meet `line`..`endLine` (0-based), then one fix-all per code with several fixes. */
export function fixActions(hits: RuleHit[], line: number, endLine: number): FixAction[] {
  const near = hits.filter((h) => h.fix !== null && h.span.line <= endLine && h.span.endLine >= line);
  const single = new Map<string, FixAction>();
  for (const h of near) {
    const fix = h.fix as Fix;
    const key = JSON.stringify(fix.edits);
    const known = single.get(key);
    if (known !== undefined) known.findings.push(h.finding);
    else single.set(key, { title: fix.title, kind: 'quickfix', code: fix.code, edits: fix.edits, findings: [h.finding] });
  }
  const all: FixAction[] = [];
  for (const code of new Set(near.map((h) => h.finding.code))) {
    const action = fixAllAction(hits, code);
    if (action !== null && action.findings.length > 0 && distinctFixes(hits, code) > 1) all.push(action);
  }
  return [...single.values(), ...all];
}

function distinctFixes(hits: RuleHit[], code: string): number {
  return new Set(hits.filter((h) => h.fix !== null && h.finding.code === code).map((h) => JSON.stringify(h.fix?.edits))).size;
}

/** All fixes of `code` in the file as one action (overlapping ones left for a second run); null if none. */
export function fixAllAction(hits: RuleHit[], code: string): FixAction | null {
  const withFix = hits.filter((h) => h.fix !== null && h.finding.code === code);
  if (withFix.length === 0) return null;
  const { edits, applied } = combineFixes(withFix.map((h) => h.fix as Fix));
  const appliedKeys = new Set(applied.map((f) => JSON.stringify(f.edits)));
  const findings = withFix.filter((h) => appliedKeys.has(JSON.stringify(h.fix?.edits))).map((h) => h.finding);
  return { title: `Fix all ${code} problems in this file (${applied.length} ${applied.length === 1 ? 'fix' : 'fixes'})`, kind: 'fixAll', code, edits, findings };
}

/** Every fix in the file, optionally only those of `codes`, as one list of non-overlapping edits. */
export function fixEverything(hits: RuleHit[], codes: string[] = []): { edits: TextEdit[]; applied: Fix[] } {
  const chosen = hits.filter((h) => h.fix !== null && (codes.length === 0 || codes.includes(h.finding.code)));
  return combineFixes(chosen.map((h) => h.fix as Fix));
}

/** The layer rules' hits for `text` (with their fixes); empty when the analysis fails on a parser bug. */
export function fixableHits(text: string, options: AnalysisOptions): RuleHit[] {
  try {
    return analyzeWithFixes(text, options).hits;
  } catch {
    return [];
  }
}

/** At most this many passes: each pass applies every fix that does not overlap another one. */
const MAX_PASSES = 10;

/**
 * Applies every fix (of `codes`, or all) pass after pass until none is left, so fixes that overlapped in
 * one pass (a merge and a cache fix on the same RUN) are applied too; returns the text and fixes applied.
 */
export function fixRepeatedly(text: string, options: AnalysisOptions, codes: string[] = []): { text: string; applied: Fix[] } {
  const applied: Fix[] = [];
  let current = text;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const { edits, applied: now } = fixEverything(fixableHits(current, options), codes);
    if (edits.length === 0) break;
    current = applyEdits(current, edits);
    applied.push(...now);
  }
  return { text: current, applied };
}

/** One edit that replaces the whole of `text` with `replacement`. */
export function replaceAll(text: string, replacement: string): TextEdit {
  const lines = splitLines(text);
  return { range: { start: { line: 0, character: 0 }, end: { line: lines.length - 1, character: lines[lines.length - 1].length } }, newText: replacement };
}

/** Every fix in the file as one whole-document edit (the `source.fixAll` action); null when nothing is fixable. */
export function sourceFixAll(text: string, options: AnalysisOptions): FixAction | null {
  const all = fixRepeatedly(text, options);
  if (all.applied.length === 0) return null;
  return { title: `Fix all layer problems in this file (${all.applied.length} fixes)`, kind: 'source', code: '', edits: [replaceAll(text, all.text)], findings: [] };
}
