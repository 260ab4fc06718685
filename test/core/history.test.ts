/**
 * Pure history alignment: image history entries (both builders' created_by formats) -> steps, base entries,
 * layer bytes without empty_layer, and measurements applied to later analyses by instruction text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeDockerfile } from '../../server/src/core/analyze';
import { alignHistory, layerBytes, stepText, withMeasurement, type BuildMeasurement, type HistoryEntry } from '../../server/src/core/history';
import type { Builder } from '../../server/src/core/types';
import { EOLS } from '../helpers';

const DOCKERFILE = [
  'ARG V=1',
  'FROM base:1 AS build',
  'RUN echo base > /b.txt',
  'FROM build AS final',
  'ENV X=1',
  'COPY a.txt /a.txt',
  'ONBUILD RUN true',
  'CMD ["sh"]',
];

const e = (createdBy: string, bytes = 0, emptyLayer = false): HistoryEntry => ({ createdBy, bytes, emptyLayer });

/** What Engine 20.10 recorded for DOCKERFILE, oldest first, after two base entries. */
const HISTORY: Record<Builder, HistoryEntry[]> = {
  buildkit: [
    e('', 1982326), e('CMD ["sh"]', 0, true),
    e('RUN /bin/sh -c echo base > /b.txt # buildkit', 5), e('ENV X=1', 0, true), e('COPY a.txt /a.txt # buildkit', 6),
    e('CMD ["sh"]', 0, true),
  ],
  legacy: [
    e('', 1982326), e('/bin/sh -c #(nop)  CMD ["sh"]', 0, true),
    e('/bin/sh -c echo base > /b.txt', 5), e('/bin/sh -c #(nop)  ENV X=1', 0, true),
    e('/bin/sh -c #(nop) COPY file:679c in /a.txt ', 6), e('/bin/sh -c #(nop)  ONBUILD RUN true', 0, true),
    e('/bin/sh -c #(nop)  CMD ["sh"]', 0, true),
  ],
};

function check(builder: Builder, eol: string, expected: Array<[line: number, entry: number | null]>, baseCount: number): void {
  const analysis = analyzeDockerfile(DOCKERFILE.join(eol), { builder, buildArgs: {} });
  const alignment = alignHistory(HISTORY[builder], analysis);
  assert.equal(alignment.baseCount, baseCount);
  assert.deepEqual(alignment.steps.map((s) => [s.line, s.entry]), expected);
}

for (const { name, eol } of EOLS) {
  test(`BuildKit history lines up with the chain's steps, ONBUILD has no entry (${name})`, () => {
    check('buildkit', eol, [[2, 2], [4, 3], [5, 4], [7, 5]], 2);
  });
  test(`legacy history lines up with every chain step, ONBUILD included (${name})`, () => {
    check('legacy', eol, [[2, 2], [4, 3], [5, 4], [6, 5], [7, 6]], 2);
  });
}

test('a step whose keyword does not match the next entry gets none, and the rest still align', () => {
  const analysis = analyzeDockerfile('FROM base:1\nRUN a\nCOPY x /x\n', { builder: 'buildkit', buildArgs: {} });
  const alignment = alignHistory([e('', 10), e('COPY x /x # buildkit', 3)], analysis);
  assert.deepEqual(alignment.steps, [{ line: 1, entry: null }, { line: 2, entry: 1 }]);
  assert.equal(alignment.baseCount, 1);
});

test('layer bytes pair RootFS layers with history sizes, counting 0-byte file steps as layers', () => {
  const entries = [e('', 100), e('CMD ["sh"]'), e('WORKDIR /app'), e('COPY a /a # buildkit', 7), e('ENV A=1')];
  assert.deepEqual(layerBytes(entries, 3), [100, 0, 7]);
  assert.deepEqual(layerBytes(entries, 2), [100, 7]);
  assert.deepEqual(layerBytes([e('/bin/sh -c #(nop)  CMD ["sh"]'), e('/bin/sh -c true'), e('/bin/sh -c make', 9)], 2), [0, 9]);
});

const MEASURED: BuildMeasurement = {
  builder: 'buildkit', target: null, finishedAt: 0,
  steps: [{ text: 'RUN echo base > /b.txt', bytes: 5, cache: 'hit' }, { text: 'COPY a.txt /a.txt', bytes: 6, cache: 'miss' }],
};

for (const { name, eol } of EOLS) {
  test(`measurements follow unchanged instructions after edits elsewhere (${name})`, () => {
    const text = ['FROM base:1', 'RUN echo new', 'RUN echo base > /b.txt', 'COPY a.txt /a.txt', 'COPY b.txt /b.txt'].join(eol);
    const analysis = withMeasurement(analyzeDockerfile(text, { builder: 'buildkit', buildArgs: {} }), text, MEASURED);
    const byLine = analysis.steps.map((s) => [s.line, s.size.source, s.size.bytes, s.cache.status]);
    assert.deepEqual(byLine.slice(1), [
      [1, 'heuristic', 0, 'unknown'], [2, 'measured', 5, 'hit'], [3, 'measured', 6, 'miss'], [4, 'unknown', null, 'unknown'],
    ]);
    assert.match(analysis.steps[2].size.detail ?? '', /unchanged/);
    assert.equal(analysis.totals.bytes, null);
  });
}

test('measurements of another builder are not applied', () => {
  const text = 'FROM base:1\nRUN echo base > /b.txt\n';
  const analysis = withMeasurement(analyzeDockerfile(text, { builder: 'legacy', buildArgs: {} }), text, MEASURED);
  assert.equal(analysis.steps[1].size.source === 'measured', false);
});

test('totals add measured bytes when every final step is measured', () => {
  const text = 'FROM base:1\nRUN echo base > /b.txt\nCOPY a.txt /a.txt\n';
  const analysis = withMeasurement(analyzeDockerfile(text, { builder: 'buildkit', buildArgs: {} }), text, MEASURED);
  assert.equal(analysis.totals.bytes, 11);
});

test('a lone \r ends a line for measurements as for the parser: each step gets its own measurement', () => {
  const text = 'FROM base:1\rRUN echo base > /b.txt\nCOPY a.txt /a.txt\r\n';
  const analysis = withMeasurement(analyzeDockerfile(text, { builder: 'buildkit', buildArgs: {} }), text, MEASURED);
  assert.deepEqual(analysis.steps.map((s) => [s.line, stepText(text, s), s.size.bytes, s.cache.status]), [
    [0, 'FROM base:1', null, 'unknown'], [1, 'RUN echo base > /b.txt', 5, 'hit'], [2, 'COPY a.txt /a.txt', 6, 'miss'],
  ]);
});

test('measured wasted bytes replace the estimates, and the image figures the totals, only while every step is unchanged', () => {
  const text = 'FROM base:1\nRUN echo base > /b.txt\nCOPY a.txt /a.txt\n';
  const waste: BuildMeasurement = {
    ...MEASURED, steps: MEASURED.steps.map((s, i) => ({ ...s, wasted: i === 0 ? 5 : 0 })), image: { efficiency: 0.5, wastedBytes: 10, userWastedPercent: 0.9 },
  };
  const analysis = withMeasurement(analyzeDockerfile(text, { builder: 'buildkit', buildArgs: {} }), text, waste);
  assert.deepEqual(analysis.steps.map((s) => s.wasted?.bytes), [undefined, 5, undefined]);
  assert.match(analysis.steps[1].wasted?.detail ?? '', /Measured in the image built at .*: 5 B of this layer/);
  assert.deepEqual([analysis.totals.wastedBytes, analysis.totals.efficiency, analysis.totals.wasteSource], [10, 0.5, 'measured']);
  const edited = `${text}RUN rm /b.txt\n`;
  const after = withMeasurement(analyzeDockerfile(edited, { builder: 'buildkit', buildArgs: {} }), edited, waste);
  assert.equal(after.steps[1].wasted, undefined);
  assert.notEqual(after.totals.wasteSource, 'measured');
});
