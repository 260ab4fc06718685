import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Sha256, sha256Hex } from '../../server/src/core/sha256';

const reference = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

test('sha256Hex equals node:crypto for lengths around the block boundaries and non-ASCII text', () => {
  for (const n of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 1000, 100_003]) {
    const text = 'ab\u00e9\u4e2d\ud83d\ude00'.repeat(n).slice(0, n);
    assert.equal(sha256Hex(text), reference(text), `length ${n}`);
  }
});

test('feeding text in pieces gives the digest of the whole', () => {
  const parts = ['COPY', ' ', 'a'.repeat(63), '\n', 'é'.repeat(70), '', 'z'];
  const h = new Sha256();
  for (const p of parts) h.update(p);
  assert.equal(h.hex(), reference(parts.join('')));
});
