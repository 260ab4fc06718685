/**
 * The placeholder while the context is scanned, and the findings a scan adds (stopped early, problem paths).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeDockerfile } from '../../server/src/core/analyze';
import { hintLabel } from '../../server/src/core/present';
import { contextFindings, markSizing } from '../../server/src/context/findings';
import type { ContextIndex } from '../../server/src/core/context';
import { EOLS, contextEntries, dockerfile } from '../helpers';

const OPTIONS = { builder: 'buildkit' as const, buildArgs: {} };
const LINES = ['FROM alpine AS base', 'RUN true', 'FROM alpine', 'COPY --from=base /etc/x /x', 'COPY app.txt /app/'];

for (const { name, eol } of EOLS) {
  test(`markSizing (${name}): only COPY/ADD from the context say sizing…`, () => {
    const analysis = markSizing(analyzeDockerfile(dockerfile(LINES, eol), OPTIONS));
    const labels = analysis.steps.map((s) => hintLabel(s, analysis));
    assert.equal(labels[4], '+ layer · sizing…');
    assert.doesNotMatch(labels[3], /sizing/);
    assert.doesNotMatch(labels[1], /sizing/);
  });

  test(`contextFindings (${name}): incomplete and problems on the first COPY from the context`, () => {
    const index: ContextIndex = {
      root: '/ctx', entries: new Map(), ignoreFile: null, archives: new Map(), incomplete: 'The scan stopped.',
      problems: [{ path: 'loop', message: 'symlink loop (-> loop)' }],
    };
    const analysis = contextFindings(analyzeDockerfile(dockerfile(LINES, eol), OPTIONS, index), index);
    const added = analysis.findings.filter((f) => f.code.startsWith('context-'));
    assert.deepEqual(added.map((f) => [f.code, f.severity, f.line]), [['context-incomplete', 'info', 4], ['context-problems', 'warning', 4]]);
    assert.match(added[1].message, /loop: symlink loop/);
  });
}

test('contextFindings: problems of paths the ignore file excludes are not reported, for both builders', () => {
  const entries = contextEntries({ 'ignored/': null, 'ignored/loop': 'loop', 'kept/': null, 'kept/pipe': 0, 'app.txt': 3 });
  const problems = [{ path: 'ignored/loop', message: 'symlink loop (-> loop)' }, { path: 'kept/pipe', message: 'a FIFO' }];
  const index: ContextIndex = { root: '/ctx', entries, ignoreFile: { name: '.dockerignore', text: 'ignored\n' }, archives: new Map(), problems };
  for (const builder of ['buildkit', 'legacy'] as const) {
    const analysis = contextFindings(analyzeDockerfile(dockerfile(LINES, '\n'), { builder, buildArgs: {} }, index), index);
    const messages = analysis.findings.filter((f) => f.code === 'context-problems').map((f) => f.message);
    assert.equal(messages.length, 1, builder);
    assert.match(messages[0], /kept\/pipe: a FIFO/);
    assert.doesNotMatch(messages[0], /ignored\/loop/);
  }
  const none = { ...index, problems: problems.slice(0, 1) };
  assert.equal(contextFindings(analyzeDockerfile(dockerfile(LINES, '\n'), OPTIONS, none), none).findings.some((f) => f.code === 'context-problems'), false);
});
