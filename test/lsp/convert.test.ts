import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeDockerfile } from '../../server/src/core/analyze';
import { toDiagnostic, toHover, toInlayHint } from '../../server/src/lsp/convert';
import { EOLS, dockerfile } from '../helpers';

const PARTS = { layer: true, size: true, cache: true };

test('inlay hints sit at the end of the last line of each instruction', () => {
  for (const { eol } of EOLS) {
    const a = analyzeDockerfile(dockerfile(['FROM alpine', 'RUN echo a \\', '  && echo b', 'ENV A=1'], eol), { builder: 'buildkit', buildArgs: {} });
    const hints = a.steps.map((s) => toInlayHint(s, a, PARTS));
    assert.deepEqual(hints.map((h) => h && [h.position.line, h.position.character, h.label]), [
      [0, 11, 'stage · in final image'], [2, 11, '+ layer · ~0 B'], [3, 7, 'no layer · metadata'],
    ]);
    assert.equal(toInlayHint(a.steps[2], a, { layer: false, size: false, cache: false }), null);
    const hover = toHover(a.steps[1], a);
    assert.deepEqual(hover.range, { start: { line: 1, character: 0 }, end: { line: 2, character: 11 } });
  }
});

test('diagnostics carry code, severity and source', () => {
  const d = toDiagnostic({ code: 'x', severity: 'warning', message: 'm', line: 2, endLine: 3 });
  assert.equal(d.severity, 2);
  assert.equal(d.code, 'x');
  assert.equal(d.source, 'dockerfile-layers');
  assert.equal(d.range.start.line, 2);
});
