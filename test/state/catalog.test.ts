/**
 * The shipped Debian package catalog: it decodes, holds the four suites with plausible counts, known packages
 * with their dependencies, loads quickly, and `dockerfile-layers --version` (the built dist/cli.js) names it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { parseCatalog, type CatalogPackage } from '../../server/src/core/catalog';
import { catalogDir, loadCatalog } from '../../server/src/state/catalog';

const ROOT = join(__dirname, '..', '..', '..');
const PAIRS = [['bookworm', 'amd64'], ['bookworm', 'arm64'], ['trixie', 'amd64'], ['trixie', 'arm64']];

test('the catalog is found from out/ in the repository', () => {
  assert.equal(catalogDir(), join(ROOT, 'catalog'));
});

test('the shipped catalog has bookworm and trixie for amd64 and arm64, each with tens of thousands of packages', () => {
  const catalog = loadCatalog();
  assert.ok(!('why' in catalog), 'why' in catalog ? catalog.why : '');
  assert.deepEqual(catalog.suites.map((s) => [s.suite, s.arch]), PAIRS);
  for (const s of catalog.suites) {
    assert.ok(s.count > 50_000 && s.count < 120_000, `${s.suite}/${s.arch}: ${s.count} packages`);
    assert.match(s.date, /^20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(s.listsBytes > 50_000_000 && s.listsBytes < 200_000_000, `${s.suite}/${s.arch}: ${s.listsBytes} lists bytes`);
  }
  assert.equal(catalog.suite('bookworm', null), catalog.suites[0]);
  assert.equal(catalog.suite('sid', 'amd64'), undefined);
});

test('known packages: bash is essential and needs libc6; nginx needs nginx-common; a virtual name finds a provider', () => {
  const catalog = loadCatalog();
  assert.ok(!('why' in catalog));
  for (const [suite, arch] of PAIRS) {
    const s = catalog.suite(suite, arch);
    const bash: CatalogPackage | undefined = s?.find('bash');
    assert.ok(bash !== undefined, `${suite}/${arch} has bash`);
    assert.equal(bash.essential, true);
    assert.equal(bash.priority, 'required');
    assert.ok(bash.depends.includes('libc6') && bash.installedBytes > 1_000_000 && bash.debBytes > 500_000, JSON.stringify(bash));
    const nginx: CatalogPackage | undefined = s?.find('nginx');
    assert.ok(nginx?.depends.includes('nginx-common'), JSON.stringify(nginx));
    assert.ok(s?.find('mail-transport-agent') !== undefined, `${suite}/${arch}: mail-transport-agent has a provider`);
    assert.equal(s?.find('no-such-package-here'), undefined);
  }
});

test('each file decodes without problems, its counts match the index, and it loads quickly', () => {
  const index = JSON.parse(readFileSync(join(ROOT, 'catalog', 'index.json'), 'utf8'));
  for (const { file, suites } of index.files) {
    const started = performance.now();
    const decoded = parseCatalog(brotliDecompressSync(readFileSync(join(ROOT, 'catalog', file))).toString('utf8'));
    decoded.suites[0].find('bash');
    const ms = performance.now() - started;
    assert.deepEqual(decoded.problems, []);
    assert.deepEqual(decoded.suites.map((s) => ({ suite: s.suite, arch: s.arch, date: s.date, listsBytes: s.listsBytes, count: s.count })), suites);
    assert.ok(ms < 1000, `${file}: ${ms.toFixed(0)} ms to load`);
  }
});

test('dockerfile-layers --version names each suite, its date and package count', { skip: !existsSync(join(ROOT, 'dist', 'cli.js')) && 'dist/cli.js is not built' }, () => {
  const out = execFileSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), '--version'], { encoding: 'utf8' });
  const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
  assert.equal(out.split('\n')[0], version);
  for (const [suite, arch] of PAIRS) assert.match(out, new RegExp(`${suite}/${arch} +\\d{5,} packages, from the index of 20\\d\\d-\\d\\d-\\d\\dT`));
});
