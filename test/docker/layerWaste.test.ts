import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EntryBudget, diveEntry } from '../../server/src/docker/layerWaste';

test('tar headers as dive reads them: paths normalized, whiteouts and opaque markers by name, header sizes', () => {
  const h = (name: string, type: 'file' | 'directory' | 'symlink' | 'link', size = 0) => diveEntry({ name, type, size });
  assert.deepEqual(h('./app/a.txt', 'file', 6), { path: '/app/a.txt', kind: 'file', bytes: 6 });
  assert.deepEqual(h('app/', 'directory'), { path: '/app', kind: 'dir', bytes: 0 });
  assert.deepEqual(h('bin/sh', 'symlink'), { path: '/bin/sh', kind: 'link', bytes: 0 });
  assert.deepEqual(h('app/.wh.a.txt', 'file'), { path: '/app/a.txt', kind: 'whiteout', bytes: 0 });
  assert.deepEqual(h('.wh.www', 'file'), { path: '/www', kind: 'whiteout', bytes: 0 });
  assert.deepEqual(h('app/.wh..wh..opq', 'file'), { path: '/app', kind: 'opaque', bytes: 0 });
  assert.equal(h('app/.wh..wh.plnk', 'file'), null);
  assert.equal(h('./', 'directory'), null);
});

test('the entry budget runs out and says so', () => {
  const b = new EntryBudget(2);
  assert.deepEqual([b.take(), b.take(), b.take()], [true, true, false]);
  assert.equal(b.exceeded, true);
});
