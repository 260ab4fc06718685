import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitLines } from '../../server/src/core/lines';

/** Checks that `text` splits into `expected` lines. */
function check(text: string, expected: string[]): void {
  assert.deepEqual(splitLines(text), expected, JSON.stringify(text));
}

test('splitLines ends a line at \\n, \\r\\n and a lone \\r, as dockerfile-ast and LSP do', () => {
  check('FROM a\nRUN b', ['FROM a', 'RUN b']);
  check('FROM a\r\nRUN b\r\n', ['FROM a', 'RUN b', '']);
  check('FROM a\rRUN b', ['FROM a', 'RUN b']);
  check('FROM a\r\rRUN b\n\r\n', ['FROM a', '', 'RUN b', '', '']);
  check('', ['']);
});
