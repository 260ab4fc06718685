import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { canonicalDigest, digestWithState, DIGEST_BLOCK, patchDigest } from '../../server/src/core/copyDigest';
import type { CopiedItem } from '../../server/src/core/sources';

/**
 * The digest as defined: JSON-quoted path, kind, octal mode and content per line, in path order; over
 * DIGEST_BLOCK items, the hash of the blocks' hashes (so that one changed file rehashes one block).
 */
function reference(items: CopiedItem[]): string {
  const lines = [...items].sort((a, b) => (a.dest < b.dest ? -1 : 1)).map((i) => `${JSON.stringify(i.dest)} ${i.kind} ${i.mode.toString(8)} ${i.content}`);
  const hex = (text: string): string => createHash('sha256').update(text).digest('hex');
  if (lines.length <= DIGEST_BLOCK) return `sha256:${hex(lines.join('\n'))}`;
  const blocks: string[] = [];
  for (let i = 0; i < lines.length; i += DIGEST_BLOCK) blocks.push(hex(lines.slice(i, i + DIGEST_BLOCK).join('\n')));
  return `sha256:${hex(`blocks ${DIGEST_BLOCK}\n${blocks.join('\n')}`)}`;
}

const item = (dest: string, content = 'h', mode = 0o644): CopiedItem => ({ dest, kind: 'file', bytes: 1, mode, content });

test('the digest follows its definition, for plain and odd paths, in any item order', () => {
  const items = [item('/app/b'), item('/app/a"quote'), item('/app/back\\slash'), item('/app/tab\there'), item('/app/é'), item('/app/a')];
  assert.equal(canonicalDigest(items), reference(items));
  assert.equal(canonicalDigest([...items].reverse()), reference(items));
  const many = Array.from({ length: 5000 }, (_, i) => item(`/app/d${i % 13}/f${i}`, `h${i}`));
  assert.equal(canonicalDigest(many), reference(many), 'several hasher chunks');
});

test('content, mode and path change the digest; nothing else enters it', () => {
  const base = canonicalDigest([item('/a'), item('/b')]);
  assert.notEqual(canonicalDigest([item('/a', 'other'), item('/b')]), base);
  assert.notEqual(canonicalDigest([item('/a', 'h', 0o755), item('/b')]), base);
  assert.notEqual(canonicalDigest([item('/a'), item('/c')]), base);
  assert.equal(canonicalDigest([{ ...item('/a'), bytes: 999 }, item('/b')]), base, 'bytes are not part of it');
});

test('a large copy\'s digest patched for changed files equals the digest made anew', () => {
  const many = Array.from({ length: 5000 }, (_, i) => item(`/app/d${i % 13}/f${i}`, `h${i}`));
  const { state } = digestWithState(many);
  assert.ok(state !== null, 'large copies keep a state');
  const changed = [...many];
  changed[17] = item(many[17].dest, 'new content');
  changed[4999] = item(many[4999].dest, 'h4999', 0o755);
  const patched = patchDigest(changed, state, [17, 4999]);
  assert.equal(patched.digest, canonicalDigest(changed));
  assert.notEqual(patched.digest, canonicalDigest(many));
  assert.equal(digestWithState(many.slice(0, 10)).state, null, 'small copies are rehashed whole');
});
