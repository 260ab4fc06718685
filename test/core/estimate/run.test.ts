import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateRuns, type RunEstimate } from '../../../server/src/core/estimate/run';
import { parseDockerfile } from '../../../server/src/core/dockerfile';
import { resolveStages } from '../../../server/src/core/stages';
import type { BaseImageFacts } from '../../../server/src/core/baseImage';
import * as facts from '../../../server/src/core/estimate/aptFacts';
import { EOLS, dockerfile } from '../../helpers';
import { catalogOf, suiteOf } from './catalog';

const SUITE = suiteOf({
  nginx: [1000, 400_000, ['libssl'], ['docs']],
  libssl: [5000, 2_000_000, ['libc']],
  docs: [300, 50_000, []],
  libc: [10_000, 3_000_000, []],
  dpkg: [2000, 1, ['libc']],
  debconf: [500, 1, []],
  tzdata: [3000, 1, ['debconf']],
  'python3-x': [100, 1, ['libpython3.11-stdlib']],
  'libpython3.11-stdlib': [1000, 1, []],
  'python3-x-dev': [10, 1, ['python3-x']],
});
const CATALOG = catalogOf(SUITE);

/** A local Debian bookworm base with libc installed; `extra` overrides its facts. */
function base(extra: Partial<BaseImageFacts> = {}): Record<string, BaseImageFacts> {
  return { 'local/deb': { ref: 'local/deb', bytes: 1, source: 'local', id: 'sha256:1', arch: 'amd64', layers: [], os: { id: 'debian', codename: 'bookworm' }, dpkg: ['libc:amd64'], aptClean: false, aptLists: false, ...extra } as BaseImageFacts };
}

/** Estimates the RUNs of `lines` (both line endings agree) and returns them in file order. */
function runs(lines: string[], bases = base()): RunEstimate[] {
  const results = EOLS.map(({ eol }) => {
    const model = resolveStages(parseDockerfile(dockerfile(lines, eol)), {});
    return [...estimateRuns(model, bases, CATALOG).entries()].sort((a, b) => a[0] - b[0]).map(([, r]) => r);
  });
  assert.deepEqual(results[0], results[1]);
  return results[0];
}

const files = (kib: number): number => Math.round(kib * 1024 * facts.FILES_PER_INSTALLED_BYTE);
const caches = (perPackage: number): number => 2 * perPackage * SUITE.count;
/**
 * dpkg's, debconf's and the logs' bytes after an install that leaves `installed` packages, `stage` of them the
 * stage's own; `templates` copies of debconf's database (2 when a package that uses debconf came).
 */
const records = (installed: number, stage: number, templates = 1): number =>
  2 * facts.STATUS_BYTES_PER_PACKAGE * installed + templates * facts.DEBCONF_TEMPLATES_BYTES + facts.DPKG_LOG_BYTES + facts.LOG_BYTES_PER_PACKAGE * stage + facts.APT_LOG_BYTES;

test('apt-get update + install, cleaned in the same RUN: the new packages and dpkg records only', () => {
  const [r] = runs(['FROM local/deb', 'RUN apt-get update && apt-get install -y --no-install-recommends nginx && apt-get clean && rm -rf /var/lib/apt/lists/*']);
  assert.equal(r.size.bytes, files(1000) + files(5000) + records(3, 2));
  assert.equal(r.size.source, 'catalog');
  assert.equal(r.size.confidence, 'high');
  assert.match(r.size.detail ?? '', /2 packages/);
});

test('left uncleaned: lists, downloaded .debs and both binary caches stay', () => {
  const [r] = runs(['FROM local/deb', 'RUN apt-get update && apt-get install -y nginx']);
  const expected = files(1300) + files(5000) + 2_450_000 + 1_000_000 + caches(facts.BIN_CACHE_BYTES_PER_PACKAGE) + records(4, 3);
  assert.equal(r.size.bytes, expected);
  assert.deepEqual(r.adds.map((a) => a.path).sort(), ['/var/cache/apt/archives', '/var/cache/apt/pkgcache.bin', '/var/cache/apt/srcpkgcache.bin', '/var/cache/debconf', '/var/lib/apt/lists', '/var/lib/dpkg/status', '/var/log']);
});

test('the installed set carries to later RUNs and through FROM <stage>; a second install rewrites only pkgcache.bin', () => {
  const [update, first, second, third] = runs(['FROM local/deb AS a', 'RUN apt-get update', 'RUN apt-get install -y --no-install-recommends libssl', 'RUN apt-get install -y --no-install-recommends nginx', 'FROM a', 'RUN apt-get install -y --no-install-recommends nginx libssl']);
  assert.equal(update.size.bytes, 1_000_000 + caches(facts.BIN_CACHE_BYTES_PER_PACKAGE));
  assert.equal(first.size.bytes, files(5000) + 2_000_000 + caches(facts.BIN_CACHE_BYTES_PER_PACKAGE) / 2 + records(2, 1));
  assert.equal(second.size.bytes, files(1000) + 400_000 + caches(facts.BIN_CACHE_BYTES_PER_PACKAGE) / 2 + records(3, 2));
  assert.equal(third.size.bytes, 0);
});

test('an apt configuration a RUN writes turns recommends off for later installs of the stage', () => {
  const [config, install] = runs(['FROM local/deb', `RUN echo 'APT::Install-Recommends "false";' > /etc/apt/apt.conf.d/90norecommends`, 'RUN apt-get update && apt-get install -y nginx && apt-get clean && rm -rf /var/lib/apt/lists/*']);
  assert.equal(config.size.bytes, null);
  assert.equal(install.size.bytes, files(1000) + files(5000) + records(3, 2));
});

test('a docker-clean base keeps no .debs and no binary caches; a base with lists installs without update', () => {
  const [clean] = runs(['FROM local/deb', 'RUN apt-get update && apt-get install -y --no-install-recommends libssl'], base({ aptClean: true }));
  assert.equal(clean.size.bytes, 1_000_000 + files(5000) + records(2, 1));
  const [withLists] = runs(['FROM local/deb', 'RUN apt-get install -y --no-install-recommends libssl && apt-get clean'], base({ aptLists: true }));
  assert.equal(withLists.size.bytes, files(5000) + records(2, 1));
  const [noLists] = runs(['FROM local/deb', 'RUN apt-get install -y libssl']);
  assert.equal(noLists.size.bytes, null);
  assert.match(noLists.size.detail ?? '', /apt-get update/);
});

test('a package that uses debconf changes its database (an -old copy too); Python modules are byte-compiled', () => {
  const [tz, py] = runs(['FROM local/deb', 'RUN apt-get update && apt-get install -y tzdata && apt-get clean && rm -rf /var/lib/apt/lists/*', 'RUN apt-get update && apt-get install -y python3-x-dev && apt-get clean && rm -rf /var/lib/apt/lists/*']);
  assert.equal(tz.size.bytes, files(3000) + files(500) + records(3, 2, 2));
  const compiled = (kib: number): number => Math.round(kib * 1024 * (facts.FILES_PER_INSTALLED_BYTE + facts.PYC_PER_INSTALLED_BYTE));
  assert.equal(py.size.bytes, files(10) + compiled(100) + compiled(1000) + records(6, 5));
});

test('removal in the same RUN: purge subtracts what it installed, rm of a cache folder takes the part out', () => {
  const [r] = runs(['FROM local/deb', 'RUN apt-get update && apt-get install -y --no-install-recommends nginx && apt-get purge -y nginx && rm -rf /var/lib/apt/lists/* /var/cache/apt/*']);
  assert.equal(r.size.bytes, files(5000) + records(2, 2));
  assert.equal(r.size.confidence, 'high');
});

test('a base named by reference: the suite from the tag, required packages assumed installed, medium confidence', () => {
  const [r] = runs(['FROM debian:12-slim', 'RUN apt-get update && apt-get install -y --no-install-recommends nginx && rm -rf /var/lib/apt/lists/*'], {});
  assert.equal(r.size.confidence, 'medium');
  assert.equal(r.size.bytes, files(1000) + files(5000) + records(6, 2));
  assert.match(r.size.detail ?? '', /debian:12-slim/);
});

test('unknown with the reason: other bases, other package managers, upgrades; 0 B for deletions', () => {
  const alpine = base({ os: { id: 'alpine', codename: '3.20' } });
  const [apt, apk] = runs(['FROM local/deb', 'RUN apt-get install -y curl', 'RUN apk add --no-cache curl'], alpine);
  assert.match(apt.size.detail ?? '', /alpine/);
  assert.equal(apk.size.bytes, null);
  assert.match(apk.size.detail ?? '', /Alpine/);
  const [pip, npm, upgrade, rm, mixed] = runs(['FROM local/deb', 'RUN pip install --no-cache-dir flask', 'RUN npm ci', 'RUN apt-get update && apt-get upgrade -y', 'RUN rm -rf /tmp/* && mkdir -p /app', 'RUN apt-get update && apt-get install -y libssl && make']);
  assert.match(pip.size.detail ?? '', /pip installs/);
  assert.match(npm.size.detail ?? '', /npm registry/);
  assert.equal(upgrade.size.bytes, null);
  assert.deepEqual([rm.size.bytes, rm.size.source], [0, 'heuristic']);
  assert.equal(mixed.size.lowerBound, true);
  assert.match(mixed.size.detail ?? '', /`make`/);
  const [nothing] = runs(['FROM scratch', 'RUN apt-get install -y x'], {});
  assert.equal(nothing.size.bytes, null);
});
