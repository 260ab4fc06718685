/**
 * A base image's file facts from its layers' entries: whiteouts and opaque folders, os-release through its
 * symlink, dpkg's installed packages, apk's, apt's docker-clean and lists. Each text with `\n` and `\r\n`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageFileFacts, installedDpkg, parseOsRelease, wantedPath, type LayerEntry } from '../../server/src/core/imageFiles';

const file = (path: string, content: string | null = ''): LayerEntry => ({ kind: 'file', path, content });
const OS = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_CODENAME=bookworm\n';
const STATUS = 'Package: a\nStatus: install ok installed\n\nPackage: b\nStatus: deinstall ok config-files\n\nPackage: c\nStatus: install ok installed\nDescription: x\n multi\n';

for (const eol of ['\n', '\r\n']) {
  const t = (s: string): string => s.replace(/\n/g, eol);
  test(`a debian-like image${eol === '\n' ? '' : ' (CRLF)'}`, () => {
    const layers: LayerEntry[][] = [
      [{ kind: 'symlink', path: 'etc/os-release', target: '../usr/lib/os-release' }, file('usr/lib/os-release', t(OS)), file('var/lib/dpkg/status', t(STATUS))],
      [file('etc/apt/apt.conf.d/docker-clean'), file('var/lib/apt/lists/deb_dists_bookworm_main_binary-amd64_Packages', null)],
    ];
    assert.deepEqual(imageFileFacts(layers), { os: { id: 'debian', codename: 'bookworm' }, dpkg: ['a', 'c'], aptClean: true, aptLists: true });
  });
}

test('whiteouts hide lower layers; an opaque folder keeps its own layer\'s entries', () => {
  const base = [file('etc/os-release', 'ID=alpine\nVERSION_ID=3.20.1\n'), file('lib/apk/db/installed', 'P:musl\nV:1\n\nP:busybox\n'), file('var/lib/apt/lists/x_Packages', null)];
  assert.deepEqual(imageFileFacts([base]), { os: { id: 'alpine', codename: '3.20.1' }, apk: ['busybox', 'musl'], aptClean: false, aptLists: true });
  const removed = imageFileFacts([base, [{ kind: 'whiteout', path: 'lib/apk' }, { kind: 'opaque', path: 'var/lib/apt/lists' }, { kind: 'whiteout', path: 'etc/os-release' }]]);
  assert.deepEqual(removed, { os: null, aptClean: false, aptLists: false });
  const refilled = imageFileFacts([base, [{ kind: 'opaque', path: 'var/lib/apt/lists' }, file('var/lib/apt/lists/y_Packages', null)]]);
  assert.equal(refilled.aptLists, true);
});

test('no files at all: a busybox image', () => {
  assert.deepEqual(imageFileFacts([[], []]), { os: null, aptClean: false, aptLists: false });
});

test('parsing details', () => {
  assert.deepEqual(parseOsRelease('ID="ubuntu"\nVERSION_CODENAME=\'noble\'\n'), { id: 'ubuntu', codename: 'noble' });
  assert.deepEqual(parseOsRelease('ID=debian\n'), { id: 'debian', codename: null });
  assert.equal(parseOsRelease('NAME=x\n'), null);
  assert.deepEqual(installedDpkg('Package: z\nStatus: install ok installed\n\nPackage: z\nStatus: install ok installed\n'), ['z']);
  assert.equal(wantedPath('var/lib/dpkg/status'), 'content');
  assert.equal(wantedPath('var/lib/apt/lists/lock'), null);
  assert.equal(wantedPath('usr/bin/ls'), null);
});
