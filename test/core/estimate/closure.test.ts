import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installedClosure, resolveInstall } from '../../../server/src/core/estimate/closure';
import { suiteOf } from './catalog';

const SUITE = suiteOf({
  app: [100, 10, ['libx', 'mail-transport-agent'], ['docs']],
  libx: [50, 5, ['libc']],
  libc: [1000, 100, []],
  postfix: [300, 30, ['libc'], ['docs'], ['mail-transport-agent']],
  docs: [20, 2, [], ['more-docs']],
  'more-docs': [7, 1, []],
  other: [5, 1, ['libx', 'libx']],
});

/** Checks the names an install adds (in apt's breadth-first order) and the names it cannot find. */
function check(names: string[], installed: string[], recommends: boolean, added: string[], missing: string[] = []): void {
  const r = resolveInstall(SUITE, names, new Set(installed), recommends);
  assert.deepEqual(r.added.map((p) => p.name), added);
  assert.deepEqual(r.missing, missing);
}

test('an install adds the named packages and their dependencies not installed yet', () => {
  check(['app'], ['libc'], false, ['app', 'libx', 'postfix']);
  check(['app'], [], false, ['app', 'libx', 'postfix', 'libc']);
  check(['libx', 'libx', 'other'], ['libc'], false, ['libx', 'other']);
  check(['libc'], ['libc'], false, []);
});

test('recommends are followed through every added package unless told not to', () => {
  check(['app'], ['libc'], true, ['app', 'libx', 'postfix', 'docs', 'more-docs']);
  check(['postfix'], ['libc', 'docs'], true, ['postfix']);
});

test('a virtual name resolves to its first provider; an unknown name is missing, an unknown recommendation skipped', () => {
  check(['mail-transport-agent'], ['libc'], false, ['postfix']);
  check(['nope', 'libx'], ['libc'], false, ['libx'], ['nope']);
  const suite = suiteOf({ a: [1, 1, ['gone'], ['absent']] });
  assert.deepEqual(resolveInstall(suite, ['a'], new Set(), true).missing, ['gone']);
});

test('the installed set of a minimal system is its seeds and their dependencies', () => {
  assert.deepEqual([...installedClosure(SUITE, ['libx'])].sort(), ['libc', 'libx']);
});
