/**
 * The CLI's table and JSON for sizes that are exact, lower bounds (a scan stopped at the limit) and unknown
 * (a context that was refused or could not be listed): a lower bound reads `≥ …` and carries `lowerBound`, and
 * a size that was not measured is never a number.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContextIndex } from '../../server/src/core/context';
import { analyzeDockerfile } from '../../server/src/core/analyze';
import { toJsonReport, toTable } from '../../server/src/cli/report';
import { contextEntries, dockerfile, EOLS } from '../helpers';

const ENTRIES = { 'a.txt': 1000, 'dir/': null, 'dir/b.txt': 2000 };
const PARTIAL = 'The build context has more than 2 files; the scan stopped there, so sizes are lower bounds.';
const REFUSED = 'The build context is /, the whole file system: not scanned.';

function contextOf(extra: Partial<ContextIndex>, spec: Record<string, number | null> = ENTRIES): ContextIndex {
  return { root: '/ctx', entries: contextEntries(spec), ignoreFile: null, archives: new Map(), problems: [], ...extra };
}

interface Expected {
  /** The COPY row's SIZE cell and the size part of the last line. */
  cell: string;
  final: string;
  size: { bytes: number | null; source: string; lowerBound: boolean };
  totals: { layers: number; bytes: number | null; lowerBound: boolean; nextBuild: null };
}

function check(context: ContextIndex, want: Expected): void {
  for (const { eol } of EOLS) {
    const analysis = analyzeDockerfile(dockerfile(['FROM scratch', 'COPY . /x', 'ENV A=1'], eol), { builder: 'buildkit', buildArgs: {} }, context);
    const table = toTable(analysis).split('\n');
    const row = table.find((l) => l.includes('COPY . /x')) ?? '';
    assert.equal(row.split(/\s{2,}/)[4], want.cell, row);
    assert.match(table[table.length - 1], new RegExp(`^Final image: 1 layer added, ${want.final} \\(`));
    const json = toJsonReport(analysis, '/ctx/Dockerfile', '/ctx') as { steps: Array<{ size: { detail: string | null } }>; totals: Record<string, unknown> };
    const { detail, ...size } = json.steps[1].size;
    assert.deepEqual(size, want.size);
    // Every size says where it comes from, or why it is unknown.
    assert.ok(typeof detail === 'string' && detail.length > 10, String(detail));
    assert.deepEqual(json.steps[2].size, { bytes: 0, source: 'none', lowerBound: false, detail: null });
    const { layers, bytes, lowerBound, nextBuild, base, imageBytes } = json.totals;
    assert.deepEqual({ layers, bytes, lowerBound, nextBuild }, want.totals);
    // FROM scratch: no base image, the image is its own layers.
    assert.deepEqual({ base, imageBytes }, { base: null, imageBytes: want.totals.bytes });
  }
}

test('an exact size: the number, lowerBound false', () => {
  check(contextOf({}), {
    cell: '3.0 kB', final: '3\\.0 kB', size: { bytes: 3000, source: 'exact', lowerBound: false }, totals: { layers: 1, bytes: 3000, lowerBound: false, nextBuild: null },
  });
});

test('a scan stopped at the limit: ≥ in the table, lowerBound in the JSON step and totals', () => {
  check(contextOf({ incomplete: PARTIAL, partial: true }), {
    cell: '≥ 3.0 kB', final: '≥ 3\\.0 kB', size: { bytes: 3000, source: 'exact', lowerBound: true }, totals: { layers: 1, bytes: 3000, lowerBound: true, nextBuild: null },
  });
});

test('a context that was not scanned (refused, unlistable, failed): ?, size unknown, bytes null, never 0 B', () => {
  for (const incomplete of [REFUSED, 'The build context /ctx cannot be listed (permission denied): nothing in it was measured.']) {
    check(contextOf({ incomplete }, {}), {
      cell: '?', final: 'size unknown', size: { bytes: null, source: 'unknown', lowerBound: false }, totals: { layers: 1, bytes: null, lowerBound: false, nextBuild: null },
    });
  }
});

test('a source beyond a stopped scan is unknown, not a build error', () => {
  const analysis = analyzeDockerfile('FROM scratch\nCOPY later.txt /x\n', { builder: 'buildkit', buildArgs: {} }, contextOf({ incomplete: PARTIAL, partial: true }));
  assert.deepEqual([analysis.steps[1].size.bytes, analysis.findings.filter((f) => f.code === 'copy-source')], [null, []]);
  assert.match(analysis.steps[1].size.detail ?? '', /not among the paths scanned before the scan stopped/);
});
