import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeDockerfile } from '../../server/src/core/analyze';
import { parseDockerfile } from '../../server/src/core/dockerfile';
import { resolveStages } from '../../server/src/core/stages';
import { estimateCopySizes } from '../../server/src/core/sizes';
import type { ContextIndex } from '../../server/src/core/context';
import type { RunEstimate } from '../../server/src/core/estimate/run';
import { staticWaste } from '../../server/src/core/wastedStatic';
import { EOLS, contextEntries, dockerfile } from '../helpers';

/** A small deterministic generator (mulberry32), so a failure repeats. */
function random(seed: number): (n: number) => number {
  let a = seed;
  return (n) => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

// About 300 files in nested folders, names repeated across folders so that copies land on each other.
const SPEC: Record<string, number | null> = {};
for (const top of ['a', 'b', 'c']) {
  SPEC[`${top}/`] = null;
  for (const sub of ['x', 'y', 'z']) {
    SPEC[`${top}/${sub}/`] = null;
    for (let f = 0; f < 30; f++) SPEC[`${top}/${sub}/f${f}.txt`] = 10 * f + top.charCodeAt(0);
  }
  for (let f = 0; f < 10; f++) SPEC[`${top}/f${f}.txt`] = 7 * f + 1;
}
const CTX: ContextIndex = { root: '/ctx', entries: contextEntries(SPEC), ignoreFile: null, archives: new Map(), problems: [] };

/** A random step over the context: copies, removals (plain, folders, globs), writes, folders made, RUN estimates. */
function randomStep(pick: (n: number) => number): { line: string; adds?: Array<{ path: string; bytes: number }> } {
  const top = ['a', 'b', 'c'][pick(3)];
  const sub = ['x', 'y', 'z'][pick(3)];
  const dest = ['/app', '/app/x', '/srv', '.', '/app/a/x'][pick(5)];
  const target = [`/app/${sub}`, `/app/${sub}/f${pick(30)}.txt`, `/app/${top}/${sub}`, '/app', `/srv/f${pick(10)}.txt`, `/app/f${pick(10)}.txt`, `/app/q/f${pick(3)}.txt`, '/app/q'][pick(8)];
  switch (pick(12)) {
    case 0: return { line: `COPY ${top} ${dest}` };
    case 1: return { line: `COPY ${top}/${sub} ${dest}/${sub}` };
    case 2: return { line: `COPY ${top}/f${pick(10)}.txt ${dest}/` };
    case 3: return { line: `COPY . ${dest}` };
    case 4: return { line: `COPY ${top}/${sub}/f${pick(30)}.txt ${target}` };
    case 5: return { line: `RUN rm -rf ${target}` };
    case 6: return { line: `RUN rm -rf /app/${sub}/*.txt ${['/srv/f1*', '/app/*/x', '/app/f?.txt'][pick(3)]}` };
    case 7: return { line: `RUN echo x > ${target}` };
    case 8: return { line: `WORKDIR ${['/app', '/srv', '/app/x', '/app/x/f3.txt'][pick(4)]}` };
    case 9: return { line: `RUN mkdir -p ${target}/more`, adds: [{ path: `${target}/more`, bytes: 5 + pick(50) }] };
    case 10: return { line: `COPY ${top}/f${pick(10)}.txt /app/q` };
    default: return { line: 'RUN true', adds: [{ path: ['/app/x', `/app/${sub}/f${pick(30)}.txt`, '/srv'][pick(3)], bytes: pick(100) }] };
  }
}

/** Checks that the pruned estimate equals the unpruned one for `steps`, for both line endings, run twice. */
function check(steps: Array<{ line: string; adds?: Array<{ path: string; bytes: number }> }>): void {
  const lines = ['FROM debian', ...steps.map((s) => s.line)];
  for (const { eol } of EOLS) {
    const text = dockerfile(lines, eol);
    const model = resolveStages(parseDockerfile(text), {});
    const analysis = analyzeDockerfile(text, { builder: 'buildkit', buildArgs: {} }, CTX);
    const copies = estimateCopySizes(model, 'buildkit', CTX).byInstruction;
    const runs = new Map<number, RunEstimate>();
    model.instructions.forEach((ins, i) => {
      const adds = steps[ins.line - 1]?.adds;
      if (adds !== undefined) runs.set(i, { size: { bytes: adds.reduce((n, a) => n + a.bytes, 0), source: 'catalog' }, adds });
    });
    const final = new Set(analysis.stages.filter((s) => s.inFinalImage).map((s) => s.index));
    const unpruned = staticWaste(model, analysis.steps, copies, runs, final, 1000, false);
    // Twice: the second run reads the layers indexed by the first.
    for (let run = 0; run < 2; run++) assert.deepEqual(staticWaste(model, analysis.steps, copies, runs, final, 1000), unpruned, lines.join('\n'));
  }
}

test('pruning keeps the figures of the unpruned stack on random mixes of copies, removals and overwrites', () => {
  const pick = random(20240611);
  for (let round = 0; round < 120; round++) check(Array.from({ length: 2 + pick(8) }, () => randomStep(pick)));
});

test('pruning keeps what each rule protects: a file above a removal, a write onto a file, a file over a folder', () => {
  const lines = (...l: string[]): Array<{ line: string }> => l.map((line) => ({ line }));
  check(lines('COPY a/f1.txt /app/q', 'COPY . /srv', 'RUN rm -rf /app/q/f2.txt'));
  check(lines('COPY . /srv', 'COPY a/f1.txt /app/q', 'RUN echo x > /app/q'));
  check(lines('COPY a /app', 'COPY b/f1.txt /app/x', 'RUN true'));
  check(lines('COPY b/f1.txt /app/x', 'COPY a /app', 'RUN rm -rf /app/y'));
  check([{ line: 'COPY . /app' }, { line: 'RUN true', adds: [{ path: '/app/a', bytes: 9 }] }]);
});
