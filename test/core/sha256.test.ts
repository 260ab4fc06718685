import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Sha256, sha256Hex, useSha256 } from '../../server/src/core/sha256';
import type { ContextIndex } from '../../server/src/core/context';
import { prepareContext, resolveCopy } from '../../server/src/core/sources';
import { installNativeSha256 } from '../../server/src/nativeSha256';
import { contextEntries } from '../helpers';

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

test('a COPY digest is the same with the pure hasher and with node:crypto installed (as the server and CLI do)', () => {
  const folders = Array.from({ length: 7 }, (_, k) => [`d${k}/`, null]);
  const entries = contextEntries(Object.fromEntries([...folders, ...Array.from({ length: 3000 }, (_, i) => [`d${i % 7}/f-${i}-\u00e9.txt`, i])]));
  for (const e of entries.values()) if (e.type === 'file') e.hash = reference(e.path);
  const digest = (): string | null => {
    // A new index object each time: prepared contexts and resolved copies are remembered per index object.
    const index: ContextIndex = { root: '/ctx', entries, ignoreFile: null, archives: new Map(), problems: [] };
    const copy = resolveCopy({ keyword: 'COPY', sources: ['.'], dest: '/app', flags: [], heredocs: [] }, prepareContext(index, 'buildkit'));
    assert.equal(copy.fileCount, 3000);
    return copy.digest;
  };
  const pure = digest();
  installNativeSha256();
  try {
    assert.match(pure ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.equal(digest(), pure);
  } finally {
    useSha256(() => new Sha256());
  }
});
