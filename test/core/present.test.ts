import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeDockerfile } from '../../server/src/core/analyze';
import { formatBytes, formatSize, hintLabel, hoverMarkdown } from '../../server/src/core/present';
import type { Builder } from '../../server/src/core/types';
import { EOLS, dockerfile } from '../helpers';

test('formatBytes uses decimal units like docker history', () => {
  const cases: Array<[number, string]> = [[0, '0 B'], [999, '999 B'], [1000, '1.0 kB'], [12_400, '12.4 kB'], [133_000_000, '133 MB'], [1_500_000_000, '1.5 GB']];
  for (const [n, s] of cases) assert.equal(formatBytes(n), s);
});

function labels(lines: string[], builder: Builder, target?: string): string[][] {
  return EOLS.map(({ eol }) => {
    const a = analyzeDockerfile(dockerfile(lines, eol), { builder, target, buildArgs: {} });
    return a.steps.map((s) => hintLabel(s, a));
  });
}

test('hint labels: compact, one per instruction', () => {
  const lines = ['FROM alpine AS a', 'RUN true', 'FROM alpine AS b', 'ENV X=1', 'RUN mystery', 'COPY --from=a / /', 'ARG Z'];
  for (const got of labels(lines, 'buildkit')) {
    // `true` writes nothing (an honest 0 B estimate); `mystery` is unknown, so it shows no size.
    assert.deepEqual(got, ['stage not in final image', '+ layer · ~0 B', 'stage · in final image', 'no layer · metadata', '+ layer', '+ layer', 'no layer · metadata']);
  }
  for (const got of labels(lines, 'legacy')) {
    assert.deepEqual(got, ['stage not in final image', 'no layer', 'stage · in final image', 'no layer · metadata', '+ layer?', '+ layer', 'no layer · metadata']);
  }
  for (const got of labels(['FROM alpine AS a', 'RUN true', 'FROM alpine AS b'], 'buildkit')) assert.deepEqual(got, ['not built', 'not built', 'stage · in final image']);
});

test('hint labels take size and cache when known', () => {
  const a = analyzeDockerfile('FROM alpine\nRUN touch /x\nENV A=1', { builder: 'buildkit', buildArgs: {} });
  const run = { ...a.steps[1], size: { bytes: 12_400_000, source: 'measured' as const }, cache: { status: 'hit' as const, reason: 'unchanged' } };
  assert.equal(hintLabel(run, a), '+ layer · 12.4 MB · cached');
  assert.equal(hintLabel(run, a, { layer: false, size: true, cache: false }), '12.4 MB');
  assert.equal(hintLabel({ ...run, cache: { status: 'miss', reason: 'changed' } }, a, { layer: true, size: false, cache: true }), '+ layer · rebuild');
  assert.equal(hintLabel(a.steps[2], a, { layer: false, size: true, cache: true }), '');
});

test('formatSize: a lower bound reads as one, an unknown size never as a number', () => {
  const cases: Array<[{ bytes: number | null; lowerBound?: true }, string]> = [
    [{ bytes: 891_000_000, lowerBound: true }, '≥ 891 MB'], [{ bytes: 891_000_000 }, '891 MB'], [{ bytes: 0 }, '0 B'], [{ bytes: null }, 'unknown'], [{ bytes: null, lowerBound: true }, 'unknown'],
  ];
  for (const [size, text] of cases) assert.equal(formatSize(size), text);
  assert.equal(formatSize({ bytes: null }, '?'), '?');
});

test('a lower bound in the hint (≥) and the hover (at least)', () => {
  for (const { eol } of EOLS) {
    const a = analyzeDockerfile(dockerfile(['FROM scratch', 'COPY . /x'], eol), { builder: 'buildkit', buildArgs: {} });
    const copy = { ...a.steps[1], size: { bytes: 891_000_000, source: 'exact' as const, lowerBound: true as const, detail: 'at least 3 items' } };
    assert.equal(hintLabel(copy, a), '+ layer · ≥ 891 MB');
    assert.equal(hintLabel(copy, a, { layer: false, size: true, cache: false }), '≥ 891 MB');
    assert.match(hoverMarkdown(copy, a), /Size: ≥ 891 MB \(at least 891000000 bytes, exact\): at least 3 items/);
  }
});

test('hover names the builder, the reason and the stage role', () => {
  const a = analyzeDockerfile('FROM alpine AS build\nRUN true\nFROM alpine\nCOPY --from=build /x /x', { builder: 'legacy', buildArgs: {} });
  const md = hoverMarkdown(a.steps[1], a);
  assert.match(md, /\*\*RUN\*\* adds no layer \(legacy builder · Docker [\d.]+, the default engine\)/);
  assert.match(md, /empty diff/);
  assert.match(md, /Stage \*\*build\*\*.*not in the final image/);
  assert.match(hoverMarkdown(a.steps[3], a), /The build target/);
});
