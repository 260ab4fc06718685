/**
 * Sizes on every line, from what the adapters found (base image facts) and from the recorded build: FROM lines,
 * the image totals the status bar and the explorer show, a cached step's exact bytes and a rerun's last figure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeDocument } from '../../server/src/core/analyze';
import { baselineOf } from '../../server/src/core/cache/record';
import type { BaseImageFacts } from '../../server/src/core/baseImage';
import type { AnalysisOptions, Analysis } from '../../server/src/core/types';
import { hintLabel, hoverMarkdown, imageSizeText } from '../../server/src/core/present';
import { statusText } from '../../client/src/explorer/nodes';
import { toJsonReport } from '../../server/src/cli/report';

const LOCAL: BaseImageFacts = {
  ref: 'debian:bookworm', bytes: 199_000_000, source: 'local', id: 'sha256:aa', arch: 'amd64',
  layers: [{ id: 'sha256:l1', bytes: 199_000_000 }], os: { id: 'debian', codename: 'bookworm' },
};
const REMOTE: BaseImageFacts = {
  ref: 'alpine:3.20', bytes: 3_600_000, source: 'registry', id: 'sha256:bb', arch: 'amd64', layers: [{ id: 'sha256:r1', bytes: 3_600_000 }],
};

function analyze(lines: string[], bases: Record<string, BaseImageFacts> | undefined, cache?: AnalysisOptions['cache']): Analysis {
  const options: AnalysisOptions = { builder: 'buildkit', buildArgs: {}, ...(bases ? { sizes: { bases, catalog: null } } : {}), ...(cache ? { cache } : {}) };
  return analyzeDocument(lines.join('\n'), options).analysis;
}

test('FROM a local image: its exact size on the line, and the whole image in the totals', () => {
  const a = analyze(['FROM debian:bookworm', 'WORKDIR /app', 'ENV A=1'], { 'debian:bookworm': LOCAL });
  const from = a.steps[0];
  assert.deepEqual([from.size.bytes, from.size.source, from.size.compressed], [199_000_000, 'base', undefined]);
  assert.equal(hintLabel(from, a), 'stage · in final image · 199 MB');
  assert.match(hoverMarkdown(from, a), /Image size: 199 MB \(199000000 bytes, base image\): debian:bookworm in the local image store: 1 layers/);
  assert.deepEqual([a.totals.bytes, a.totals.imageBytes, a.totals.base?.bytes], [0, 199_000_000, 199_000_000]);
  assert.equal(imageSizeText(a.totals), '199 MB (base 199 MB)');
});

test('FROM an image only a registry knows: compressed, labelled so, and not added to unpacked bytes', () => {
  const a = analyze(['FROM alpine:3.20', 'WORKDIR /app'], { 'alpine:3.20': REMOTE });
  assert.equal(hintLabel(a.steps[0], a), 'stage · in final image · ~3.6 MB compressed');
  assert.match(a.steps[0].size.detail ?? '', /compressed; pulled it takes more/);
  assert.equal(a.totals.imageBytes, null);
  assert.equal(imageSizeText(a.totals), '0 B + base ~3.6 MB compressed');
  assert.equal(statusText(a), '$(layers) 1 layer · 0 B + base ~3.6 MB compressed');
});

test('FROM an unknown image says why; without any lookup the reason says none was made', () => {
  const a = analyze(['FROM nowhere:1', 'RUN true'], { 'nowhere:1': { ref: 'nowhere:1', bytes: null, why: 'The registry 127.0.0.1:9 did not answer within 3 s.' } });
  assert.deepEqual([a.steps[0].size.bytes, a.steps[0].size.detail], [null, 'The registry 127.0.0.1:9 did not answer within 3 s.']);
  assert.equal(a.totals.base?.why, 'The registry 127.0.0.1:9 did not answer within 3 s.');
  assert.equal(hintLabel(a.steps[0], a), 'stage · in final image');
  const none = analyze(['FROM nowhere:1'], undefined);
  assert.match(none.steps[0].size.detail ?? '', /not looked up/);
  assert.equal(statusText(none), '$(layers) 0 layers · 0 B + base ?');
});

test('FROM an earlier stage: that stage\'s image, its base and layers', () => {
  const a = analyze(['FROM debian:bookworm AS base', 'WORKDIR /w', 'FROM base', 'WORKDIR /x'], { 'debian:bookworm': LOCAL });
  assert.deepEqual([a.steps[2].size.bytes, a.steps[2].size.source], [199_000_000, 'base']);
  assert.match(a.steps[2].size.detail ?? '', /The image of stage base/);
  assert.equal(a.totals.base?.ref, 'debian:bookworm');
  assert.equal(a.totals.imageBytes, 199_000_000);
});

test('after a recorded build: a cached step has the bytes it measured; a rerun shows its last figure as an estimate', () => {
  const lines = ['FROM debian:bookworm', 'RUN echo one > /one', 'RUN echo two > /two'];
  const first = analyzeDocument(lines.join('\n'), { builder: 'buildkit', buildArgs: {}, cache: { baseline: null, why: 'none yet' } });
  const bytes = new Map<number, number | null>([[1, 12_400_000], [2, 4_000]]);
  const baseline = baselineOf(first.analysis, first.keys, { cache: new Map([[1, 'miss'], [2, 'miss']]), seconds: new Map(), bytes }, { dockerfile: '/d/Dockerfile', target: null, engineVersion: null, imageId: null, builtAt: 0 });
  const same = analyze(lines, { 'debian:bookworm': LOCAL }, { baseline });
  assert.deepEqual(same.steps.slice(1).map((s) => [s.cache.status, s.size.bytes, s.size.source, s.size.lastBuild]), [['hit', 12_400_000, 'measured', undefined], ['hit', 4_000, 'measured', undefined]]);
  assert.equal(same.totals.imageBytes, 199_000_000 + 12_404_000);
  assert.equal(statusText(same), '$(layers) 2 layers · 211 MB (base 199 MB) · all cached');
  // A change to the first RUN: it is a new instruction with no estimate; the second reruns with its last figure.
  const changed = analyze(['FROM debian:bookworm', 'RUN echo uno > /one', 'RUN echo two > /two'], { 'debian:bookworm': LOCAL }, { baseline });
  const [one, two] = changed.steps.slice(1);
  assert.deepEqual([one.cache.status, one.size.bytes], ['miss', 12_400_000]);
  assert.deepEqual([one.size.lastBuild, one.size.confidence], [true, 'low']);
  assert.deepEqual([two.cache.status, two.size.bytes, two.size.lastBuild, two.size.confidence], ['miss', 4_000, true, 'medium']);
  assert.equal(hintLabel(two, changed), '+ layer · 4.0 kB last build · rebuild');
  assert.match(hoverMarkdown(two, changed), /Size: 4\.0 kB last build \(4000 bytes, the last build's measurement, medium confidence\): 4\.0 kB last build \(line 3/);
  assert.match(hoverMarkdown(two, changed), /From the instruction alone: unknown: /);
  assert.equal(changed.totals.estimated, true);
  assert.equal(imageSizeText(changed.totals), '~211 MB (base 199 MB)');
  const json = toJsonReport(changed, '/d/Dockerfile', '/d') as { steps: Array<{ size: Record<string, unknown> }> };
  assert.deepEqual([json.steps[2].size.lastBuild, json.steps[2].size.confidence, (json.steps[2].size.estimate as { source: string }).source], [true, 'medium', 'unknown']);
});

test('a step cached from an older recorded build has the bytes that build measured (knownBytes)', () => {
  const lines = ['FROM debian:bookworm', 'RUN echo one > /one'];
  const first = analyzeDocument(lines.join('\n'), { builder: 'buildkit', buildArgs: {}, cache: { baseline: null, why: 'none yet' } });
  const key = first.keys[1].key ?? '';
  const other = analyzeDocument('FROM debian:bookworm\nRUN echo other > /one', { builder: 'buildkit', buildArgs: {}, cache: { baseline: null, why: 'none yet' } });
  const newer = baselineOf(other.analysis, other.keys, { cache: new Map(), seconds: new Map(), bytes: new Map([[1, 9]]) }, { dockerfile: '/d/Dockerfile', target: null, engineVersion: null, imageId: null, builtAt: 0 });
  const a = analyze(lines, { 'debian:bookworm': LOCAL }, { baseline: { ...newer, knownKeys: [key], knownBytes: { [key]: 777 } } });
  assert.deepEqual([a.steps[1].cache.status, a.steps[1].size.bytes, a.steps[1].size.source], ['hit', 777, 'measured']);
});

test('wasted space that would make typing wait is left unknown: two copies of 25,000 files over each other', () => {
  const entries = new Map<string, { path: string; type: 'file' | 'dir'; size: number; mode: number; hash?: string }>();
  for (let d = 0; d < 250; d++) {
    entries.set(`d${d}`, { path: `d${d}`, type: 'dir', size: 0, mode: 0o755 });
    for (let f = 0; f < 100; f++) entries.set(`d${d}/f${f}`, { path: `d${d}/f${f}`, type: 'file', size: 10, mode: 0o644, hash: `h${d}.${f}` });
  }
  const context = { root: '/ctx', entries, ignoreFile: null, archives: new Map(), problems: [] } as Parameters<typeof analyzeDocument>[2];
  const run = (text: string) => analyzeDocument(text, { builder: 'buildkit', buildArgs: {} }, context).analysis;
  run('FROM scratch\nCOPY . /app\n');
  const began = performance.now();
  const twice = run('FROM scratch\nCOPY . /app\nCOPY . /app\n');
  assert.ok(performance.now() - began < 2_000);
  assert.deepEqual([twice.totals.wastedBytes, twice.totals.wastedLowerBound, twice.totals.efficiency, twice.steps[1].wasted], [0, true, null, undefined]);
  // A small overlap is still modelled exactly: one file copied, then everything.
  const small = run('FROM scratch\nCOPY d0/f0 /app/d0/f0\nCOPY . /app\n');
  assert.deepEqual([small.steps[1].wasted?.bytes, small.totals.wastedLowerBound], [10, undefined]);
});
