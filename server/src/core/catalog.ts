/**
 * Debian's package catalog as the RUN estimates read it (pure): per suite and architecture, every package's
 * installed size, .deb size, dependencies and recommendations, built by scripts/build-catalog from Debian's
 * package index and shipped with the extension. CONTRACT: the implementation (parseCatalog, the encoder the
 * script uses) belongs to the catalog work; the RUN estimator only uses these types.
 */

/** One binary package of a suite, as `Packages` describes it. */
export interface CatalogPackage {
  name: string;
  /** `Installed-Size` in bytes (the index gives KiB: times 1024). */
  installedBytes: number;
  /** `Size`: bytes of the .deb (what `apt-get install` downloads into /var/cache/apt/archives). */
  debBytes: number;
  /**
   * `Pre-Depends` and `Depends`: one name per group, the first alternative the suite can satisfy (a real package,
   * or the first package that `Provides` it), version constraints dropped.
   */
  depends: string[];
  /** `Recommends`, resolved the same way. */
  recommends: string[];
  /** `Priority` (`required`, `important`, `standard`, `optional`, `extra`). */
  priority: string;
  essential: boolean;
}

/** The catalog of one suite and architecture. */
export interface CatalogSuite {
  suite: string;
  arch: string;
  /** The `Date` of the suite's Release file it was built from, ISO 8601. */
  date: string;
  /** Bytes `apt-get update` leaves under /var/lib/apt/lists for the suite's `main` (index files as apt stores them). */
  listsBytes: number;
  /** The package by name, or by a virtual name some package `Provides` (the first such package). */
  find(name: string): CatalogPackage | undefined;
  /** How many packages it holds. */
  count: number;
}

/** Every shipped suite. */
export interface PackageCatalog {
  suites: CatalogSuite[];
  /** The suite for `suite` (a codename such as `bookworm`) and `arch` (`amd64` when null), or undefined. */
  suite(suite: string, arch: string | null): CatalogSuite | undefined;
}

/*
 * The shipped format (text, brotli-compressed by the adapters): one file per suite, holding each architecture.
 * A line `#arch ARCH date=ISO lists=BYTES count=N [base=ARCH]` starts an architecture. Then one line per package,
 * `name TAB installedKiB TAB debBytes TAB flags TAB depends TAB recommends TAB provides` (flags: the priority's
 * first letter, `E` when essential; lists comma-separated; provides: the virtual names no real package has that
 * this package is the first to provide). An architecture with a `base` lists only the lines that differ from
 * the base's, and `-name` for a package the base has and it lacks. Text is kept because brotli compresses
 * repeated names about as well as integer references would, and it stays readable.
 */

/** The first line of every catalog file. */
export const CATALOG_MAGIC = '#dockerfile-layers catalog 1';

/** Priorities by the letter the format stores. */
export const PRIORITY_LETTERS: Record<string, string> = { r: 'required', i: 'important', s: 'standard', o: 'optional', x: 'extra' };

/** What a catalog file's header says about one architecture. */
export interface CatalogSuiteInfo {
  suite: string;
  arch: string;
  date: string;
  listsBytes: number;
  count: number;
}

/** The shipped index (catalog/index.json): which file holds which suites. */
export interface CatalogIndex {
  files: { file: string; suites: CatalogSuiteInfo[] }[];
}

/** One architecture's lines: its own sorted lines, or (with a base) the lines that differ, null for removed. */
interface ArchLines {
  info: CatalogSuiteInfo;
  sorted: string[];
  base: ArchLines | null;
  overlay: Map<string, string | null>;
}

/**
 * Decodes one catalog file's text; `problems` lists what it could not read (bad input never throws). Cheap:
 * package lines are looked up by binary search and decoded on their first look-up.
 */
export function parseCatalog(text: string): { suites: CatalogSuite[]; problems: string[] } {
  const lines = text.split('\n');
  const problems: string[] = [];
  if (lines[0] !== CATALOG_MAGIC) return { suites: [], problems: ['not a dockerfile-layers catalog (format 1)'] };
  const suite = /^#suite (\S+)$/.exec(lines[1] ?? '')?.[1] ?? '';
  const archs: ArchLines[] = [];
  let start = -1;
  const close = (end: number): void => {
    if (start >= 0) archs.push(archLines(suite, lines, start, end, archs, problems));
  };
  for (let i = 2; i < lines.length; i++) {
    if (!lines[i].startsWith('#arch ')) continue;
    close(i);
    start = i;
  }
  close(lines[lines.length - 1] === '' ? lines.length - 1 : lines.length);
  if (archs.length === 0) problems.push('no #arch line');
  return { suites: archs.map((a) => suiteOf(a)), problems };
}

function archLines(suite: string, lines: string[], start: number, end: number, archs: ArchLines[], problems: string[]): ArchLines {
  const words = lines[start].split(' ');
  const fields = new Map(words.slice(2).map((f) => [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)]));
  const info = { suite, arch: words[1], date: fields.get('date') ?? '', listsBytes: Number(fields.get('lists')) || 0, count: Number(fields.get('count')) || 0 };
  const baseName = fields.get('base');
  const base = baseName === undefined ? null : archs.find((a) => a.info.arch === baseName) ?? null;
  if (baseName !== undefined && base === null) problems.push(`#arch ${info.arch}: no architecture ${baseName} before it`);
  if (base === null) return { info, sorted: lines.slice(start + 1, end), base: null, overlay: new Map() };
  const overlay = new Map<string, string | null>();
  for (let i = start + 1; i < end; i++) {
    const line = lines[i];
    if (line.startsWith('-')) overlay.set(line.slice(1), null);
    else overlay.set(line.slice(0, line.indexOf('\t')), line);
  }
  return { info, sorted: [], base, overlay };
}

/** The line of package `name`, or undefined. */
function lineOf(arch: ArchLines, name: string): string | undefined {
  const own = arch.overlay.get(name);
  if (own !== undefined) return own ?? undefined;
  if (arch.base !== null) return lineOf(arch.base, name);
  let lo = 0;
  let hi = arch.sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const line = arch.sorted[mid];
    const key = line.slice(0, line.indexOf('\t'));
    if (key === name) return line;
    if (key < name) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/** Every line of an architecture. */
function* allLines(arch: ArchLines): Generator<string> {
  if (arch.base === null) yield* arch.sorted;
  else {
    for (const line of allLines(arch.base)) if (!arch.overlay.has(line.slice(0, line.indexOf('\t')))) yield line;
    for (const line of arch.overlay.values()) if (line !== null) yield line;
  }
}

function suiteOf(arch: ArchLines): CatalogSuite {
  const decoded = new Map<string, CatalogPackage>();
  const get = (name: string): CatalogPackage | undefined => {
    const hit = decoded.get(name);
    if (hit !== undefined) return hit;
    const line = lineOf(arch, name);
    if (line === undefined) return undefined;
    const pkg = parsePackageLine(line);
    decoded.set(name, pkg);
    return pkg;
  };
  let virtuals: Map<string, string> | null = null;
  const provider = (name: string): string | undefined => (virtuals ??= virtualsOf(allLines(arch))).get(name);
  return { ...arch.info, find: (name) => get(name) ?? get(provider(name) ?? '') };
}

/** Virtual name -> its provider, from the lines' last field (made on the first look-up of a name no package has). */
function virtualsOf(lines: Iterable<string>): Map<string, string> {
  const virtuals = new Map<string, string>();
  for (const line of lines) {
    const tab = line.lastIndexOf('\t');
    if (tab === line.length - 1) continue;
    const name = line.slice(0, line.indexOf('\t'));
    for (const virtual of line.slice(tab + 1).split(',')) virtuals.set(virtual, name);
  }
  return virtuals;
}

/** One package line of the format -> the package (sizes in bytes; an unreadable number reads as 0). */
export function parsePackageLine(line: string): CatalogPackage {
  const [name, kib, deb, flags = '', depends = '', recommends = ''] = line.split('\t');
  const letter = flags.replace('E', '');
  return {
    name,
    installedBytes: (Number(kib) || 0) * 1024,
    debBytes: Number(deb) || 0,
    depends: depends === '' ? [] : depends.split(','),
    recommends: recommends === '' ? [] : recommends.split(','),
    priority: PRIORITY_LETTERS[letter] ?? letter,
    essential: flags.includes('E'),
  };
}

/** The catalog of `suites`; `suite(name, null)` means amd64. */
export function catalogOf(suites: CatalogSuite[]): PackageCatalog {
  return { suites, suite: (suite, arch) => suites.find((s) => s.suite === suite && s.arch === (arch ?? 'amd64')) };
}

/** Reads catalog/index.json's text; null when it is no index. */
export function parseCatalogIndex(text: string): CatalogIndex | null {
  try {
    const index = JSON.parse(text) as CatalogIndex;
    return Array.isArray(index?.files) && index.files.every((f) => typeof f.file === 'string' && Array.isArray(f.suites)) ? index : null;
  } catch {
    return null;
  }
}
