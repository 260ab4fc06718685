import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeDockerfile } from '../../server/src/core/analyze';
import type { LayersResult } from '../../server/src/protocol';
import { bundledBuildkit, DEFAULT_ENGINE } from '../../server/src/core/engine';
import { imageRows, statusText, withFreshEntry, workspaceRow, type Row } from '../../client/src/explorer/nodes';

const TEXT = ['FROM alpine AS build', 'RUN touch /a', 'FROM alpine AS lint', 'RUN touch /l', 'FROM alpine', 'ENV A=1', 'COPY --from=build /a /a', 'CMD ["x"]'].join('\n');

function result(builder: 'buildkit' | 'legacy' = 'buildkit'): LayersResult {
  return { uri: 'file:///w/Dockerfile', version: 1, analysis: analyzeDockerfile(TEXT, { builder, buildArgs: {} }) };
}

const brief = (r: Row): unknown => [r.label, r.description, r.dimmed, r.children.map(brief)];

test('top rows: the image with its totals, then stages with steps; stages outside the target marked and dimmed', () => {
  const [image, ...stages] = imageRows(result(), { showMetadata: true });
  assert.deepEqual([image.label, image.description, image.children], ['Image', `1 layer · size unknown · BuildKit ${bundledBuildkit(DEFAULT_ENGINE.version)} · Docker ${DEFAULT_ENGINE.version}`, []]);
  assert.deepEqual(stages.map((s) => [s.label, s.description, s.dimmed, s.icon]), [
    ['build', 'not in final image · 1 layer · ?', true, 'stage-off'],
    ['lint', 'not built · 0 layers · 0 B', true, 'stage-off'],
    ['stage #2', 'in final image · 1 layer · ?', false, 'stage'],
  ]);
  const final = stages[2];
  assert.deepEqual(final.children.map((r) => [r.label, r.description, r.icon, r.dimmed, r.reveal?.line]), [
    ['FROM alpine', 'stage · in final image', 'metadata', true, 4],
    ['ENV A=1', 'no layer · metadata', 'metadata', true, 5],
    ['COPY --from=build /a /a', '+ layer', 'layer', false, 6],
    ['CMD ["x"]', 'no layer · metadata', 'metadata', true, 7],
  ]);
  assert.equal(stages[1].children[1].icon, 'skipped');
  const ids = stages.flatMap((st) => [st.id, ...st.children.map((c) => c.id)]);
  assert.equal(new Set(ids).size, ids.length, 'ids are unique');
  assert.equal(final.children[2].id, 'file:///w/Dockerfile#stage2#line6');
});

test('hiding metadata keeps FROM and layer steps', () => {
  const stages = imageRows(result(), { showMetadata: false }).slice(1);
  assert.deepEqual(stages[2].children.map((r) => r.label), ['FROM alpine', 'COPY --from=build /a /a']);
});

test('measured images add base layers and largest files', () => {
  const r = result();
  r.measured = {
    imageId: 'sha256:x', builder: 'buildkit', target: null, finishedAt: 0, cachedLines: [],
    baseLayers: [{ line: null, createdBy: 'Imported from -', bytes: 2_000_000, largestFiles: [{ path: 'bin/busybox', bytes: 1_990_000 }] }],
    layers: [{ line: 6, createdBy: 'COPY /a /a # buildkit', bytes: 6, largestFiles: [{ path: 'a', bytes: 6 }] }],
  };
  const [image, base, ...stages] = imageRows(r, { showMetadata: true });
  assert.equal(image.label, 'Image');
  assert.deepEqual(brief(base), ['Base image layers', '1 layer · 2.0 MB · shared', false, [['Imported from -', '2.0 MB', false, [['bin/busybox', '2.0 MB', false, []]]]]]);
  assert.deepEqual(stages[2].children[2].children.map((f) => f.label), ['a']);
});

test('workspace row and status text', () => {
  const row = workspaceRow({ entries: [{ uri: 'file:///w/a/Dockerfile', bytes: 10_000_000, layers: 2, base: 'debian', baseBytes: 100_000_000 }], sharedBytes: 100_000_000, sharedNote: null }, (u) => u.slice(10));
  assert.equal(row.description, '1 Dockerfile · 100 MB shared');
  assert.equal(row.children[0].label, 'a/Dockerfile');
  assert.equal(row.children[0].description, '2 layers · 10.0 MB · on debian (100 MB)');
  assert.equal(statusText(result('legacy').analysis), '$(layers) 1 layer · size ?');
});

test('lower bounds (a scan stopped at the limit) read ≥ in every row and the status bar', () => {
  const entries = new Map([['a.txt', { path: 'a.txt', type: 'file' as const, size: 3000, mode: 0o644 }]]);
  const context = { root: '/w', entries, ignoreFile: null, archives: new Map(), problems: [], incomplete: 'stopped at the limit', partial: true as const };
  const analysis = analyzeDockerfile('FROM scratch\nCOPY . /x\n', { builder: 'buildkit', buildArgs: {} }, context);
  const [image, stage] = imageRows({ uri: 'file:///w/Dockerfile', version: 1, analysis }, { showMetadata: true });
  assert.deepEqual([image.description.split(' · ').slice(0, 2).join(' · '), stage.description, stage.children[1].description], ['1 layer · ≥ 3.0 kB', 'in final image · 1 layer · ≥ 3.0 kB', '+ layer · ≥ 3.0 kB']);
  assert.match(image.tooltip, /≥ 3\.0 kB on top of the base image \(a lower bound/);
  assert.match(stage.children[1].tooltip, /Size: ≥ 3\.0 kB \(at least, exact\)/);
  assert.equal(statusText(analysis), '$(layers) 1 layer · ≥ 3.0 kB');
  const summary = { entries: [{ uri: 'file:///w/Dockerfile', bytes: 5, layers: 4, base: null, baseBytes: null }], sharedBytes: null, sharedNote: null };
  const fresh = withFreshEntry(summary, { uri: 'file:///w/Dockerfile', version: 1, analysis });
  assert.equal(workspaceRow(fresh, (u) => u).children[0].description, '1 layer · ≥ 3.0 kB');
});

test('the active Dockerfile\'s workspace entry follows its latest analysis', () => {
  const summary = { entries: [{ uri: 'file:///w/Dockerfile', bytes: null, layers: 4, base: 'alpine', baseBytes: null }, { uri: 'file:///w/b/Dockerfile', bytes: 5, layers: 1, base: null, baseBytes: null }], sharedBytes: null, sharedNote: 'daemon unreachable' };
  const fresh = withFreshEntry(summary, result());
  assert.deepEqual(fresh.entries.map((e) => e.layers), [1, 1]);
  assert.equal(summary.entries[0].layers, 4, 'the input is not changed');
});
