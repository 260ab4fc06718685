import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile } from '../../server/src/core/dockerfile';
import { finalImageStages, neededStages, resolveStages, resolveTarget } from '../../server/src/core/stages';
import { EOLS, dockerfile } from '../helpers';

function model(lines: string[], eol: string, buildArgs: Record<string, string> = {}) {
  return resolveStages(parseDockerfile(dockerfile(lines, eol)), buildArgs);
}

interface Want {
  stages: Array<{ name: string | null; base: string; baseStage: number | null; dependsOn: number[] }>;
  findings?: string[];
  /** target -> [needed stages, final-image stages] */
  targets?: Record<string, [number[], number[]]>;
}

function check(lines: string[], want: Want, buildArgs: Record<string, string> = {}): void {
  for (const { name, eol } of EOLS) {
    const m = model(lines, eol, buildArgs);
    assert.deepEqual(m.stages.map((s) => ({ name: s.name, base: s.base, baseStage: s.baseStage, dependsOn: s.dependsOn })), want.stages, name);
    assert.deepEqual(m.findings.map((f) => f.code), want.findings ?? [], `${name} findings`);
    for (const [target, [needed, final]] of Object.entries(want.targets ?? {})) {
      const t = resolveTarget(m.stages, target === 'default' ? undefined : target);
      assert.notEqual(t, null, target);
      assert.deepEqual([...neededStages(m.stages, t as number)].sort(), needed, `${name} needed for ${target}`);
      assert.deepEqual([...finalImageStages(m.stages, t as number)].sort(), final, `${name} final for ${target}`);
    }
  }
}

test('stages, FROM earlier stage, COPY --from by name and index, RUN --mount from', () => {
  check(
    [
      'FROM alpine AS Base', 'RUN true',
      'FROM base AS build', 'RUN true',
      'FROM debian AS tools',
      'FROM alpine AS unused',
      'FROM scratch', 'COPY --from=build /a /a', 'COPY --from=0 /b /b', 'RUN --mount=type=bind,from=tools,target=/t true', 'COPY --from=nginx:latest /c /c',
    ],
    {
      stages: [
        { name: 'Base', base: 'alpine', baseStage: null, dependsOn: [] },
        { name: 'build', base: 'base', baseStage: 0, dependsOn: [0] },
        { name: 'tools', base: 'debian', baseStage: null, dependsOn: [] },
        { name: 'unused', base: 'alpine', baseStage: null, dependsOn: [] },
        { name: null, base: 'scratch', baseStage: null, dependsOn: [1, 0, 2] },
      ],
      targets: { default: [[0, 1, 2, 4], [4]], build: [[0, 1], [0, 1]], '3': [[3], [3]], unused: [[3], [3]], BASE: [[0], [0]] },
    },
  );
});

test('global ARGs expand in FROM; build args override defaults', () => {
  const lines = ['ARG REPO=library', 'ARG TAG=1.0', 'FROM ${REPO}/app:${TAG:-latest} AS a', 'FROM $MISSING-x'];
  check(lines, { stages: [{ name: 'a', base: 'library/app:1.0', baseStage: null, dependsOn: [] }, { name: null, base: '-x', baseStage: null, dependsOn: [] }] });
  check(lines, { stages: [{ name: 'a', base: 'library/app:2.0', baseStage: null, dependsOn: [] }, { name: null, base: '-x', baseStage: null, dependsOn: [] }] }, { TAG: '2.0' });
});

test('stage ARG and ENV expand in COPY --from; ENV is inherited by FROM stage', () => {
  for (const { eol } of EOLS) {
    const m = model(['ARG SRC=one', 'FROM alpine AS one', 'ENV D=/data', 'FROM one', 'ARG SRC', 'COPY --from=$SRC $D /x'], eol);
    assert.deepEqual(m.stages[1].dependsOn, [0]);
    const copy = m.instructions[5];
    assert.deepEqual(copy.expanded, ['/data', '/x']);
    assert.deepEqual(copy.flags, [{ name: 'from', value: 'one' }]);
  }
});

test('build errors: before FROM, no FROM, duplicate stage, bad --from index, empty base', () => {
  check(['RUN true', 'FROM a AS x', 'FROM b AS X', 'COPY --from=5 /a /a', 'COPY --from=1 /a /a'], {
    stages: [{ name: 'x', base: 'a', baseStage: null, dependsOn: [] }, { name: 'X', base: 'b', baseStage: null, dependsOn: [] }],
    findings: ['instruction-before-from', 'duplicate-stage', 'invalid-from', 'invalid-from'],
  });
  check(['ARG A'], { stages: [], findings: ['no-from'] });
  check(['ARG A', 'FROM $A'], { stages: [{ name: null, base: '', baseStage: null, dependsOn: [] }], findings: ['empty-base'] });
});

test('resolveTarget: name (any case), index, unknown', () => {
  for (const { eol } of EOLS) {
    const m = model(['FROM a AS one', 'FROM b AS two'], eol);
    assert.equal(resolveTarget(m.stages, undefined), 1);
    assert.equal(resolveTarget(m.stages, 'ONE'), 0);
    assert.equal(resolveTarget(m.stages, '0'), 0);
    assert.equal(resolveTarget(m.stages, 'three'), null);
    assert.equal(resolveTarget([], undefined), null);
  }
});
