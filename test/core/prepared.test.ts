import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeDockerfile } from '../../server/src/core/analyze';
import type { ContextEntry, ContextIndex } from '../../server/src/core/context';
import type { Builder } from '../../server/src/core/types';

/** A context of `count` files in folders of ten, each with a hash of its own. */
function context(count: number): ContextIndex {
  const entries = new Map<string, ContextEntry>();
  for (let i = 0; i < count; i++) {
    const dir = `d${Math.floor(i / 10)}`;
    entries.set(dir, { path: dir, type: 'dir', size: 0, mode: 0o755 });
    entries.set(`${dir}/f${i}`, { path: `${dir}/f${i}`, type: 'file', size: i, mode: 0o644, hash: `h${i}` });
  }
  return { root: '/ctx', entries, ignoreFile: { name: '.dockerignore', text: 'd3\n' }, archives: new Map(), problems: [] };
}

const TEXT = 'FROM scratch\nCOPY . /app\nCOPY d1 /one\nCOPY d2/f25 /f\n';

/** The sizes and digests of the COPY steps. */
function copies(index: ContextIndex, builder: Builder): string[] {
  return analyzeDockerfile(TEXT, { builder, buildArgs: {} }, index).steps.filter((s) => s.keyword === 'COPY').map((s) => `${s.size.bytes} ${s.digest}`);
}

test('a delta of changed file contents patches the resolved copies: the same sizes and digests as a fresh walk', () => {
  for (const builder of ['buildkit', 'legacy'] as Builder[]) {
    for (const count of [40, 3000]) {
      let index = context(count);
      const before = copies(index, builder);
      // The server changes the entries in place and hands over a new index object with the delta.
      const changed = ['d1/f12', 'd2/f25', `d${Math.floor((count - 1) / 10)}/f${count - 1}`];
      for (const p of changed) index.entries.set(p, { ...index.entries.get(p)!, size: 7777, hash: `new-${p}`, mode: 0o755 });
      index = { ...index, delta: { from: index, paths: changed } };
      const patched = copies(index, builder);
      const fresh = copies({ ...index, delta: undefined, entries: new Map(index.entries) }, builder);
      assert.deepEqual(patched, fresh, `${builder}, ${count} files`);
      assert.notDeepEqual(patched, before, `${builder}, ${count} files: the change shows`);
    }
  }
});
