/**
 * Build logs -> cache results per Dockerfile line, with logs as Engine 20.10 printed them for both builders.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeDockerfile } from '../../server/src/core/analyze';
import { parseCacheResults } from '../../server/src/docker/buildLog';
import type { Builder } from '../../server/src/core/types';

const DOCKERFILE = [
  'ARG V=1', 'FROM dl-test/busybox:1 AS base', 'RUN echo base > /b.txt', 'FROM base AS final', 'ENV X=$V', 'WORKDIR /',
  'COPY a.txt /a.txt', 'WORKDIR /app', 'COPY big.bin ./', 'RUN echo x > /dev/null', 'CMD ["sh"]',
].join('\n');

function check(builder: Builder, log: string[], expected: Record<number, 'hit' | 'miss'>, text = DOCKERFILE): void {
  const analysis = analyzeDockerfile(text, { builder, buildArgs: {} });
  assert.deepEqual(Object.fromEntries(parseCacheResults(log.join('\n'), analysis)), expected);
}

test('BuildKit: steps map by stage label and order, WORKDIR / has no step, CACHED marks hits', () => {
  check('buildkit', [
    '#4 [base 1/2] FROM dl-test/busybox:1', '#4 CACHED', '#5 [base 2/2] RUN echo base > /b.txt', '#5 CACHED',
    '#9 [final 3/5] COPY big.bin ./', '#7 [final 1/5] COPY a.txt /a.txt', '#7 CACHED', '#8 [final 2/5] WORKDIR /app', '#8 CACHED',
    '#9 DONE 0.0s', '#10 [final 4/5] RUN echo x > /dev/null', '#10 DONE 0.7s',
  ], { 2: 'hit', 6: 'hit', 7: 'hit', 8: 'miss', 9: 'miss' });
});

test('BuildKit: a single-stage file has no label; unnamed stages are stage-N', () => {
  check('buildkit', ['#4 [1/3] FROM x', '#5 [2/3] RUN echo 1', '#5 CACHED', '#7 [3/3] COPY a.txt /'], { 1: 'hit', 2: 'miss' },
    'FROM x\nRUN echo 1\nCOPY a.txt /\n');
  check('buildkit', ['#5 [stage-0 2/2] RUN a', '#5 CACHED', '#6 [stage-1 2/2] RUN b'], { 1: 'hit', 3: 'miss' },
    'FROM x\nRUN a\nFROM y\nRUN b\n');
});

test('legacy: Step i counts every instruction, global ARG and FROM are not steps, Using cache marks hits', () => {
  check('legacy', [
    'Step 1/11 : ARG V=1', 'Step 2/11 : FROM dl-test/busybox:1 AS base', ' ---> bf4674ffc213',
    'Step 3/11 : RUN echo base > /b.txt', ' ---> Using cache', ' ---> bd54655cf57b', 'Step 4/11 : FROM base AS final',
    'Step 5/11 : ENV X=$V', ' ---> Using cache', 'Step 6/11 : WORKDIR /', ' ---> Running in d1ce', 'Step 7/11 : COPY a.txt /a.txt',
  ], { 2: 'hit', 4: 'hit', 5: 'miss', 6: 'miss' });
});

test('a log for another file (keywords differ) marks nothing', () => {
  check('legacy', ['Step 3/11 : COPY x /x', ' ---> Using cache'], {});
});
