/**
 * scanContext and ContextEngine on real temp folders: sizes, symlinks (loops, dangling, outside), FIFOs,
 * the entry limit, refused roots, and unreadable folders and files as an unprivileged user would meet them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanContext } from '../../server/src/context/scan';
import { ContextEngine } from '../../server/src/context/engine';
import { analyzeDockerfile } from '../../server/src/core/analyze';
import { hintLabel } from '../../server/src/core/present';

/** A temp folder with `files` (path -> content), removed after `body`. */
async function withTree(files: Record<string, string>, body: (root: string) => Promise<void>): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'dl-scan-'));
  try {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), content);
    }
    await body(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('scan: files, folders and sizes, paths relative with /', () => withTree({ 'a.txt': 'hello', 'src/b/c.txt': '12345678' }, async (root) => {
  const index = await scanContext(root, { limit: 100 });
  assert.deepEqual([...index.entries.keys()].sort(), ['a.txt', 'src', 'src/b', 'src/b/c.txt']);
  assert.equal(index.entries.get('src/b/c.txt')?.size, 8);
  assert.equal(index.entries.get('src')?.type, 'dir');
  assert.equal(index.incomplete, undefined);
  assert.deepEqual(index.problems, []);
}));

test('scan: symlinks are recorded as links; loops, dangling and outside links are problems, never followed', () => withTree({ 'real.txt': 'x' }, async (root) => {
  symlinkSync('real.txt', join(root, 'ok'));
  symlinkSync('loop2', join(root, 'loop1'));
  symlinkSync('loop1', join(root, 'loop2'));
  symlinkSync('missing.txt', join(root, 'dangling'));
  symlinkSync('/etc', join(root, 'outside'));
  mkdirSync(join(root, 'dir'));
  symlinkSync('..', join(root, 'dir', 'up')); // A folder loop: following it would never end.
  const index = await scanContext(root, { limit: 100 });
  assert.deepEqual(index.entries.get('ok'), { path: 'ok', type: 'symlink', size: 8, mode: index.entries.get('ok')!.mode, linkTarget: 'real.txt' });
  const problems = Object.fromEntries(index.problems.map((p) => [p.path, p.message]));
  assert.match(problems.loop1, /symlink loop/);
  assert.match(problems.dangling, /dangling symlink \(-> missing.txt\)/);
  assert.match(problems.outside, /outside the build context/);
  assert.equal(problems.ok, undefined);
  assert.equal(index.entries.get('dir/up')?.type, 'symlink');
  assert.equal(index.entries.size, 8);
}));

test('scan: a FIFO is `other` with a problem, and hashing never blocks on it', () => withTree({ 'a.txt': 'a' }, async (root) => {
  execFileSync('mkfifo', [join(root, 'pipe')]);
  const engine = new ContextEngine({ workers: 1 });
  try {
    const index = await engine.scan(root, { limit: 100, hash: true });
    assert.equal(index.entries.get('pipe')?.type, 'other');
    assert.equal(index.entries.get('pipe')?.hash, undefined);
    assert.match(index.problems.find((p) => p.path === 'pipe')?.message ?? '', /FIFO/);
    assert.equal(index.entries.get('a.txt')?.hash, 'ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb');
  } finally {
    await engine.close();
  }
}));

test('scan: stops at the limit with a clear message', () => withTree(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`d/f${i}`, ''])), async (root) => {
  const index = await scanContext(root, { limit: 10 });
  assert.equal([...index.entries.values()].filter((e) => e.type === 'file').length, 10);
  assert.equal(index.entries.size, 11, 'the folder d is not counted against the file limit');
  assert.match(index.incomplete ?? '', /more than 10 files.*lower bounds.*dockerfileLayers\.context\.maxFiles/);
  assert.equal(index.partial, true);
}));

/** 12 files, each in a folder of its own: 24 entries. */
const FOLDER_PER_FILE = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`d${i}/f.txt`, 'x'.repeat(1000)]));
const COPY_ALL = 'FROM scratch\nCOPY . /x\n';

test('scan: the limit counts files and folders apart, so a folder per file fits; past it sizes are lower bounds', () => withTree(FOLDER_PER_FILE, async (root) => {
  const cases: Array<{ limit: number; incomplete: RegExp | null; label: string }> = [
    { limit: 12, incomplete: null, label: '+ layer · 12.0 kB' },
    { limit: 8, incomplete: /more than 8 folders; the scan stopped there, so sizes are lower bounds/, label: '+ layer · ≥ ' },
    { limit: 3, incomplete: /more than 3 (files|folders)/, label: '+ layer · ≥ ' },
  ];
  const engine = new ContextEngine({ workers: 1 });
  try {
    for (const c of cases) {
      for (const index of [await scanContext(root, { limit: c.limit }), await engine.scan(root, { limit: c.limit, hash: false })]) {
        const files = [...index.entries.values()].filter((e) => e.type === 'file').length;
        assert.ok(files <= c.limit && index.entries.size - files <= c.limit, `limit ${c.limit}: ${files} files`);
        const copy = analyzeDockerfile(COPY_ALL, { builder: 'buildkit', buildArgs: {} }, index).steps[1];
        if (c.incomplete === null) {
          assert.equal(index.incomplete, undefined);
          assert.deepEqual([copy.size.bytes, copy.size.lowerBound], [12_000, undefined]);
        } else {
          assert.match(index.incomplete ?? '', c.incomplete);
          assert.equal(index.partial, true);
          assert.deepEqual([copy.size.bytes, copy.size.source, copy.size.lowerBound], [files * 1000, 'exact', true], `limit ${c.limit}`);
          assert.equal(copy.digest, undefined, 'no digest for part of what is copied');
        }
        assert.ok(hintLabel(copy, analyzeDockerfile(COPY_ALL, { builder: 'buildkit', buildArgs: {} }, index)).startsWith(c.label), `limit ${c.limit}`);
      }
    }
  } finally {
    await engine.close();
  }
}));

test('scan: / and the home folder are refused, not scanned', async () => {
  for (const root of ['/', process.env.HOME ?? '/root']) {
    const index = await scanContext(root, { limit: 10 });
    assert.equal(index.entries.size, 0);
    assert.match(index.incomplete ?? '', /not scanned/);
    assert.equal(index.partial, undefined, 'nothing was measured: sizes are unknown, not lower bounds');
  }
});

test('scan: a cancelled scan stops and says so', () => withTree({ 'a/b/c': '' }, async (root) => {
  const controller = new AbortController();
  controller.abort();
  const index = await scanContext(root, { limit: 100, signal: controller.signal });
  assert.equal(index.incomplete, 'The scan was cancelled.');
  assert.equal(index.partial, true);
}));

// Tests run as root, which reads everything regardless of permissions; the scan therefore runs in a child
// process whose user is dropped to nobody with setpriv, so that permission errors really happen.
const setpriv = spawnSync('setpriv', ['--version']).status === 0;
test('scan: unreadable folders and files, as an unprivileged user', { skip: setpriv ? false : 'setpriv is not installed' }, () => withTree({ 'ok.txt': 'ok', 'secret/a.txt': 'a', 'locked.txt': 'x' }, async (root) => {
  chmodSync(root, 0o755);
  chmodSync(join(root, 'secret'), 0o000);
  chmodSync(join(root, 'locked.txt'), 0o000);
  chmodSync(join(root, 'ok.txt'), 0o644);
  const engineModule = require.resolve('../../server/src/context/engine');
  const script = `const { ContextEngine } = require(process.argv[1]);
    const e = new ContextEngine({ workers: 1 });
    e.scan(process.argv[2], { limit: 100, hash: true }).then((i) => {
      console.log(JSON.stringify({ problems: i.problems, locked: i.entries.get('locked.txt'), ok: i.entries.get('ok.txt') }));
      return e.close();
    });`;
  const out = execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', script, engineModule, root], { encoding: 'utf8', timeout: 20_000 });
  const result = JSON.parse(out) as { problems: Array<{ path: string; message: string }>; locked: { error?: string; hash?: string }; ok: { hash?: string } };
  const problems = Object.fromEntries(result.problems.map((p) => [p.path, p.message]));
  assert.match(problems.secret, /cannot list this folder: permission denied/);
  assert.match(problems['locked.txt'], /cannot read this file \(permission denied\)/);
  assert.equal(result.locked.error, 'permission denied');
  assert.equal(result.locked.hash, undefined);
  assert.equal(typeof result.ok.hash, 'string');
}));
