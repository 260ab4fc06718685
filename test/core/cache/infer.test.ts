import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeDocument } from '../../../server/src/core/analyze';
import { inferCache, type DatedEntry } from '../../../server/src/core/cache/infer';
import type { ContextIndex, ContextEntry } from '../../../server/src/core/context';
import type { Builder } from '../../../server/src/core/types';
import { EOLS, dockerfile } from '../../helpers';

const BUILT_AT = 1_000_000;

/** A context whose files have content hashes and modification times (`path: [content, mtimeMs]`). */
function contextOf(files: Record<string, [string, number]>): ContextIndex {
  const entries = new Map<string, ContextEntry>();
  for (const [path, [content, mtime]] of Object.entries(files)) {
    entries.set(path, { path, type: 'file', size: content.length, mode: 0o644, hash: `h:${content}`, stamp: `1:2:${content.length}:${mtime}:${mtime}` });
  }
  return { root: '/ctx', entries, ignoreFile: null, archives: new Map(), problems: [] };
}

const LINES = ['FROM base', 'COPY a.txt /app/', 'RUN make', 'LABEL v=1', 'COPY b.txt /app/', 'RUN test'];

/** The history a BuildKit or legacy build of LINES leaves (oldest first), with the base's own entry. */
function historyOf(builder: Builder): DatedEntry[] {
  const bk = ['COPY a.txt /app/ # buildkit', 'RUN /bin/sh -c make # buildkit', 'LABEL v=1', 'COPY b.txt /app/ # buildkit', 'RUN /bin/sh -c test # buildkit'];
  const legacy = ['/bin/sh -c #(nop) COPY file:aa in /app/ ', '/bin/sh -c make', '/bin/sh -c #(nop)  LABEL v=1', '/bin/sh -c #(nop) COPY file:bb in /app/ ', '/bin/sh -c test'];
  return [{ createdBy: 'base', emptyLayer: false, bytes: 1, createdMs: 1 }, ...(builder === 'buildkit' ? bk : legacy).map((createdBy) => ({ createdBy, emptyLayer: false, bytes: 1, createdMs: BUILT_AT }))];
}

function check(lines: string[], files: Record<string, [string, number]>, builder: Builder, expected: string[]): void {
  for (const { eol } of EOLS) {
    const index = contextOf(files);
    const run = analyzeDocument(dockerfile(lines, eol), { builder, buildArgs: {}, cache: { baseline: null } }, index);
    const mtimeOf = (p: string): number | null => Number(index.entries.get(p)?.stamp?.split(':')[3] ?? NaN);
    const cache = inferCache(run.analysis, run.keys, { image: 'app:1', history: historyOf(builder), mtimeOf });
    assert.deepEqual(cache.map((c, i) => `${i}:${c.status}`).filter((s) => !s.endsWith('unknown')), expected, `${builder}`);
    for (const c of cache) assert.equal(c.source, 'inferred');
  }
}

const OLD = { 'a.txt': ['a', 10] as [string, number], 'b.txt': ['b', 20] as [string, number] };

test('an image built elsewhere: steps as written with older files are cached', () => {
  check(LINES, OLD, 'buildkit', ['1:hit', '2:hit', '4:hit', '5:hit']);
  check(LINES, OLD, 'legacy', ['1:hit', '2:hit', '3:hit', '4:hit', '5:hit']);
});

test('a copied file newer than the image reruns its COPY and what follows', () => {
  check(LINES, { ...OLD, 'b.txt': ['b2', BUILT_AT + 5_000] }, 'buildkit', ['1:hit', '2:hit', '4:miss', '5:miss']);
  check(LINES, { ...OLD, 'a.txt': ['a2', BUILT_AT + 5_000] }, 'legacy', ['1:miss', '2:miss', '3:miss', '4:miss', '5:miss']);
});

test('a changed instruction reruns; a changed LABEL only under the legacy builder', () => {
  const run = LINES.map((l) => (l === 'RUN make' ? 'RUN make all' : l));
  check(run, OLD, 'buildkit', ['1:hit', '2:miss', '4:miss', '5:miss']);
  const label = LINES.map((l) => (l === 'LABEL v=1' ? 'LABEL v=2' : l));
  check(label, OLD, 'buildkit', ['1:hit', '2:hit', '4:hit', '5:hit']);
  check(label, OLD, 'legacy', ['1:hit', '2:hit', '3:miss', '4:miss', '5:miss']);
});

test('an image built elsewhere gives sizes too: a cached step the history\'s bytes, a rerun its last figure', () => {
  const history = historyOf('buildkit').map((e, i) => ({ ...e, bytes: 100 * i }));
  const sized = (files: Record<string, [string, number]>) => {
    const index = contextOf(files);
    const mtimeOf = (p: string): number | null => Number(index.entries.get(p)?.stamp?.split(':')[3] ?? NaN);
    return analyzeDocument(dockerfile(LINES, '\n'), { builder: 'buildkit', buildArgs: {}, cache: { baseline: null, elsewhere: { image: 'app:1', history, mtimeOf } } }, index).analysis.steps;
  };
  // Everything cached: COPY a.txt and RUN make have the history's bytes (entries 1 and 2), exact.
  const cached = sized(OLD);
  assert.deepEqual([cached[1].size.bytes, cached[1].size.source, cached[2].size.bytes, cached[2].size.source, cached[2].size.lastBuild], [100, 'measured', 200, 'measured', undefined]);
  // a.txt changed: COPY a.txt keeps its exact size from the context; RUN make reruns with the image's figure, low confidence.
  const rerun = sized({ ...OLD, 'a.txt': ['a2', BUILT_AT + 5_000] });
  assert.deepEqual([rerun[1].cache.status, rerun[1].size.source, rerun[1].size.bytes], ['miss', 'exact', 2]);
  assert.deepEqual([rerun[2].cache.status, rerun[2].size.bytes, rerun[2].size.lastBuild, rerun[2].size.confidence], ['miss', 200, true, 'low']);
  assert.match(rerun[2].size.detail ?? '', /in app:1, which this step rebuilds/);
});
