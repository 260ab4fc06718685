/**
 * scripts/build-catalog: rebuilds a catalog from a small Packages index and InRelease written here, and the
 * decoder (through the state adapter that ships) reads back exactly what the index said.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { CatalogPackage, PackageCatalog } from '../../server/src/core/catalog';
import { loadCatalog } from '../../server/src/state/catalog';
import { compareVersions, relationGroups } from '../../scripts/debianIndex';

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'build-catalog.js');
const dir = mkdtempSync(join(tmpdir(), 'dl-catalog-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const AMD64 = `Package: app
Version: 1.0-1
Installed-Size: 100
Pre-Depends: dpkg (>= 1.15.6~)
Depends: libc6 (>= 2.34), python3:any, mta | mail-transport-agent, libgone1 | libalt1 (= 2), debconf (>= 0.5) | debconf-2.0, nothing-here
Recommends: ca-certificates, www-browser
Priority: optional
Size: 51200
Description: an app
 with a long description

Package: dpkg
Version: 1.21
Installed-Size: 6000
Priority: required
Essential: yes
Size: 1500000

Package: libc6
Version: 2.36
Installed-Size: 13000
Depends: libgcc-s1
Priority: optional
Size: 2700000

Package: libgcc-s1
Version: 12
Installed-Size: 140
Depends: libc6 (>= 2.35)
Priority: optional
Size: 50000

Package: python3
Version: 3.11
Installed-Size: 200
Depends: python3.11 (>= 3.11.2-1~)
Priority: optional
Size: 26000

Package: exim4
Version: 4.96
Installed-Size: 10
Provides: mail-transport-agent
Priority: standard
Size: 7000

Package: postfix
Version: 3.7
Installed-Size: 4000
Provides: mail-transport-agent, default-mta
Priority: optional
Size: 1500000

Package: libalt1
Version: 2
Installed-Size: 30
Multi-Arch: same
Priority: optional
Size: 9000

Package: debconf
Version: 1.5
Installed-Size: 500
Priority: important
Size: 120000

Package: ca-certificates
Version: 2023
Installed-Size: 380
Priority: optional
Size: 160000

Package: lynx
Version: 2.9
Installed-Size: 2000
Provides: www-browser
Priority: optional
Size: 600000

Package: libc6
Version: 2.36-9+deb12u1
Installed-Size: 13100
Depends: libgcc-s1
Priority: optional
Size: 2750000

Package: nosize
Version: 1
Priority: extra
Size: 10
`;

// arm64 lacks lynx, has app at other sizes and an arm64-only package.
const ARM64 = AMD64.replace(/Package: lynx[^]*?\n\n/, '').replace('Installed-Size: 100\n', 'Installed-Size: 101\n').replace('Size: 51200', 'Size: 51300') + `
Package: arm-only
Version: 1
Installed-Size: 7
Depends: app
Priority: optional
Size: 70
`;

const RELEASE = `-----BEGIN PGP SIGNED MESSAGE-----
Hash: SHA256

Origin: Debian
Codename: testsuite
Date: Sat, 10 Jun 2023 09:24:26 UTC
SHA256:
 ${'a'.repeat(64)}  1000 main/binary-amd64/Packages
 ${'b'.repeat(64)}   300 main/binary-amd64/Packages.xz
 ${'c'.repeat(64)}  2000 main/binary-arm64/Packages
 ${'d'.repeat(64)}  4000 main/i18n/Translation-en
 ${'e'.repeat(64)}   500 main/i18n/Translation-en.bz2
-----BEGIN PGP SIGNATURE-----
-----END PGP SIGNATURE-----
`;

function build(): PackageCatalog {
  writeFileSync(join(dir, 'InRelease'), RELEASE);
  writeFileSync(join(dir, 'amd64_Packages'), AMD64);
  writeFileSync(join(dir, 'arm64_Packages.gz'), gzipSync(ARM64));
  const out = join(dir, 'catalog');
  execFileSync(process.execPath, [SCRIPT, '--out', out, '--release', `testsuite=${join(dir, 'InRelease')}`,
    '--packages', `testsuite/amd64=${join(dir, 'amd64_Packages')}`, '--packages', `testsuite/arm64=${join(dir, 'arm64_Packages.gz')}`], { stdio: 'pipe' });
  const catalog = loadCatalog(out);
  assert.ok(!('why' in catalog), 'why' in catalog ? catalog.why : '');
  return catalog;
}

const catalog = build();
const amd64 = catalog.suite('testsuite', null);
const arm64 = catalog.suite('testsuite', 'arm64');

function check(arch: 'amd64' | 'arm64', name: string, expected: Partial<CatalogPackage> | undefined): void {
  const found = (arch === 'amd64' ? amd64 : arm64)?.find(name);
  if (expected === undefined) return assert.equal(found, undefined, name);
  assert.ok(found !== undefined, `${arch}: ${name} is missing`);
  for (const [key, value] of Object.entries(expected)) assert.deepEqual(found[key as keyof CatalogPackage], value, `${arch} ${name}.${key}`);
}

test('the header: suites, dates from the Release file, counts, and lists bytes from the sizes it lists', () => {
  assert.deepEqual(catalog.suites.map((s) => [s.suite, s.arch, s.date, s.count]), [['testsuite', 'amd64', '2023-06-10T09:24:26Z', 12], ['testsuite', 'arm64', '2023-06-10T09:24:26Z', 12]]);
  assert.equal(amd64?.listsBytes, Buffer.byteLength(RELEASE) + 1000 + 4000);
  assert.equal(arm64?.listsBytes, Buffer.byteLength(RELEASE) + 2000 + 4000);
  const index = JSON.parse(readFileSync(join(dir, 'catalog', 'index.json'), 'utf8'));
  assert.deepEqual(index.files.map((f: { file: string }) => f.file), ['testsuite.br']);
});

test('relation groups resolve to the first real alternative, else the first provider; versions and :any dropped', () => {
  check('amd64', 'app', {
    name: 'app', installedBytes: 100 * 1024, debBytes: 51200, priority: 'optional', essential: false,
    depends: ['dpkg', 'libc6', 'python3', 'exim4', 'libalt1', 'debconf'],
    recommends: ['ca-certificates', 'lynx'],
  });
  check('amd64', 'dpkg', { depends: [], recommends: [], priority: 'required', essential: true, installedBytes: 6000 * 1024 });
  check('amd64', 'python3', { depends: [] });
  check('amd64', 'libgcc-s1', { depends: ['libc6'] });
});

test('a name listed twice keeps its highest version; a missing Installed-Size reads as 0', () => {
  check('amd64', 'libc6', { installedBytes: 13100 * 1024, debBytes: 2750000, depends: ['libgcc-s1'] });
  check('amd64', 'nosize', { installedBytes: 0, debBytes: 10, priority: 'extra' });
});

test('virtual names find their first provider; real names win over Provides', () => {
  check('amd64', 'mail-transport-agent', { name: 'exim4' });
  check('amd64', 'default-mta', { name: 'postfix' });
  check('amd64', 'www-browser', { name: 'lynx' });
  check('amd64', 'nothing-here', undefined);
  check('amd64', 'arm-only', undefined);
});

test('the second architecture, stored as a difference, reads back its own index', () => {
  check('arm64', 'app', { installedBytes: 101 * 1024, debBytes: 51300, recommends: ['ca-certificates'] });
  check('arm64', 'arm-only', { depends: ['app'], installedBytes: 7 * 1024 });
  check('arm64', 'lynx', undefined);
  check('arm64', 'www-browser', undefined);
  check('arm64', 'mail-transport-agent', { name: 'exim4' });
  check('arm64', 'libc6', { installedBytes: 13100 * 1024 });
});

test('relation fields and versions are read as dpkg reads them', () => {
  assert.deepEqual(relationGroups('a (>= 1:2.0), b:any | c [amd64] (<< 3), d:native'), [['a'], ['b', 'c'], ['d']]);
  for (const [a, b, sign] of [['1.0', '1.0', 0], ['1.0~rc1', '1.0', -1], ['1:0.1', '2.0', 1], ['2.36-9+deb12u1', '2.36', 1], ['1.10', '1.9', 1], ['1.0a', '1.0+', -1]] as const) {
    assert.equal(Math.sign(compareVersions(a, b)), sign, `${a} vs ${b}`);
  }
});
