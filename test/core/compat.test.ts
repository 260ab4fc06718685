import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeDockerfile } from '../../server/src/core/analyze';
import type { Builder } from '../../server/src/core/types';
import { EOLS, dockerfile } from '../helpers';

const COMPAT_CODES = new Set(['needs-syntax', 'legacy-unsupported', 'builder-ignores', 'run-in-scratch']);

/** The builder-support findings only (other rules have their own tests), as `line:code:severity`. */
function codes(lines: string[], builder: Builder, version: string | undefined): string[][] {
  const engine = version === undefined ? undefined : { version, source: 'setting' as const };
  return EOLS.map(({ eol }) => analyzeDockerfile(dockerfile(lines, eol), { builder, buildArgs: {}, engine }).findings
    .filter((f) => COMPAT_CODES.has(f.code))
    .map((f) => `${f.line}:${f.code}:${f.severity}`));
}

/** Expected findings per engine version (undefined: the default, a current engine) for both builders. */
function check(lines: string[], byVersion: Record<string, { buildkit: string[]; legacy: string[] }>): void {
  for (const [v, expected] of Object.entries(byVersion)) {
    const version = v === 'default' ? undefined : v;
    for (const got of codes(lines, 'buildkit', version)) assert.deepEqual(got, expected.buildkit, `buildkit on ${v}`);
    for (const got of codes(lines, 'legacy', version)) assert.deepEqual(got, expected.legacy, `legacy on ${v}`);
  }
}

test('heredoc RUN: fails on Docker 20.10 with either builder; on 23+ BuildKit builds it and the legacy builder runs only its first line', () => {
  const lines = ['FROM alpine', 'RUN <<EOF', 'true', 'EOF'];
  check(lines, {
    '20.10': { buildkit: ['1:needs-syntax:error'], legacy: ['1:legacy-unsupported:error'] },
    '26.1': { buildkit: [], legacy: ['1:builder-ignores:warning'] },
    default: { buildkit: [], legacy: ['1:builder-ignores:warning'] },
  });
  // A syntax directive makes BuildKit use a newer frontend; the legacy builder ignores the directive.
  check(['# syntax=docker/dockerfile:1', ...lines], { '20.10': { buildkit: [], legacy: ['2:legacy-unsupported:error'] } });
});

test('heredoc COPY: the legacy builder of 23+ finds no source', () => {
  check(['FROM alpine', 'COPY <<EOF /a', 'x', 'EOF'], {
    '20.10': { buildkit: ['1:needs-syntax:error'], legacy: ['1:legacy-unsupported:error'] },
    '26.1': { buildkit: [], legacy: ['1:legacy-unsupported:error'] },
  });
});

test('COPY --link, --exclude and --parents arrive with Docker 23, 28.5 and 29.1; the legacy builder drops them', () => {
  check(['FROM alpine', 'COPY --link a /a'], {
    '20.10': { buildkit: ['1:needs-syntax:error'], legacy: ['1:legacy-unsupported:error'] },
    '23.0': { buildkit: [], legacy: ['1:builder-ignores:warning'] },
  });
  check(['FROM alpine', 'COPY --exclude=*.md . /a'], {
    '26.1': { buildkit: ['1:needs-syntax:error'], legacy: ['1:legacy-unsupported:error'] },
    '28.5': { buildkit: [], legacy: ['1:builder-ignores:warning'] },
  });
  check(['FROM alpine', 'COPY --parents a/b /x/'], {
    '29.0': { buildkit: ['1:needs-syntax:error'], legacy: ['1:legacy-unsupported:error'] },
    '29.1': { buildkit: [], legacy: ['1:builder-ignores:warning'] },
  });
});

test('RUN --mount/--network and COPY --chmod fail the legacy build on every engine', () => {
  const expected = { buildkit: [], legacy: ['1:legacy-unsupported:error', '2:legacy-unsupported:error', '3:legacy-unsupported:error'] };
  check(['FROM alpine', 'RUN --mount=type=cache,target=/c true', 'COPY --chmod=755 a /a', 'RUN --network=none true'], { '20.10': expected, '26.1': expected, default: expected });
  check(['FROM --platform=linux/amd64 alpine'], { '20.10': { buildkit: [], legacy: [] } });
});

test('a failing feature quotes the builder\'s own words and names the engine', () => {
  const a = analyzeDockerfile('FROM alpine\nCOPY --link a /a\n', { builder: 'buildkit', buildArgs: {}, engine: { version: '20.10.24', source: 'daemon' } });
  assert.match(a.findings[0].message, /^BuildKit in Docker 20\.10 does not support COPY --link: the build fails \("unknown flag: link"\)/);
  const l = analyzeDockerfile('FROM alpine\nRUN <<EOF\ntrue\nEOF\n', { builder: 'legacy', buildArgs: {}, engine: { version: '26.1.5', source: 'daemon' } });
  assert.match(l.findings[0].message, /^The legacy builder in Docker 26\.1 runs only the first line/);
});

test('shell-form RUN in a scratch stage before anything is copied', () => {
  const expected = { buildkit: ['1:run-in-scratch:warning'], legacy: ['1:run-in-scratch:warning'] };
  check(['FROM scratch', 'RUN true', 'RUN ["/x"]', 'COPY sh /bin/sh', 'RUN true'], { default: expected });
});
