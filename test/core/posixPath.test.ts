import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, resolve } from '../../server/src/core/posixPath';

test('resolve normalizes against a base folder', () => {
  const cases: Array<[string, string, string]> = [
    ['/', 'app', '/app'],
    ['/app', 'src', '/app/src'],
    ['/app', '/opt/', '/opt'],
    ['/app', '..', '/'],
    ['/app', '../../..', '/'],
    ['/a/b', './c/./d/..', '/a/b/c'],
    ['/', '', '/'],
    ['/', '//x//y/', '/x/y'],
  ];
  for (const [base, path, want] of cases) assert.equal(resolve(base, path), want, `${base} + ${path}`);
});

test('dirname of absolute paths', () => {
  assert.equal(dirname('/a/b'), '/a');
  assert.equal(dirname('/a'), '/');
  assert.equal(dirname('/'), '/');
});
