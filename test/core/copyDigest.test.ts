import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { canonicalDigest } from '../../server/src/core/copyDigest';
import type { CopiedItem } from '../../server/src/core/sources';

/** The digest as defined: JSON-quoted path, kind, octal mode and content per line, in path order. */
function reference(items: CopiedItem[]): string {
  const lines = [...items].sort((a, b) => (a.dest < b.dest ? -1 : 1)).map((i) => `${JSON.stringify(i.dest)} ${i.kind} ${i.mode.toString(8)} ${i.content}`);
  return `sha256:${createHash('sha256').update(lines.join('\n')).digest('hex')}`;
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
