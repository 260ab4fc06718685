/**
 * Test helpers for the layer rules and their fixes: run on LF and CRLF, compare findings by line and code,
 * and compare a fixed file line by line.
 */
import assert from 'node:assert/strict';
import { analyzeWithFixes } from '../../../server/src/core/analyze';
import { fixEverything } from '../../../server/src/core/fixes/actions';
import { applyEdits } from '../../../server/src/core/fixes/edits';
import type { Builder } from '../../../server/src/core/types';
import { EOLS, dockerfile } from '../../helpers';

/** Checks that exactly `expected` ([1-based line, code]) findings of `codes` come out, for LF and CRLF. */
export function checkFindings(lines: string[], codes: string[], expected: Array<[number, string]>, builder: Builder = 'buildkit'): void {
  for (const { name, eol } of EOLS) {
    const { analysis } = analyzeWithFixes(dockerfile(lines, eol), { builder, buildArgs: {} });
    const got = analysis.findings.filter((f) => codes.includes(f.code)).map((f) => [f.line + 1, f.code]);
    assert.deepEqual(got, expected, `${name}: findings`);
  }
}

/** Checks the text after one pass of every `code` fix (null: no fix offered), for LF and CRLF. */
export function checkFix(lines: string[], code: string, fixed: string[] | null, builder: Builder = 'buildkit'): void {
  for (const { name, eol } of EOLS) {
    const text = dockerfile(lines, eol);
    const { hits } = analyzeWithFixes(text, { builder, buildArgs: {} });
    const { edits } = fixEverything(hits, [code]);
    if (fixed === null) {
      assert.ok(hits.some((h) => h.finding.code === code), `${name}: the finding is reported`);
      assert.equal(edits.length, 0, `${name}: no fix offered, got ${JSON.stringify(edits)}`);
    } else {
      assert.equal(applyEdits(text, edits), dockerfile(fixed, eol), `${name}: fixed text`);
    }
  }
}

/** The titles of the fixes of `code` for `lines` (LF). */
export function fixTitles(lines: string[], code: string): string[] {
  const { hits } = analyzeWithFixes(lines.join('\n'), { builder: 'buildkit', buildArgs: {} });
  return [...new Set(hits.filter((h) => h.finding.code === code && h.fix !== null).map((h) => h.fix!.title))];
}
