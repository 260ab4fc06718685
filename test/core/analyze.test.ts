import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeDockerfile, MAX_ANALYZED_LINE } from '../../server/src/core/analyze';
import type { Builder } from '../../server/src/core/types';
import { EOLS, dockerfile } from '../helpers';

const MULTI = [
  'ARG V=1',
  'FROM alpine AS deps', 'RUN touch /deps',
  'FROM deps AS build', 'RUN touch /build', 'WORKDIR /w',
  'FROM alpine AS lint', 'RUN touch /lint',
  'FROM build AS final', 'COPY --from=deps /deps /d', 'ENV A=1', 'RUN mystery',
];

function analyze(lines: string[], builder: Builder, eol: string, target?: string) {
  return analyzeDockerfile(dockerfile(lines, eol), { builder, target, buildArgs: {} });
}

test('stage summaries: in target, in final image, built, per builder', () => {
  for (const { eol } of EOLS) {
    const bk = analyze(MULTI, 'buildkit', eol);
    assert.equal(bk.target, 3);
    assert.deepEqual(bk.stages.map((s) => [s.name, s.inTarget, s.inFinalImage, s.built]), [
      ['deps', true, true, true], ['build', true, true, true], ['lint', false, false, false], ['final', true, true, true],
    ]);
    const legacy = analyze(MULTI, 'legacy', eol);
    assert.deepEqual(legacy.stages.map((s) => s.built), [true, true, true, true]);
    const lint = analyze(MULTI, 'buildkit', eol, 'lint');
    assert.equal(lint.target, 2);
    assert.deepEqual(lint.stages.map((s) => s.built), [false, false, true, false]);
  }
});

test('totals count final-image layers only, with maybes apart', () => {
  for (const { eol } of EOLS) {
    const t = analyze(MULTI, 'buildkit', eol).totals;
    assert.deepEqual({ layers: t.layers, maybeLayers: t.maybeLayers, bytes: t.bytes, imageBytes: t.imageBytes, base: t.base?.ref }, { layers: 5, maybeLayers: 0, bytes: null, imageBytes: null, base: 'alpine' });
    // Legacy: WORKDIR /w in a non-scratch stage and `mystery` are maybes.
    const l = analyze(MULTI, 'legacy', eol).totals;
    assert.deepEqual({ layers: l.layers, maybeLayers: l.maybeLayers, bytes: l.bytes }, { layers: 3, maybeLayers: 2, bytes: null });
    const none = analyze(['FROM alpine', 'ENV A=1'], 'buildkit', eol).totals;
    assert.deepEqual({ layers: none.layers, maybeLayers: none.maybeLayers, bytes: none.bytes }, { layers: 0, maybeLayers: 0, bytes: 0 });
  }
});

test('one step per instruction, in file order, lines inside the file', () => {
  for (const { eol } of EOLS) {
    const a = analyze(MULTI, 'buildkit', eol);
    assert.deepEqual(a.steps.map((s) => s.line), MULTI.map((_, i) => i));
    assert.equal(a.steps[0].stage, null);
    assert.deepEqual(a.steps.map((s) => s.keyword).slice(0, 3), ['ARG', 'FROM', 'RUN']);
    assert.equal(a.steps[4].summary, 'RUN touch /build');
    for (const s of a.steps) assert.equal(s.cache.status, 'unknown');
  }
});

test('an unknown target is a finding and falls back to the last stage', () => {
  const a = analyzeDockerfile('FROM a AS one\nFROM b AS two', { builder: 'buildkit', target: 'nope', buildArgs: {} });
  assert.equal(a.target, 1);
  assert.equal(a.findings[0].code, 'unknown-target');
  assert.match(a.findings[0].message, /stages: one, two/);
});

test('empty and garbage input give empty results, never a throw', () => {
  for (const text of ['', '\n\n', '\u0000\u0001binary\u00ff', 'RUN', '\\\n\\', 'FROM']) {
    const a = analyzeDockerfile(text, { builder: 'legacy', buildArgs: {} });
    assert.ok(Array.isArray(a.steps));
  }
});

test('a line over the limit is refused by its line number, whatever the line breaks', () => {
  const long = `RUN echo ${'x'.repeat(MAX_ANALYZED_LINE)}`;
  for (const eol of [...EOLS.map((e) => e.eol), '\r']) {
    const a = analyzeDockerfile(['FROM alpine', 'RUN true', long].join(eol), { builder: 'buildkit', buildArgs: {} });
    assert.deepEqual(a.findings.map((f) => f.code), ['too-large']);
    assert.match(a.findings[0].message, new RegExp(`^Line 3 has ${long.length} characters`), JSON.stringify(eol));
  }
});
