import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeDockerfile } from '../../server/src/core/analyze';
import { parseDockerfile } from '../../server/src/core/dockerfile';
import { resolveStages } from '../../server/src/core/stages';
import { estimateCopySizes } from '../../server/src/core/sizes';
import type { ContextIndex } from '../../server/src/core/context';
import type { RunEstimate } from '../../server/src/core/estimate/run';
import { staticWaste, type StaticWaste } from '../../server/src/core/wastedStatic';
import { EOLS, contextEntries, dockerfile } from '../helpers';

const CTX: ContextIndex = {
  root: '/ctx', entries: contextEntries({ 'a.bin': 1000, 'b.bin': 300, 'site/': null, 'site/i.html': 40, 'site/s.css': 60 }),
  ignoreFile: null, archives: new Map(), problems: [],
};

/** RUN estimates by 1-based line: the paths each leaves. */
type Runs = Record<number, Array<{ path: string; bytes: number }>>;

function analyze(lines: string[], eol: string, runs: Runs, baseBytes?: number): StaticWaste {
  const text = dockerfile(lines, eol);
  const options = { builder: 'buildkit' as const, buildArgs: {} };
  const model = resolveStages(parseDockerfile(text), {});
  const analysis = analyzeDockerfile(text, options, CTX);
  const copies = estimateCopySizes(model, 'buildkit', CTX).byInstruction;
  const estimates = new Map<number, RunEstimate>();
  model.instructions.forEach((ins, i) => {
    const adds = runs[ins.line + 1];
    if (adds !== undefined) estimates.set(i, { size: { bytes: adds.reduce((n, a) => n + a.bytes, 0), source: 'catalog' }, adds });
  });
  const final = new Set(analysis.stages.filter((s) => s.inFinalImage).map((s) => s.index));
  return staticWaste(model, analysis.steps, copies, estimates, final, baseBytes);
}

/** Checks the wasted bytes per 1-based line and dive's wasted bytes, for both line endings. */
function check(lines: string[], perLine: Record<number, number>, wastedBytes: number, runs: Runs = {}): StaticWaste {
  let last: StaticWaste | undefined;
  for (const { eol } of EOLS) {
    const w = analyze(lines, eol, runs);
    const lineOf = (i: number): number => resolveStages(parseDockerfile(dockerfile(lines, eol)), {}).instructions[i].line + 1;
    assert.deepEqual(Object.fromEntries([...w.perStep].map(([i, b]) => [lineOf(i), b.bytes])), perLine);
    assert.equal(w.wastedBytes, wastedBytes);
    last = w;
  }
  return last!;
}

test('COPY then rm of the file: the copy is wasted', () => {
  const w = check(['FROM a', 'COPY a.bin /data/a.bin', 'RUN rm /data/a.bin'], { 2: 1000 }, 1000);
  assert.match(w.perStep.get(1)!.detail, /^1\.0 kB this step adds \(\/data\/a\.bin\) is deleted or overwritten by the RUN on line 3/);
  // Relative to WORKDIR, and with a glob.
  check(['FROM a', 'WORKDIR /data', 'COPY a.bin b.bin ./', 'RUN rm -f *.bin'], { 3: 1300 }, 1300);
});

test('COPY of a folder then rm -rf of it: its files are wasted; dive counts nothing for a deleted folder', () => {
  check(['FROM a', 'COPY site /www', 'RUN rm -rf /www'], { 2: 100 }, 0);
  check(['FROM a', 'COPY site /www', 'RUN rm -rf /www/*.css'], { 2: 60 }, 60);
});

test('the same path copied twice: the first copy is wasted', () => {
  check(['FROM a', 'COPY a.bin /x', 'COPY b.bin /x'], { 2: 1000 }, 1300);
  check(['FROM a', 'COPY a.bin /x', 'COPY a.bin /y'], {}, 0);
});

test('apt-get update, then rm -rf /var/lib/apt/lists/* in a later RUN: the lists are wasted', () => {
  const runs = { 2: [{ path: '/var/lib/apt/lists', bytes: 40_000_000 }] };
  check(['FROM debian', 'RUN apt-get update', 'RUN rm -rf /var/lib/apt/lists/*'], { 2: 40_000_000 }, 40_000_000, runs);
  // apt-get clean empties the archives folder.
  check(['FROM debian', 'RUN apt-get install -y x', 'RUN apt-get clean'], { 2: 5000 }, 5000, { 2: [{ path: '/var/cache/apt/archives', bytes: 5000 }, { path: '/usr/bin', bytes: 70 }] });
});

test('cleanup in the same RUN wastes nothing', () => {
  check(['FROM debian', 'RUN apt-get update && apt-get install -y x && rm -rf /var/lib/apt/lists/*'], {}, 0, { 2: [{ path: '/usr/share/x', bytes: 900 }] });
  check(['FROM a', 'RUN rm -rf /var/lib/apt/lists/*'], {}, 0);
});

test('a removal inside a folder a RUN estimate stands for: unknown amount, a lower bound', () => {
  const w = check(['FROM debian', 'RUN apt-get update', 'RUN rm -rf /var/lib/apt/lists/partial'], { 2: 0 }, 0, { 2: [{ path: '/var/lib/apt/lists', bytes: 400 }] });
  assert.equal(w.perStep.get(1)!.lowerBound, true);
  assert.equal(w.lowerBound, true);
});

test('a write onto a copied file overwrites it', () => {
  check(['FROM a', 'COPY a.bin /etc/conf', 'RUN echo x > /etc/conf'], { 2: 1000 }, 1000);
});

test('efficiency: over the known files, the base counted as untouched; only the final image counts', () => {
  const lines = ['FROM a', 'COPY a.bin /x', 'COPY b.bin /x'];
  assert.equal(analyze(lines, '\n', {}).efficiency, 300 / 1300);
  assert.equal(analyze(lines, '\n', {}, 700).efficiency, 1000 / 2000);
  assert.equal(analyze(['FROM a', 'RUN true'], '\n', {}).efficiency, null);
  assert.equal(analyze(['FROM a', 'RUN true'], '\n', {}).lowerBound, true);
  check(['FROM a AS build', 'COPY a.bin /x', 'RUN rm /x', 'FROM a', 'COPY --from=build /etc /etc'], {}, 0);
  // A stage built FROM another inherits its files.
  check(['FROM a AS one', 'COPY a.bin /x', 'FROM one', 'RUN rm /x'], { 2: 1000 }, 1000);
});

test('a large copy: the pruned estimate gives the straightforward figures, analysis after analysis', () => {
  const spec: Record<string, number | null> = {};
  for (let d = 0; d < 20; d++) {
    spec[`d${d}/`] = null;
    for (let f = 0; f < 100; f++) spec[`d${d}/f${f}.txt`] = 100 + f;
  }
  const ctx: ContextIndex = { root: '/ctx', entries: contextEntries(spec), ignoreFile: null, archives: new Map(), problems: [] };
  const d1 = Array.from({ length: 100 }, (_, f) => 100 + f).reduce((a, b) => a + b, 0);
  const all = 20 * d1;
  const cases: Array<[string[], Record<number, number>, number]> = [
    [['FROM a', 'COPY . /app', 'RUN rm -rf /app/d1', 'RUN echo hi'], { 2: d1 }, 0],
    [['FROM a', 'COPY . /app', 'RUN rm -rf /app/d1/*.txt'], { 2: d1 }, d1],
    [['FROM a', 'COPY . /app', 'COPY . /app'], { 2: all }, 2 * all],
    [['FROM a', 'COPY . /app', 'RUN rm -rf /app'], { 2: all }, 0],
    [['FROM a', 'WORKDIR /app', 'COPY d1/f7.txt ./d1/', 'COPY . .'], { 3: 107 }, 214],
  ];
  for (const [lines, perLine, wastedBytes] of cases) {
    for (const { eol } of EOLS) {
      const text = dockerfile(lines, eol);
      const model = resolveStages(parseDockerfile(text), {});
      const analysis = analyzeDockerfile(text, { builder: 'buildkit', buildArgs: {} }, ctx);
      const copies = estimateCopySizes(model, 'buildkit', ctx).byInstruction;
      const final = new Set(analysis.stages.filter((s) => s.inFinalImage).map((s) => s.index));
      const straight = staticWaste(model, analysis.steps, copies, new Map(), final, undefined, false);
      for (let run = 0; run < 2; run++) assert.deepEqual(staticWaste(model, analysis.steps, copies, new Map(), final), straight);
      assert.deepEqual(Object.fromEntries([...straight.perStep].map(([i, b]) => [model.instructions[i].line + 1, b.bytes])), perLine);
      assert.equal(straight.wastedBytes, wastedBytes);
    }
  }
});
