import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandWord, parsePairs, splitWords } from '../../server/src/core/variables';

const vars: Record<string, string | null> = { A: 'a', EMPTY: '', NOVAL: null, PATHV: '/usr/bin' };
const lookup = (n: string): string | null | undefined => (n in vars ? vars[n] : undefined);

function check(word: string, value: string, unresolved: string[] = [], escape = '\\'): void {
  const e = expandWord(word, lookup, escape);
  assert.equal(e.value, value, word);
  assert.deepEqual(e.unresolved, unresolved, word);
}

test('expandWord: plain and braced references', () => {
  check('$A', 'a');
  check('${A}', 'a');
  check('x${A}y$A', 'xaya');
  check('$MISSING', '', ['MISSING']);
  check('${MISSING}/bin', '/bin', ['MISSING']);
  check('$', '$');
  check('$1', '$1');
  check('cost: $$', 'cost: $$');
});

test('expandWord: default and alternative forms', () => {
  check('${MISSING:-def}', 'def');
  check('${EMPTY:-def}', 'def');
  check('${EMPTY-def}', '');
  check('${A:-def}', 'a');
  check('${A:+alt}', 'alt');
  check('${EMPTY:+alt}', '');
  check('${EMPTY+alt}', 'alt');
  check('${MISSING+alt}', '');
  check('${MISSING:-${A}}', 'a');
  check('${MISSING:?err}', '', ['MISSING']);
});

test('expandWord: quotes and escapes', () => {
  check("'$A'", '$A');
  check('"$A b"', 'a b');
  check('\\$A', '$A');
  check('"\\$A"', '$A');
  check('"a\\b"', 'a\\b');
  check('`$A', '$A', [], '`');
  check('C:\\path', 'C:path');
  check('C:\\path', 'C:\\path', [], '`');
});

test('expandWord: broken input never throws', () => {
  for (const w of ['${', '${A', '${A:', '${A:-', '"unterminated', "'open", '${A:x}', '\\']) {
    assert.equal(typeof expandWord(w, lookup).value, 'string', w);
  }
});

test('splitWords keeps quoted white space in one word', () => {
  assert.deepEqual(splitWords('a "b c" \'d e\' f\\ g'), ['a', '"b c"', "'d e'", 'f\\ g']);
  assert.deepEqual(splitWords('  '), []);
  assert.deepEqual(splitWords('a`  b', '`'), ['a` ', 'b']);
});

test('parsePairs: KEY=VALUE, old form, bare names', () => {
  assert.deepEqual(parsePairs('A=1 B="2 3"'), [['A', '1'], ['B', '"2 3"']]);
  assert.deepEqual(parsePairs('PATH /usr/bin and more'), [['PATH', '/usr/bin and more']]);
  assert.deepEqual(parsePairs('NAME', '\\', true), [['NAME', null]]);
  assert.deepEqual(parsePairs('A=1 B', '\\', true), [['A', '1'], ['B', null]]);
});
