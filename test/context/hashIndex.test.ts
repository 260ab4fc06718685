/**
 * Fingerprints: sha256 of each file, remembered by stamp so that unchanged files are not read again, and
 * files replaced between the scan and the read reported instead of hashed wrongly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashFile, HashIndex } from '../../server/src/context/hashIndex';
import { scanContext } from '../../server/src/context/scan';
import { ContextEngine } from '../../server/src/context/engine';

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

async function withDir(body: (root: string) => Promise<void>): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'dl-hash-'));
  try {
    await body(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Writes a file and dates it an hour back, so that its stamp is not "racy" (changed within the last second). */
function writeOld(path: string, content: string): void {
  writeFileSync(path, content);
  const old = new Date(Date.now() - 3600_000);
  utimesSync(path, old, old);
}

test('hashFile: sha256 of the content when the stamp still matches', () => withDir(async (root) => {
  writeOld(join(root, 'a'), 'hello');
  const index = await scanContext(root, { limit: 10 });
  const entry = index.entries.get('a')!;
  assert.equal(hashFile(join(root, 'a'), entry.stamp!).hash, sha('hello'));
}));

test('hashFile: a file replaced after the scan is reported, not hashed', () => withDir(async (root) => {
  writeOld(join(root, 'a'), 'before');
  const entry = (await scanContext(root, { limit: 10 })).entries.get('a')!;
  writeFileSync(join(root, 'b'), 'after, longer');
  renameSync(join(root, 'b'), join(root, 'a'));
  assert.deepEqual(hashFile(join(root, 'a'), entry.stamp!), { error: 'changed during the scan' });
}));

test('HashIndex: unchanged stamps are filled without reading; changed ones need reading', () => withDir(async (root) => {
  writeOld(join(root, 'a'), 'one');
  writeOld(join(root, 'b'), 'two');
  const hashes = new HashIndex();
  const first = await scanContext(root, { limit: 10 });
  const missing = hashes.fill(first.entries.values(), first.archives);
  assert.equal(missing.length, 2);
  for (const e of missing) hashes.record(e, hashFile(join(root, e.path), e.stamp!), first.archives);
  writeFileSync(join(root, 'b'), 'changed');
  const second = await scanContext(root, { limit: 10 });
  assert.deepEqual(hashes.fill(second.entries.values(), second.archives).map((e) => e.path), ['b']);
  assert.equal(second.entries.get('a')?.hash, sha('one'));
}));

test('HashIndex: a file changed within the last second is hashed but not remembered (same-tick writes)', () => withDir(async (root) => {
  writeFileSync(join(root, 'a'), 'fresh');
  const index = await scanContext(root, { limit: 10 });
  const hashes = new HashIndex();
  const [entry] = hashes.fill(index.entries.values(), index.archives);
  hashes.record(entry, hashFile(join(root, 'a'), entry.stamp!), index.archives);
  assert.equal(entry.hash, sha('fresh'));
  assert.equal(hashes.size, 0);
}));

test('engine: refresh re-reads only the changed path, with new size and hash', () => withDir(async (root) => {
  writeOld(join(root, 'a'), 'aaa');
  writeOld(join(root, 'b'), 'bbb');
  const engine = new ContextEngine({ workers: 1 });
  try {
    await engine.scan(root, { limit: 10, hash: true });
    writeFileSync(join(root, 'a'), 'a longer text');
    writeFileSync(join(root, 'new'), 'n');
    const index = await engine.refresh(root, ['a', 'new']);
    assert.equal(index.entries.get('a')?.size, 13);
    assert.equal(index.entries.get('a')?.hash, sha('a longer text'));
    assert.equal(index.entries.get('new')?.hash, sha('n'));
    assert.equal(index.entries.get('b')?.hash, sha('bbb'));
    rmSync(join(root, 'b'));
    assert.equal((await engine.refresh(root, ['b'])).entries.has('b'), false);
  } finally {
    await engine.close();
  }
}));

test('engine: find takes no stamps; hashing stamps the files, and a rescan stats them to reuse fingerprints', () => withDir(async (root) => {
  writeOld(join(root, 'a'), 'aaa');
  writeOld(join(root, 'b'), 'bbb');
  const engine = new ContextEngine({ workers: 2 });
  try {
    const sizes: Array<string | undefined> = [];
    const first = await engine.scan(root, { limit: 10, hash: true, onSizes: (i) => sizes.push(i.entries.get('a')?.stamp) });
    const walked = await scanContext(root, { limit: 10 });
    assert.equal(first.entries.get('a')?.hash, sha('aaa'));
    assert.equal(first.entries.get('a')?.stamp, walked.entries.get('a')?.stamp, 'the stamp hashing took is the one lstat gives');
    // Same size, new content: only the stamp (mtime, ctime) tells, and the rescan's stat pass sees it.
    writeOld(join(root, 'a'), 'xyz');
    const again = await engine.scan(root, { limit: 10, hash: true });
    assert.equal(again.entries.get('a')?.hash, sha('xyz'));
    assert.equal(again.entries.get('b')?.hash, sha('bbb'));
    assert.equal(again.entries.get('b')?.stamp, walked.entries.get('b')?.stamp);
    if (process.platform === 'linux') assert.deepEqual(sizes, [undefined], 'sizes came from find, before any stamp');
  } finally {
    await engine.close();
  }
}));
