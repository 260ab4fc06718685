/**
 * Packaging: `npm run package` works in a fresh clone (no out/, no dist/: only the tracked files and the
 * installed node_modules), and its .vsix holds only the bundles, the Debian package catalog, grammars, icons,
 * README and license, under 5 MB. The clone is a copy of the tracked files in a temp folder, so the bundles
 * other tests use stay as built.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const MAX_BYTES = 5 * 1024 * 1024;
const ALLOWED = [/^extension\/package\.json$/, /^extension\/readme\.md$/, /^extension\/LICENSE\.txt$/, /^extension\/dist\/(client|server|cli|contextWorker|vendor\/dockerode)\.js$/, /^extension\/dist\/catalog\/([\w-]+\.br|index\.json)$/, /^extension\/syntaxes\/[\w.-]+\.json$/, /^extension\/media\/[\w.-]+\.svg$/, /^extension\.vsixmanifest$/, /^\[Content_Types\]\.xml$/];

/** A copy of the tracked files (as they are in the working tree) in a temp folder, with node_modules linked in. */
function freshClone(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dl-clone-'));
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter((f) => f !== '' && existsSync(join(ROOT, f)));
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    copyFileSync(join(ROOT, f), join(dir, f));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

test('npm run package works in a fresh clone; the .vsix is small and holds only what users need', { timeout: 300_000 }, () => {
  const clone = freshClone();
  try {
    assert.equal(existsSync(join(clone, 'out')) || existsSync(join(clone, 'dist')), false, 'the clone has no build output');
    execFileSync('npm', ['run', 'package'], { cwd: clone, stdio: 'pipe' });
    const script = JSON.parse(readFileSync(join(clone, 'package.json'), 'utf8')).scripts.package as string;
    const vsix = join(clone, /-o (\S+\.vsix)/.exec(script)?.[1] ?? 'missing.vsix');
    const size = statSync(vsix).size;
    assert.ok(size < MAX_BYTES, `vsix is ${size} bytes`);
    const listing = execFileSync('unzip', ['-Z1', vsix], { encoding: 'utf8' }).split('\n').filter((l) => l !== '');
    for (const entry of listing) assert.ok(ALLOWED.some((re) => re.test(entry)), `unexpected file in the vsix: ${entry}`);
    for (const needed of ['extension/dist/client.js', 'extension/dist/server.js', 'extension/dist/cli.js', 'extension/dist/contextWorker.js', 'extension/syntaxes/dockerfile-heredoc.injection.json', 'extension/media/layers.svg', 'extension/dist/catalog/index.json', 'extension/dist/catalog/bookworm.br', 'extension/dist/catalog/trixie.br']) {
      assert.ok(listing.includes(needed), `missing ${needed}`);
    }
  } finally {
    rmSync(clone, { recursive: true, force: true });
  }
});
