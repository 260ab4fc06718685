/**
 * The cache prediction, data-driven: a Dockerfile and context are "built" (their baseline recorded as if every
 * step ran), then changed, and the prediction per step is checked for each builder, with the reason for a miss.
 * The real builders' behaviour these rules model is checked in test/conformance/cache.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeDocument } from '../../../server/src/core/analyze';
import { baselineOf } from '../../../server/src/core/cache/record';
import type { Baseline } from '../../../server/src/core/cache/baseline';
import type { ContextEntry, ContextIndex } from '../../../server/src/core/context';
import type { AnalysisOptions, Builder } from '../../../server/src/core/types';
import { EOLS, dockerfile } from '../../helpers';

/** A context of files `path: content`; each file's hash stands for its content. */
function contextOf(files: Record<string, string>): ContextIndex {
  const entries = new Map<string, ContextEntry>();
  for (const [path, content] of Object.entries(files)) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      entries.set(dir, { path: dir, type: 'dir', size: 0, mode: 0o755 });
    }
    const mode = content.startsWith('x:') ? 0o755 : 0o644;
    entries.set(path, { path, type: 'file', size: content.length, mode, hash: `h:${content.replace(/^x:/, '')}` });
  }
  return { root: '/ctx', entries, ignoreFile: null, archives: new Map(), problems: [] };
}

interface Build {
  lines: string[];
  files?: Record<string, string>;
  buildArgs?: Record<string, string>;
  target?: string;
}

function options(b: Build, builder: Builder, cache: AnalysisOptions['cache']): AnalysisOptions {
  return { builder, buildArgs: b.buildArgs ?? {}, ...(b.target ? { target: b.target } : {}), ...(cache ? { cache } : {}) };
}

/** Records `first` as built with `builder` (every step ran), then predicts `second`; returns `line:status` per step that is not unknown, and the reasons. */
function predict(first: Build, second: Build, builder: Builder, eol = '\n'): { statuses: string[]; reasons: Record<number, string>; nextBuild: number | null } {
  const before = analyzeDocument(dockerfile(first.lines, eol), options(first, builder, { baseline: null, why: 'none' }), contextOf(first.files ?? {}));
  const ran = new Map(before.analysis.steps.map((s) => [s.line, 'miss' as const]));
  const baseline: Baseline = { ...baselineOf(before.analysis, before.keys, { cache: ran, seconds: new Map(), bytes: new Map() }, { dockerfile: '/ctx/Dockerfile', target: first.target ?? null, engineVersion: null, imageId: null, builtAt: 0 }) };
  const after = analyzeDocument(dockerfile(second.lines, eol), options(second, builder, { baseline }), contextOf(second.files ?? {})).analysis;
  const known = after.steps.filter((s) => s.cache.status !== 'unknown');
  return {
    statuses: known.map((s) => `${s.line}:${s.cache.status}`),
    reasons: Object.fromEntries(known.filter((s) => s.cache.status === 'miss').map((s) => [s.line, s.cache.reason])),
    nextBuild: after.nextBuild?.steps ?? null,
  };
}

/** Checks both line endings; `expected` per builder: statuses in `line:hit|miss` form, and optional reasons by line. */
function check(first: Build, second: Build, expected: Partial<Record<Builder, { statuses: string[]; reasons?: Record<number, string | RegExp> }>>): void {
  for (const { eol } of EOLS) {
    for (const [builder, want] of Object.entries(expected) as Array<[Builder, { statuses: string[]; reasons?: Record<number, string | RegExp> }]>) {
      const got = predict(first, second, builder, eol);
      assert.deepEqual(got.statuses, want.statuses, `${builder}: statuses`);
      for (const [line, reason] of Object.entries(want.reasons ?? {})) {
        const actual = got.reasons[Number(line)] ?? '(no miss)';
        if (typeof reason === 'string') assert.equal(actual, reason, `${builder}: reason of line ${line}`);
        else assert.match(actual, reason, `${builder}: reason of line ${line}`);
      }
    }
  }
}

const APP = ['FROM base', 'ENV MODE=dev', 'COPY package.json /app/', 'RUN install', 'COPY src/ /app/src/', 'RUN build', 'LABEL v=1'];
const FILES = { 'package.json': '{}', 'src/a.js': 'a', 'src/b.js': 'b' };

test('nothing changed: every step the builder runs is cached', () => {
  check({ lines: APP, files: FILES }, { lines: APP, files: FILES }, {
    buildkit: { statuses: ['2:hit', '3:hit', '4:hit', '5:hit'] },
    legacy: { statuses: ['1:hit', '2:hit', '3:hit', '4:hit', '5:hit', '6:hit'] },
  });
});

test('an edited source file reruns its COPY and every step after it, naming the file', () => {
  check({ lines: APP, files: FILES }, { lines: APP, files: { ...FILES, 'src/b.js': 'b2' } }, {
    buildkit: { statuses: ['2:hit', '3:hit', '4:miss', '5:miss'], reasons: { 4: 'src/b.js changed.', 5: 'Line 5 rebuilds, so this step does too.' } },
    legacy: { statuses: ['1:hit', '2:hit', '3:hit', '4:miss', '5:miss', '6:miss'], reasons: { 4: 'src/b.js changed.' } },
  });
  check({ lines: APP, files: FILES }, { lines: APP, files: { ...FILES, 'src/a.js': 'a2', 'src/b.js': 'b2', 'src/c.js': 'c' } }, {
    buildkit: { statuses: ['2:hit', '3:hit', '4:miss', '5:miss'], reasons: { 4: 'src/a.js changed (and 2 more files).' } },
  });
  check({ lines: APP, files: FILES }, { lines: APP, files: { ...FILES, 'src/b.js': 'x:b' } }, {
    buildkit: { statuses: ['2:hit', '3:hit', '4:miss', '5:miss'], reasons: { 4: "src/b.js's mode changed." } },
  });
});

test('ENV: BuildKit reruns the next RUN (ENV makes no step); the legacy builder reruns from the ENV on', () => {
  const changed = APP.map((l) => (l === 'ENV MODE=dev' ? 'ENV MODE=prod' : l));
  check({ lines: APP, files: FILES }, { lines: changed, files: FILES }, {
    buildkit: { statuses: ['2:hit', '3:miss', '4:miss', '5:miss'], reasons: { 3: 'ENV on line 2 changed (MODE).', 4: 'Line 4 rebuilds, so this step does too.' } },
    legacy: { statuses: ['1:miss', '2:miss', '3:miss', '4:miss', '5:miss', '6:miss'], reasons: { 1: 'Instruction changed.', 2: 'Line 2 rebuilds, so this step does too.' } },
  });
});

test('LABEL, a comment or blank lines: BuildKit keeps everything; the legacy builder reruns from a changed LABEL', () => {
  const label = APP.map((l) => (l === 'LABEL v=1' ? 'LABEL v=2' : l));
  check({ lines: APP, files: FILES }, { lines: label, files: FILES }, {
    buildkit: { statuses: ['2:hit', '3:hit', '4:hit', '5:hit'] },
    legacy: { statuses: ['1:hit', '2:hit', '3:hit', '4:hit', '5:hit', '6:miss'] },
  });
  const commented = [...APP.slice(0, 3), '# install the dependencies', '', ...APP.slice(3)];
  check({ lines: APP, files: FILES }, { lines: commented, files: FILES }, {
    buildkit: { statuses: ['2:hit', '5:hit', '6:hit', '7:hit'] },
    legacy: { statuses: ['1:hit', '2:hit', '5:hit', '6:hit', '7:hit', '8:hit'] },
  });
});

test('build args: a declared ARG with a new value reruns the RUNs after it, even unused; an undeclared one changes nothing', () => {
  const lines = ['FROM base', 'ARG V=1', 'COPY package.json /app/', 'RUN install'];
  const files = { 'package.json': '{}' };
  check({ lines, files }, { lines, files, buildArgs: { V: '2' } }, {
    buildkit: { statuses: ['2:hit', '3:miss'], reasons: { 3: 'Build arg V changed (ARG on line 2).' } },
    legacy: { statuses: ['1:hit', '2:hit', '3:miss'] },
  });
  check({ lines, files }, { lines, files, buildArgs: { OTHER: '2' } }, { buildkit: { statuses: ['2:hit', '3:hit'] }, legacy: { statuses: ['1:hit', '2:hit', '3:hit'] } });
  const changedDefault = ['FROM base', 'ARG V=3', 'COPY package.json /app/', 'RUN install'];
  check({ lines, files }, { lines: changedDefault, files }, {
    buildkit: { statuses: ['2:hit', '3:miss'] },
    legacy: { statuses: ['1:miss', '2:miss', '3:miss'], reasons: { 1: 'Instruction changed.' } },
  });
});

test('steps added at the end or the start, and swapped steps', () => {
  const files = { 'package.json': '{}' };
  const lines = ['FROM base', 'RUN one', 'RUN two'];
  check({ lines, files }, { lines: [...lines, 'RUN three'], files }, { buildkit: { statuses: ['1:hit', '2:hit', '3:miss'], reasons: { 3: 'Never built: a new step.' } } });
  check({ lines, files }, { lines: ['FROM base', 'RUN zero', 'RUN one', 'RUN two'], files }, {
    buildkit: { statuses: ['1:miss', '2:miss', '3:miss'], reasons: { 1: 'Never built: a new step.', 2: 'Line 2 rebuilds, so this step does too.' } },
  });
  check({ lines, files }, { lines: ['FROM base', 'RUN two', 'RUN one'], files }, {
    buildkit: { statuses: ['1:miss', '2:miss'], reasons: { 1: 'It now runs after other steps than in the recorded build (steps were moved or removed before it).', 2: 'Line 2 rebuilds, so this step does too.' } },
  });
});

test('COPY --link is chained like any COPY by the BuildKit inside dockerd (measured on 26.1)', () => {
  const lines = ['FROM base', 'RUN one', 'COPY --link package.json /app/', 'RUN two'];
  const changed = ['FROM base', 'RUN one changed', 'COPY --link package.json /app/', 'RUN two'];
  check({ lines, files: FILES }, { lines: changed, files: FILES }, {
    buildkit: { statuses: ['1:miss', '2:miss', '3:miss'], reasons: { 2: 'Line 2 rebuilds, so this step does too.' } },
    legacy: { statuses: ['1:miss', '2:miss', '3:miss'] },
  });
});

test('a shell-form RUN and the same command in exec form are the same step', () => {
  const lines = ['FROM base', 'RUN echo two > /two', 'COPY package.json /app/'];
  const exec = ['FROM base', 'RUN ["/bin/sh", "-c", "echo two > /two"]', 'COPY package.json /app/'];
  check({ lines, files: FILES }, { lines: exec, files: FILES }, { buildkit: { statuses: ['1:hit', '2:hit'] }, legacy: { statuses: ['1:hit', '2:hit'] } });
  const shell = ['FROM base', 'SHELL ["/bin/bash", "-c"]', 'RUN echo two > /two'];
  check({ lines: shell }, { lines: ['FROM base', 'SHELL ["/bin/bash", "-c"]', 'RUN ["/bin/sh", "-c", "echo two > /two"]'] }, { buildkit: { statuses: ['2:miss'] } });
});

test('stages: BuildKit builds only what the target needs; COPY --from keys on the copied files, not on the stage', () => {
  const lines = ['FROM base AS lint', 'COPY src/a.js /lint/', 'FROM base AS build', 'COPY src/ /work/', 'FROM base', 'COPY --from=build /work/a.js /app/'];
  check({ lines, files: FILES }, { lines, files: { ...FILES, 'src/a.js': 'a2' } }, {
    // lint is not built by BuildKit (unknown, left out); build's COPY reruns; the final COPY copies a changed file.
    buildkit: { statuses: ['3:miss', '5:miss'], reasons: { 3: 'src/a.js changed.', 5: '/work/a.js changed.' } },
    legacy: { statuses: ['1:miss', '3:miss', '5:miss'] },
  });
  // b.js changes: the build stage reruns, but the file the last stage copies is the same, so that COPY is cached.
  check({ lines, files: FILES }, { lines, files: { ...FILES, 'src/b.js': 'b2' } }, {
    buildkit: { statuses: ['3:miss', '5:hit'] },
    legacy: { statuses: ['1:hit', '3:miss', '5:hit'] },
  });
});

test('RUN mounts: a bind mount source is part of the key, a cache or secret mount is not', () => {
  const lines = ['FROM base', 'RUN --mount=type=bind,source=package.json,target=/p.json cat /p.json', 'RUN --mount=type=cache,target=/c --mount=type=secret,id=s use'];
  check({ lines, files: FILES }, { lines, files: { ...FILES, 'src/a.js': 'other' } }, { buildkit: { statuses: ['1:hit', '2:hit'] } });
  check({ lines, files: FILES }, { lines, files: { ...FILES, 'package.json': '{"a":1}' } }, { buildkit: { statuses: ['1:miss', '2:miss'] } });
});

test('a heredoc body is part of the instruction', () => {
  const lines = ['FROM base', 'RUN <<EOF', 'echo one', 'EOF', 'RUN after'];
  check({ lines }, { lines: ['FROM base', 'RUN <<EOF', 'echo two', 'EOF', 'RUN after'] }, { buildkit: { statuses: ['1:miss', '4:miss'], reasons: { 1: 'Instruction changed.' } } });
});

test('no recorded build: unknown with the reason; an unscanned context: unknown for the COPY and what follows', () => {
  const a = analyzeDocument(dockerfile(APP, '\n'), { builder: 'buildkit', buildArgs: {}, cache: { baseline: null, why: 'No build recorded yet.' } }, contextOf(FILES)).analysis;
  assert.deepEqual([...new Set(a.steps.map((s) => s.cache.status))], ['unknown']);
  assert.equal(a.steps[2].cache.reason, 'No build recorded yet.');
  assert.equal(a.nextBuild, null);
  const first = analyzeDocument(dockerfile(APP, '\n'), { builder: 'buildkit', buildArgs: {}, cache: { baseline: null, why: 'x' } }, contextOf(FILES));
  const baseline = baselineOf(first.analysis, first.keys, { cache: new Map(), seconds: new Map(), bytes: new Map() }, { dockerfile: '/d', target: null, engineVersion: null, imageId: null, builtAt: 0 });
  const unscanned = analyzeDocument(dockerfile(APP, '\n'), { builder: 'buildkit', buildArgs: {}, cache: { baseline } }).analysis;
  assert.deepEqual(unscanned.steps.slice(2).map((s) => s.cache.status), ['unknown', 'unknown', 'unknown', 'unknown', 'unknown']);
  assert.match(unscanned.steps[2].cache.reason, /No build context was scanned/);
});

test('the next build: steps that rerun and the seconds they took last time', () => {
  const first = analyzeDocument(dockerfile(APP, '\n'), { builder: 'buildkit', buildArgs: {}, cache: { baseline: null, why: 'x' } }, contextOf(FILES));
  const seconds = new Map([[3, 38], [4, 0.2], [5, 3]]);
  const baseline = baselineOf(first.analysis, first.keys, { cache: new Map(first.analysis.steps.map((s) => [s.line, 'miss' as const])), seconds, bytes: new Map() }, { dockerfile: '/d', target: null, engineVersion: null, imageId: null, builtAt: 0 });
  const changed = analyzeDocument(dockerfile(APP, '\n'), { builder: 'buildkit', buildArgs: {}, cache: { baseline } }, contextOf({ ...FILES, 'package.json': '{"x":1}' })).analysis;
  assert.deepEqual(changed.nextBuild, { steps: 4, seconds: 41.2, costliest: { line: 4, summary: 'RUN install', seconds: 38 } });
});
