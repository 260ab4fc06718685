/**
 * The GNU find lister against the JS walker: the same index (entries, problems) on trees with symlinks,
 * loops, FIFOs, odd names and unreadable folders; the entry limit; and, since find takes no stamps, hashing
 * its files by size gives the stamps the JS walker takes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContextEntry, ContextIndex } from '../../server/src/core/context';
import { gnuFindPath, scanWithFind } from '../../server/src/context/findLister';
import { hashFile } from '../../server/src/context/hashIndex';
import { listDirectory, scanContext } from '../../server/src/context/scan';

const skip = process.platform !== 'linux' || spawnSync('find', ['--version'], { encoding: 'utf8' }).stdout?.includes('GNU findutils') !== true ? 'GNU find is not installed' : false;

/** A temp tree with odd names, links of every kind and a FIFO, removed after `body`. */
async function withTree(body: (root: string) => Promise<void>): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'dl-find-'));
  try {
    const files: Record<string, string> = { 'a.txt': 'hello', 'sp ace/t\tab.txt': 'x', 'new\nline/f': 'yy', 'ünï/çødé.bin': 'zzz', 'deep/a/b/c/d.txt': '1234', '-dash': '' };
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), content);
    }
    chmodSync(join(root, 'a.txt'), 0o4755);
    chmodSync(join(root, 'deep'), 0o1777);
    symlinkSync('a.txt', join(root, 'ok'));
    symlinkSync('loop2', join(root, 'loop1'));
    symlinkSync('loop1', join(root, 'loop2'));
    symlinkSync('missing', join(root, 'dangling'));
    symlinkSync('/etc', join(root, 'outside'));
    symlinkSync('..', join(root, 'deep', 'up'));
    symlinkSync('t\tab.txt', join(root, 'sp ace', 'li\nnk'));
    execFileSync('mkfifo', [join(root, 'deep', 'pipe')]);
    await body(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** An entry without its fingerprint stamp, which only the JS walker takes while scanning. */
function unstamped(entry: ContextEntry): ContextEntry {
  const { stamp: _stamp, ...rest } = entry;
  return rest;
}

/** The index as comparable data: entries (no stamps) sorted by path, problems sorted. */
function plain(index: ContextIndex | null): unknown {
  assert.ok(index, 'the find lister gave up');
  return {
    entries: [...index.entries.values()].map(unstamped).sort((a, b) => (a.path < b.path ? -1 : 1)),
    problems: [...index.problems].sort((a, b) => (a.path + a.message < b.path + b.message ? -1 : 1)),
    incomplete: index.incomplete,
  };
}

const listInProcess = (root: string) => async (dir: string) => listDirectory(root, dir);

for (const concurrency of [1, 3]) {
  test(`find lister (${concurrency} find processes): the same index as the JS walker`, { skip }, () => withTree(async (root) => {
    const expected = plain(await scanContext(root, { limit: 1000 }));
    assert.deepEqual(plain(await scanWithFind(root, { limit: 1000, concurrency }, listInProcess(root))), expected);
    assert.equal((expected as { entries: unknown[] }).entries.length, 21);
  }));
}

test('find lister: no stamps; hashing by the scanned size gives the JS walker\'s stamp, and a changed size is caught', { skip }, () => withTree(async (root) => {
  const index = await scanWithFind(root, { limit: 1000 }, listInProcess(root));
  const walked = await scanContext(root, { limit: 1000 });
  const entry = index?.entries.get('a.txt');
  assert.ok(entry && entry.stamp === undefined && [...index!.entries.values()].every((e) => e.stamp === undefined));
  const hashed = hashFile(join(root, 'a.txt'), { size: entry.size });
  assert.equal(hashed.hash, '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
  assert.ok(hashed.stamp);
  assert.equal(hashed.stamp, walked.entries.get('a.txt')?.stamp);
  writeFileSync(join(root, 'a.txt'), 'hello, world');
  assert.deepEqual(hashFile(join(root, 'a.txt'), { size: entry.size }), { error: 'changed during the scan' });
}));

test('find lister: stops at the limit with the same message, and ends find', { skip }, () => withTree(async (root) => {
  const index = await scanWithFind(root, { limit: 5, concurrency: 2 }, listInProcess(root));
  assert.equal([...index!.entries.values()].filter((e) => e.type !== 'dir').length, 5, 'folders are counted apart');
  assert.match(index?.incomplete ?? '', /more than 5 files.*lower bounds/);
  assert.equal(index?.partial, true);
}));

test('find lister: a cancelled scan stops and says so', { skip }, () => withTree(async (root) => {
  const controller = new AbortController();
  controller.abort();
  const index = await scanWithFind(root, { limit: 1000, signal: controller.signal }, listInProcess(root));
  assert.equal(index?.incomplete, 'The scan was cancelled.');
}));

test('find lister: an unlistable root is left to the JS walker', { skip }, async () => {
  assert.equal(await scanWithFind('/nonexistent-dl-root', { limit: 10 }, async () => assert.fail('not listed')), null);
  assert.match((await gnuFindPath()) ?? '', /^\//);
});

// As in scan.test.ts: root reads everything, so the comparison runs as nobody for permissions to matter.
const setpriv = spawnSync('setpriv', ['--version']).status === 0;
test('find lister: unreadable folders give the JS walker\'s problems, as an unprivileged user', { skip: skip || (setpriv ? false : 'setpriv is not installed') }, () => withTree(async (root) => {
  mkdirSync(join(root, 'secret', 'inner'), { recursive: true });
  writeFileSync(join(root, 'secret', 'inner', 'x'), 'x');
  execFileSync('chmod', ['-R', 'a+rX', root]);
  chmodSync(join(root, 'secret'), 0o000);
  const modules = [require.resolve('../../server/src/context/findLister'), require.resolve('../../server/src/context/scan')];
  const script = `const { scanWithFind } = require(process.argv[1]);
    const { scanContext, listDirectory } = require(process.argv[2]);
    const root = process.argv[3];
    const sorted = (i) => i && ({ entries: [...i.entries.values()].map(({ stamp, ...e }) => e).sort((a, b) => (a.path < b.path ? -1 : 1)), problems: i.problems.map((p) => p.path + ': ' + p.message).sort() });
    const settle = (p) => p.then(sorted, (e) => 'rejected: ' + e.message);
    Promise.all([settle(scanContext(root, { limit: 100 })), settle(scanWithFind(root, { limit: 100, concurrency: 2 }, async (d) => listDirectory(root, d)))])
      .then(([js, find]) => console.log(JSON.stringify({ js, find })));`;
  const out = execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', script, ...modules, root], { encoding: 'utf8', timeout: 20_000 });
  const { js, find } = JSON.parse(out) as { js: unknown; find: unknown };
  assert.deepEqual(find, js);
  assert.ok(String(out).includes('secret: cannot list this folder: permission denied'), out);
}));
