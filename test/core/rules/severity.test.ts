import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeDockerfile } from '../../../server/src/core/analyze';
import { DEFAULT_SEVERITIES } from '../../../server/src/core/findings';
import { EOLS, dockerfile } from '../../helpers';

const LINES = ['FROM a', 'RUN apt-get update', 'RUN apt-get install -y x', 'FROBNICATE'];

function check(severities: Record<string, 'error' | 'warning' | 'info' | 'off'>, expected: string[]): void {
  for (const { name, eol } of EOLS) {
    const a = analyzeDockerfile(dockerfile(LINES, eol), { builder: 'buildkit', buildArgs: {}, severities });
    assert.deepEqual(a.findings.map((f) => `${f.line + 1}:${f.code}:${f.severity}`).sort(), expected.sort(), name);
  }
}

test('severities: defaults, overrides, off; parse findings can be configured too', () => {
  check({}, ['2:apt-lists-left:warning', '3:merge-runs:info', '3:apt-install-recommends:info', '4:unknown-instruction:error']);
  check({ 'merge-runs': 'error', 'apt-install-recommends': 'off', 'unknown-instruction': 'warning' },
    ['2:apt-lists-left:warning', '3:merge-runs:error', '4:unknown-instruction:warning']);
});

test('every layer code has a default severity', () => {
  assert.deepEqual(Object.keys(DEFAULT_SEVERITIES).sort(), [
    'apk-cache', 'apt-install-recommends', 'apt-lists-left', 'cleanup-in-later-layer', 'copy-before-install', 'merge-runs', 'npm-cache', 'pip-cache', 'yarn-cache',
  ]);
});
