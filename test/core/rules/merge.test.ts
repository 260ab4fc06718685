import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkFindings, checkFix, fixTitles } from './check';
import { needsSubshell } from '../../../server/src/core/fixes/merge';
import { analyzeWithFixes } from '../../../server/src/core/analyze';
import { applyEdits } from '../../../server/src/core/fixes/edits';

const MERGE = ['merge-runs'];

test('merge-runs: consecutive RUNs, also across comments and blank lines', () => {
  checkFindings(['FROM a', 'RUN touch /a', 'RUN touch /b'], MERGE, [[3, 'merge-runs']]);
  checkFindings(['FROM a', 'RUN touch /a', '# why b', '', 'RUN touch /b', 'RUN touch /c'], MERGE, [[5, 'merge-runs'], [6, 'merge-runs']]);
  checkFindings(['FROM a', 'RUN touch /a \\', '  # inside', '', '  && touch /x', 'RUN touch /b'], MERGE, [[6, 'merge-runs']]);
});

test('merge-runs: not across other instructions, stages, different flags, heredocs or a custom SHELL', () => {
  checkFindings(['FROM a', 'RUN touch /a', 'ENV X=1', 'RUN touch /b'], MERGE, []);
  checkFindings(['FROM a', 'RUN touch /a', 'FROM b', 'RUN touch /b'], MERGE, []);
  checkFindings(['FROM a', 'RUN --mount=type=cache,target=/c touch /a', 'RUN touch /b'], MERGE, []);
  checkFindings(['FROM a', 'RUN --network=none touch /a', 'RUN --network=host touch /b'], MERGE, []);
  checkFindings(['FROM a', 'RUN --security=insecure touch /a', 'RUN touch /b'], MERGE, []);
  checkFindings(['FROM a', 'RUN --mount=type=cache,target=/c touch /a', 'RUN --mount=type=cache,target=/c touch /b'], MERGE, [[3, 'merge-runs']]);
  checkFindings(['FROM a', 'RUN <<EOF', 'touch /a', 'EOF', 'RUN touch /b'], MERGE, []);
  checkFindings(['FROM a', 'SHELL ["pwsh", "-c"]', 'RUN a', 'RUN b'], MERGE, []);
  checkFindings(['FROM a', 'RUN touch /a # note', 'RUN touch /b'], MERGE, []);
});

test('merge-runs: the legacy builder counts only RUNs that add layers', () => {
  checkFindings(['FROM a', 'RUN true', 'RUN echo hi'], MERGE, [[3, 'merge-runs']], 'buildkit');
  checkFindings(['FROM a', 'RUN true', 'RUN echo hi'], MERGE, [], 'legacy');
  checkFindings(['FROM a', 'RUN true', 'RUN touch /a', 'RUN touch /b'], MERGE, [[3, 'merge-runs'], [4, 'merge-runs']], 'legacy');
});

test('merge fix: && continuations, comments above, file style kept', () => {
  checkFix(['FROM a', 'RUN touch /a', '# b next', '', 'RUN touch /b', 'CMD x'], 'merge-runs', ['FROM a', '# b next', 'RUN touch /a && \\', '    touch /b', 'CMD x']);
  checkFix(['FROM a', 'RUN x \\', '  && y', 'RUN z'], 'merge-runs', ['FROM a', 'RUN x \\', '  && y \\', '  && z']);
  checkFix(['FROM a', 'RUN x && \\', '\ty', 'RUN z'], 'merge-runs', ['FROM a', 'RUN x && \\', '\ty && \\', '\tz']);
  checkFix(['FROM a', 'run --mount=type=cache,target=/c x', 'RUN --mount=type=cache,target=/c y'], 'merge-runs', ['FROM a', 'run --mount=type=cache,target=/c x && \\', '    y']);
  checkFix(['# escape=`', 'FROM a', 'RUN x', 'RUN y'], 'merge-runs', ['# escape=`', 'FROM a', 'RUN x && `', '    y']);
});

test('merge fix: state changes and separators that && would rebind run in a subshell', () => {
  checkFix(['FROM a', 'RUN cd /x', 'RUN make'], 'merge-runs', ['FROM a', 'RUN (cd /x) && \\', '    make']);
  checkFix(['FROM a', 'RUN export A=1', 'RUN echo $A > /f'], 'merge-runs', ['FROM a', 'RUN (export A=1) && \\', '    echo $A > /f']);
  checkFix(['FROM a', 'RUN false; touch /a', 'RUN b || c'], 'merge-runs', ['FROM a', 'RUN (false; touch /a) && \\', '    (b || c)']);
  checkFix(['FROM a', 'RUN (cd /x && make)', 'RUN y'], 'merge-runs', ['FROM a', 'RUN ( (cd /x && make)) && \\', '    y']);
  const cases: Array<[string, boolean]> = [
    ['touch /a && ls | wc -l', false], ['cd /x && make', true], ['set -e', true], ['umask 077', true], ['. /env', true],
    ['source /env', true], ['alias ll=ls', true], ['A=1', true], ['A=1 make', false], ['exit 0', true], ['a; b', true],
    ['a || b', true], ['a & b', true], ['echo "$(date)"', true], ['echo "cd x; y"', false], ['make 2>&1', false],
  ];
  for (const [script, expected] of cases) assert.equal(needsSubshell(script), expected, script);
});

test('merge fix: exec form is written as quoted shell words; sh -c takes its script', () => {
  checkFix(['FROM a', 'RUN ["touch", "/a b", "/it\'s"]', 'RUN ["/bin/sh", "-c", "cd /x && y"]'], 'merge-runs',
    ['FROM a', "RUN touch '/a b' '/it'\\''s' && \\", '    (cd /x && y)']);
});

test('merge fix: titles say how many layers it saves', () => {
  assert.deepEqual(fixTitles(['FROM a', 'RUN a', 'RUN b', 'RUN c'], 'merge-runs'), ['Merge 3 RUN steps (lines 2-4) into one: 2 layers fewer']);
});

test('merge fix: files with lone \\r line breaks are read like the parser reads them', () => {
  const text = 'FROM a\rRUN touch /a\rRUN touch /b\r';
  const { hits } = analyzeWithFixes(text, { builder: 'buildkit', buildArgs: {} });
  const fix = hits.find((h) => h.finding.code === 'merge-runs')?.fix;
  assert.ok(fix);
  assert.equal(applyEdits(text, fix.edits), 'FROM a\rRUN touch /a && \\\r    touch /b\r');
});

test('merge fix: plain parameter expansion in double quotes needs no subshell', () => {
  assert.equal(needsSubshell('touch "/w/name-${NAME:-unset}"'), false);
  assert.equal(needsSubshell('echo "`date`"'), true);
});
