/**
 * Builds the Debian package catalog that ships with the extension (catalog/*.br and catalog/index.json):
 * fetches the `main` indexes of each suite and architecture with apt and a private configuration (the
 * system's apt state is not touched), or reads index files named on the command line, resolves them and
 * writes one brotli-compressed file per suite.
 *
 *   node out/scripts/build-catalog.js [--out DIR] [--suite S]... [--arch A]...
 *   node out/scripts/build-catalog.js --out DIR --release SUITE=INRELEASE --packages SUITE/ARCH=PACKAGES ...
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { brotliCompressSync, constants, gunzipSync } from 'node:zlib';
import type { CatalogIndex } from '../server/src/core/catalog';
import { encodeCatalog, type CatalogArchInput } from '../server/src/core/catalogEncode';
import { parsePackages, resolveArch } from './debianIndex';

const SUITES = ['bookworm', 'trixie'];
const ARCHS = ['amd64', 'arm64'];

/** Index files of one suite: its InRelease text and each architecture's Packages file. */
interface SuiteFiles {
  suite: string;
  release: string;
  packages: { arch: string; path: string }[];
}

/** Debian's mirror as this machine's apt configuration names it, so that no host name is written here. */
export function systemMirror(): string | null {
  const dir = '/etc/apt/sources.list.d';
  const sources = readdirSafe(dir).filter((f) => f.endsWith('.sources')).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
  const uris = [...sources.matchAll(/^URIs:\s*(\S+)/gm)].map((m) => m[1]);
  const list = readSafe('/etc/apt/sources.list').split('\n').filter((l) => /^deb\s/.test(l)).flatMap((l) => l.split(/\s+/).filter((w) => /^https?:/.test(w)));
  return [...uris, ...list].find((u) => !u.includes('security')) ?? null;
}

function readdirSafe(dir: string): string[] {
  try { return readdirSync(dir); } catch { return []; }
}

function readSafe(path: string): string {
  try { return readFileSync(path, 'utf8'); } catch { return ''; }
}

/** Runs `apt-get update` for `suites` x `archs` into a temp folder; returns the files apt stored. */
function fetchWithApt(mirror: string, suites: string[], archs: string[], work: string): SuiteFiles[] {
  const lists = join(work, 'lists');
  mkdirSync(join(lists, 'partial'), { recursive: true });
  mkdirSync(join(work, 'cache', 'archives', 'partial'), { recursive: true });
  const sourceList = join(work, 'sources.list');
  writeFileSync(sourceList, suites.map((s) => `deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${mirror} ${s} main\n`).join(''));
  const options = [
    `Dir::Etc::sourcelist=${sourceList}`, 'Dir::Etc::sourceparts=-', `Dir::State::Lists=${lists}`, `Dir::Cache=${join(work, 'cache')}`,
    'Debug::NoLocking=1', 'APT::Sandbox::User=root', 'Acquire::GzipIndexes=false', 'Acquire::Languages=none',
    ...archs.map((a) => `APT::Architectures::=${a}`),
  ].flatMap((o) => ['-o', o]);
  execFileSync('apt-get', [...options, '-qq', 'update'], { stdio: ['ignore', 'inherit', 'inherit'] });
  const stored = readdirSync(lists);
  return suites.map((suite) => {
    const release = stored.find((f) => f.endsWith(`_dists_${suite}_InRelease`));
    if (release === undefined) throw new Error(`apt stored no InRelease for ${suite}`);
    const packages = archs.map((arch) => {
      const file = stored.find((f) => f.includes(`_dists_${suite}_main_binary-${arch}_Packages`));
      if (file === undefined) throw new Error(`apt stored no Packages for ${suite}/${arch}`);
      return { arch, path: join(lists, file) };
    });
    return { suite, release: readFileSync(join(lists, release), 'utf8'), packages };
  });
}

/** A Packages file's text: plain, gzip, or any compression apt's own helper reads (lz4, xz). */
function readIndex(path: string): string {
  if (path.endsWith('.gz')) return gunzipSync(readFileSync(path)).toString('utf8');
  if (/\.(lz4|xz|bz2|zst)$/.test(path)) return execFileSync('/usr/lib/apt/apt-helper', ['cat-file', path], { maxBuffer: 1 << 30, encoding: 'utf8' });
  return readFileSync(path, 'utf8');
}

/** Files named by `--release SUITE=FILE` and `--packages SUITE/ARCH=FILE`, grouped by suite. */
function filesFromArgs(releases: string[], packages: string[]): SuiteFiles[] | string {
  const suites: SuiteFiles[] = [];
  for (const r of releases) {
    const [suite, path] = r.split(/=(.*)/s);
    if (!path) return `--release ${r}: expected SUITE=FILE`;
    suites.push({ suite, release: readFileSync(path, 'utf8'), packages: [] });
  }
  for (const p of packages) {
    const m = /^([^/=]+)\/([^=]+)=(.+)$/.exec(p);
    const suite = m === null ? undefined : suites.find((s) => s.suite === m[1]);
    if (m === null || suite === undefined) return `--packages ${p}: expected SUITE/ARCH=FILE with a --release for SUITE`;
    suite.packages.push({ arch: m[2], path: m[3] });
  }
  return suites;
}

/** Resolves and writes one suite's catalog file; returns what the index says about it. */
function writeSuite(files: SuiteFiles, outDir: string): CatalogIndex['files'][number] {
  const archs: CatalogArchInput[] = files.packages.map(({ arch, path }) => {
    const resolved = resolveArch(arch, files.release, parsePackages(readIndex(path)));
    console.log(`${files.suite}/${arch}: ${resolved.packages.length} packages, ${resolved.virtuals.size} virtual names, ${resolved.unresolved} relation groups nothing in main satisfies`);
    return resolved;
  });
  const text = encodeCatalog(files.suite, archs);
  const compressed = brotliCompressSync(text, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 24, [constants.BROTLI_PARAM_SIZE_HINT]: text.length } });
  const file = `${files.suite}.br`;
  writeFileSync(join(outDir, file), compressed);
  console.log(`${file}: ${text.length} bytes of text, ${compressed.length} bytes compressed`);
  return { file, suites: archs.map((a) => ({ suite: files.suite, arch: a.arch, date: a.date, listsBytes: a.listsBytes, count: a.packages.length })) };
}

function main(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: { out: { type: 'string' }, suite: { type: 'string', multiple: true }, arch: { type: 'string', multiple: true }, release: { type: 'string', multiple: true }, packages: { type: 'string', multiple: true } },
  });
  const outDir = values.out ?? join(__dirname, '..', '..', 'catalog');
  const work = mkdtempSync(join(tmpdir(), 'dl-catalog-'));
  try {
    let suites: SuiteFiles[] | string;
    if (values.release !== undefined) suites = filesFromArgs(values.release, values.packages ?? []);
    else {
      const mirror = systemMirror();
      if (mirror === null) return (console.error('build-catalog: found no Debian mirror in /etc/apt'), 2);
      suites = fetchWithApt(mirror, values.suite ?? SUITES, values.arch ?? ARCHS, work);
    }
    if (typeof suites === 'string') return (console.error(`build-catalog: ${suites}`), 2);
    mkdirSync(outDir, { recursive: true });
    const index: CatalogIndex = { files: suites.map((s) => writeSuite(s, outDir)) };
    writeFileSync(join(outDir, 'index.json'), JSON.stringify(index, null, 1) + '\n');
    return 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
