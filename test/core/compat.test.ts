import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeDockerfile } from '../../server/src/core/analyze';
import type { Builder } from '../../server/src/core/types';
import { EOLS, dockerfile } from '../helpers';

const COMPAT_CODES = new Set(['needs-syntax', 'legacy-unsupported', 'run-in-scratch']);

/** The builder-support findings only (other rules have their own tests). */
function codes(lines: string[], builder: Builder): string[][] {
  return EOLS.map(({ eol }) => analyzeDockerfile(dockerfile(lines, eol), { builder, buildArgs: {} }).findings
    .filter((f) => COMPAT_CODES.has(f.code))
    .map((f) => `${f.line}:${f.code}:${f.severity}`));
}

function check(lines: string[], buildkit: string[], legacy: string[]): void {
  for (const got of codes(lines, 'buildkit')) assert.deepEqual(got, buildkit, 'buildkit');
  for (const got of codes(lines, 'legacy')) assert.deepEqual(got, legacy, 'legacy');
}

test('heredocs: error under legacy, syntax warning under BuildKit without a syntax directive', () => {
  check(['FROM alpine', 'RUN <<EOF', 'true', 'EOF'], ['1:needs-syntax:warning'], ['1:legacy-unsupported:error']);
  check(['# syntax=docker/dockerfile:1', 'FROM alpine', 'RUN <<EOF', 'true', 'EOF'], [], ['2:legacy-unsupported:error']);
});

test('BuildKit-only flags fail the legacy build', () => {
  check(['FROM alpine', 'RUN --mount=type=cache,target=/c true', 'COPY --chmod=755 a /a', 'RUN --network=none true'], [], [
    '1:legacy-unsupported:error', '2:legacy-unsupported:error', '3:legacy-unsupported:error',
  ]);
  check(['FROM alpine', 'COPY --link a /a'], ['1:needs-syntax:warning'], ['1:legacy-unsupported:error']);
  check(['FROM --platform=linux/amd64 alpine'], [], []);
});

test('shell-form RUN in a scratch stage before anything is copied', () => {
  check(['FROM scratch', 'RUN true', 'RUN ["/x"]', 'COPY sh /bin/sh', 'RUN true'], ['1:run-in-scratch:warning'], ['1:run-in-scratch:warning']);
});
