import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanPath, goMatch, includedPaths, isIgnored, parseIgnore, type IgnoreFlavor } from '../../server/src/core/ignore';
import { EOLS } from '../helpers';

test('goMatch follows Go filepath.Match (cases from Go\'s match_test.go)', () => {
  const cases: Array<[string, string, boolean | null]> = [
    ['abc', 'abc', true], ['*', 'abc', true], ['*c', 'abc', true], ['a*', 'a', true], ['a*', 'abc', true],
    ['a*', 'ab/c', false], ['a*/b', 'abc/b', true], ['a*/b', 'a/c/b', false],
    ['a*b*c*d*e*/f', 'axbxcxdxe/f', true], ['a*b*c*d*e*/f', 'axbxcxdxexxx/f', true],
    ['a*b*c*d*e*/f', 'axbxcxdxe/xxx/f', false], ['a*b*c*d*e*/f', 'axbxcxdxexxx/fff', false],
    ['a*b?c*x', 'abxbbxdbxebxczzx', true], ['a*b?c*x', 'abxbbxdbxebxczzy', false],
    ['ab[c]', 'abc', true], ['ab[b-d]', 'abc', true], ['ab[e-g]', 'abc', false], ['ab[^c]', 'abc', false],
    ['ab[^b-d]', 'abc', false], ['ab[^e-g]', 'abc', true], ['a\\*b', 'a*b', true], ['a\\*b', 'ab', false],
    ['a?b', 'a☺b', true], ['a[^a]b', 'a☺b', true], ['a???b', 'a☺b', false], ['[a-ζ]*', 'α', true], ['*[a-ζ]', 'A', false],
    ['a?b', 'a/b', false], ['a*b', 'a/b', false], ['[\\]a]', ']', true], ['[\\-]', '-', true], ['[x\\-]', 'z', false],
    ['[]a]', ']', null], ['[-]', '-', null], ['[x-]', 'x', null], ['\\', 'a', null], ['[a-b-c]', 'a', null],
    ['[', 'a', null], ['[^bc', 'a', null], ['a[', 'a', null], ['a[', 'x', null], ['a/b[', 'x', null], ['*x', 'xxx', true],
    ['*', '.hidden', true], ['**', 'a/b', false], ['[!a]', '!', true],
  ];
  for (const [pattern, name, expected] of cases) assert.equal(goMatch(pattern, name), expected, `${pattern} vs ${name}`);
});

test('cleanPath is Go filepath.Clean', () => {
  const cases: Array<[string, string]> = [
    ['', '.'], ['a/../b.txt', 'b.txt'], ['/a/./b/', '/a/b'], ['../x', '../x'], ['/../x', '/x'], ['a//b', 'a/b'], ['a/..', '.'],
  ];
  for (const [input, expected] of cases) assert.equal(cleanPath(input), expected, input);
});

/** Checks which of `paths` an ignore file excludes (files only, judged alone). */
function check(lines: string[], excluded: string[], kept: string[], flavor: IgnoreFlavor = 'moby20'): void {
  for (const { eol } of EOLS) {
    const rules = parseIgnore(lines.join(eol), flavor);
    for (const p of excluded) assert.equal(isIgnored(rules, p), true, `${lines.join(' | ')}: ${p} is excluded`);
    for (const p of kept) assert.equal(isIgnored(rules, p), false, `${lines.join(' | ')}: ${p} is kept`);
  }
}

test('Docker documentation examples', () => {
  check(['# comment', '*/temp*', '*/*/temp*', 'temp?'],
    ['somedir/temporary.txt', 'somedir/temp', 'somedir/subdir/temporary.txt', 'tempa', 'tempb'], ['temp', 'a/b/c/temp', 'temporary']);
  check(['**/*.go'], ['a.go', 'x/y/z.go'], ['a.gox']);
  check(['*.md', '!README.md'], ['a.md'], ['README.md']);
  check(['*.md', '!README*.md', 'README-secret.md'], ['a.md', 'README-secret.md'], ['README-x.md']);
  check(['*.md', 'README-secret.md', '!README*.md'], ['a.md'], ['README-secret.md', 'README-x.md']);
});

test('leading slash, .. cleaning, comments, whitespace, BOM, case', () => {
  check(['/build'], ['build', 'build/x'], ['sub/build']);
  check(['a/../b.txt'], ['b.txt'], ['a/b.txt']);
  check(['  # not a comment', '# comment'], ['# not a comment'], ['# comment', 'comment']);
  check(['\uFEFFbom.txt', '  spaced.txt  '], ['bom.txt', 'spaced.txt'], []);
  check(['Secret'], ['Secret'], ['secret']);
  check(['dir/'], ['dir', 'dir/x'], ['dirx']);
  check(['!'], [], ['x']);
});

test('moby 20.10 quirks the real builders share', () => {
  // Only `.` and `$` are escaped in moby's regexp, so `(`, `+` keep their regexp meaning.
  check(['f(1).txt', 'g+h.txt'], ['f1.txt', 'ggh.txt'], ['f(1).txt', 'g+h.txt']);
  // A parent folder is checked at the pattern's own depth only.
  check(['**/node'], ['node', 'a/node'], ['w/v/node/other', 'node/x']);
  // Judged alone `node/x` is kept, but the walk never enters the excluded folder `node`.
  checkWalk(['**/node', '!w/v/node/keep'], ['node/', 'node/x', 'w/', 'w/v/', 'w/v/node/', 'w/v/node/keep', 'w/v/node/other'], {
    buildkit: ['w', 'w/v', 'w/v/node', 'w/v/node/keep', 'w/v/node/other'], legacy: ['w', 'w/v', 'w/v/node', 'w/v/node/keep', 'w/v/node/other'],
  });
});

test('moby/patternmatcher (Docker 23+) escapes regexp characters and checks every parent folder', () => {
  check(['f(1).txt', 'g+h.txt'], ['f(1).txt', 'g+h.txt'], ['f1.txt', 'ggh.txt'], 'moby23');
  check(['**/node'], ['node', 'a/node', 'w/v/node/other', 'node/x'], ['nodes', 'a/nodex'], 'moby23');
  checkWalk(['**/node', '!w/v/node/keep'], ['node/', 'node/x', 'w/', 'w/v/', 'w/v/node/', 'w/v/node/keep', 'w/v/node/other'], {
    buildkit: ['w', 'w/v', 'w/v/node', 'w/v/node/keep'], legacy: ['w', 'w/v', 'w/v/node', 'w/v/node/keep'],
  }, 'moby23');
});

test('Docker 23+: BuildKit walks into excluded folders when an exception has wildcards, and sends a folder only for what it holds', () => {
  checkWalk(['exc', '!**/exc/keep'], ['exc/', 'exc/keep', 'exc/other', 'x'], { buildkit: ['exc', 'exc/keep', 'x'], legacy: ['x'] }, 'moby23');
  checkWalk(['e', '!e/nothing'], ['e/', 'e/other'], { buildkit: [], legacy: [] }, 'moby23');
  checkWalk(['docs/', '!docs/README.md', 'build/', '!build/keep/'], ['build/', 'build/keep/', 'build/keep/k', 'build/x', 'docs/', 'docs/README.md', 'docs/o.md'], {
    buildkit: ['build', 'build/keep', 'build/keep/k', 'docs', 'docs/README.md'], legacy: ['build', 'build/keep', 'build/keep/k', 'docs', 'docs/README.md'],
  }, 'moby23');
});

test('invalid patterns and a lone ! are problems (Docker rejects the file)', () => {
  assert.deepEqual(parseIgnore('ok\n[\n!\n').problems.map((p) => p.line), [1, 2]);
  assert.deepEqual(parseIgnore('ok\n# [\n').problems, []);
});

/** Checks the walk: which paths each builder receives. */
function checkWalk(lines: string[], entries: string[], expected: { buildkit: string[]; legacy: string[] }, flavor: IgnoreFlavor = 'moby20'): void {
  const walk = entries.map((e) => ({ path: e.replace(/\/$/, ''), isDir: e.endsWith('/') }));
  for (const { eol } of EOLS) {
    const rules = parseIgnore(lines.join(eol), flavor);
    for (const builder of ['buildkit', 'legacy'] as const) {
      assert.deepEqual(includedPaths(rules, walk, builder), expected[builder], `${builder}: ${lines.join(' | ')}`);
    }
  }
}

test('excluded folders are skipped unless an exception starts with their path', () => {
  checkWalk(['exc', '!**/exc/keep'], ['exc/', 'exc/keep', 'x'], { buildkit: ['x'], legacy: ['x'] });
  checkWalk(['secret', '!secret/public'], ['secret/', 'secret/public', 'secret/s'], { buildkit: ['secret', 'secret/public'], legacy: ['secret', 'secret/public'] });
  checkWalk(['e', '!e/nothing'], ['e/', 'e/other'], { buildkit: ['e'], legacy: [] });
  checkWalk(['deep/x', '!deep/x/y/keep'], ['deep/', 'deep/x/', 'deep/x/y/', 'deep/x/y/keep', 'deep/x/z'], {
    buildkit: ['deep', 'deep/x', 'deep/x/y', 'deep/x/y/keep'], legacy: ['deep', 'deep/x', 'deep/x/y', 'deep/x/y/keep'],
  });
  checkWalk([], ['b', 'a/', 'a/x', 'a.txt'], { buildkit: ['a', 'a/x', 'a.txt', 'b'], legacy: ['a', 'a/x', 'a.txt', 'b'] });
});
