/**
 * Packaging: the .vsix holds only the bundles, grammars, icons, README and license, and stays under 5 MB.
 * Packs the bundles as built by this test run (vsce only zips; `npm run package` also minifies first).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const VSCE = join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
const MAX_BYTES = 5 * 1024 * 1024;
const ALLOWED = [/^extension\/package\.json$/, /^extension\/readme\.md$/, /^extension\/LICENSE\.txt$/, /^extension\/dist\/(client|server|cli|contextWorker|vendor\/dockerode)\.js$/, /^extension\/syntaxes\/[\w.-]+\.json$/, /^extension\/media\/[\w.-]+\.svg$/, /^extension\.vsixmanifest$/, /^\[Content_Types\]\.xml$/];

test('the .vsix is small and holds only what users need', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dl-vsix-'));
  try {
    const vsix = join(dir, 'dockerfile-layers.vsix');
    execFileSync(process.execPath, [VSCE, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', vsix], { cwd: ROOT, stdio: 'pipe' });
    const size = statSync(vsix).size;
    assert.ok(size < MAX_BYTES, `vsix is ${size} bytes`);
    const listing = execFileSync('unzip', ['-Z1', vsix], { encoding: 'utf8' }).split('\n').filter((l) => l !== '');
    for (const entry of listing) assert.ok(ALLOWED.some((re) => re.test(entry)), `unexpected file in the vsix: ${entry}`);
    for (const needed of ['extension/dist/client.js', 'extension/dist/server.js', 'extension/syntaxes/dockerfile-heredoc.injection.json', 'extension/media/layers.svg']) {
      assert.ok(listing.includes(needed), `missing ${needed}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
