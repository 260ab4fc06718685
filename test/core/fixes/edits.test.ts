import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits, combineFixes, type TextEdit } from '../../../server/src/core/fixes/edits';

const at = (line: number, character: number): { line: number; character: number } => ({ line, character });
const edit = (l1: number, c1: number, l2: number, c2: number, newText: string): TextEdit => ({ range: { start: at(l1, c1), end: at(l2, c2) }, newText });

test('applyEdits: replacements, inserts at one position in order, CRLF lines', () => {
  assert.equal(applyEdits('ab\ncd', [edit(0, 1, 1, 1, 'X'), edit(1, 2, 1, 2, '1'), edit(1, 2, 1, 2, '2')]), 'aXd12');
  assert.equal(applyEdits('ab\r\ncd\r\n', [edit(0, 2, 0, 2, '!'), edit(1, 0, 2, 0, '')]), 'ab!\r\n');
  assert.equal(applyEdits('ab', [edit(5, 0, 5, 0, 'z')]), 'abz');
});

test('combineFixes: overlapping fixes are left for a later pass, identical edits kept once', () => {
  const a = { code: 'x', title: 'a', edits: [edit(0, 0, 2, 0, 'A')] };
  const b = { code: 'x', title: 'b', edits: [edit(1, 0, 1, 3, 'B')] };
  const c = { code: 'x', title: 'c', edits: [edit(3, 0, 3, 1, 'C')] };
  const r = combineFixes([a, b, c, { ...a }]);
  assert.deepEqual(r.applied.map((f) => f.title), ['a', 'c']);
  assert.equal(r.edits.length, 2);
});

test('applyEdits: a lone \\r is a line break too, as in LSP', () => {
  assert.equal(applyEdits('a\rb\r\nc', [edit(1, 1, 1, 1, '!'), edit(2, 0, 2, 1, 'C')]), 'a\rb!\r\nC');
});
