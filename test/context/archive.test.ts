/**
 * Archives ADD extracts, made with the system tar and compressors: detected by content, measured by the
 * bytes they extract; compressed files that hold no tar are not archives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { inspectArchive, sniffArchive } from '../../server/src/context/archive';

const root = mkdtempSync(join(tmpdir(), 'dl-archive-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

/** A tar of two files (1000 and 234 bytes) and a symlink (link text `one`), compressed with `flag` (tar's -z, -j, -J) or not. */
function makeTar(name: string, flag: string | null): string {
  const src = join(root, 'src');
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'one'), 'x'.repeat(1000));
  writeFileSync(join(src, 'two'), 'y'.repeat(234));
  if (!existsSync(join(src, 'link'))) symlinkSync('one', join(src, 'link'));
  const out = join(root, name);
  execFileSync('tar', [flag === null ? '-cf' : `-c${flag}f`, out, '-C', src, 'one', 'two', 'link']);
  return out;
}

for (const [name, flag, kind] of [['a.tar', null, 'tar'], ['a.tgz', 'z', 'gzip'], ['a.tbz', 'j', 'bzip2'], ['a.txz', 'J', 'xz']] as const) {
  test(`archive: ${kind} is detected by content and measured`, async () => {
    const file = makeTar(name, flag);
    assert.equal(sniffArchive(readFileSync(file).subarray(0, 1024)), kind);
    assert.deepEqual(await inspectArchive(file, kind), { bytes: 1234, linkBytes: 3, entries: 3 });
  });
}

test('archive: a gzip file that holds no tar is copied as is (null)', async () => {
  const file = join(root, 'notes.gz');
  writeFileSync(file, gzipSync('just some text, no tar header here\n'.repeat(20)));
  assert.equal(sniffArchive(readFileSync(file)), 'gzip');
  assert.equal(await inspectArchive(file, 'gzip'), null);
});

test('archive: plain text is no archive', () => {
  assert.equal(sniffArchive(Buffer.from('FROM alpine\n')), undefined);
});

test('archive: a truncated tar.gz is reported, not measured', async () => {
  const full = readFileSync(makeTar('b.tgz', 'z'));
  const file = join(root, 'cut.tgz');
  writeFileSync(file, full.subarray(0, Math.floor(full.length / 2)));
  const info = await inspectArchive(file, 'gzip');
  assert.equal(info?.bytes, null);
  assert.match(info?.error ?? '', /could not read the archive/);
});
