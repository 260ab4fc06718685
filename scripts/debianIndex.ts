/**
 * Debian's index files -> the catalog's packages (pure): reads `Packages` stanzas and a `Release` file, picks one
 * version per name, and resolves every dependency group to one package name, as the catalog stores them.
 */
import type { CatalogPackage } from '../server/src/core/catalog';
import type { CatalogArchInput } from '../server/src/core/catalogEncode';

/** The fields of one `Packages` stanza the catalog needs. */
export interface Stanza {
  name: string;
  version: string;
  installedKiB: number;
  debBytes: number;
  preDepends: string;
  depends: string;
  recommends: string;
  provides: string;
  priority: string;
  essential: boolean;
}

const WANTED = new Set(['package', 'version', 'installed-size', 'size', 'pre-depends', 'depends', 'recommends', 'provides', 'priority', 'essential']);

/** The stanzas of a `Packages` file, in its order (fields may continue on lines that start with blanks). */
export function parsePackages(text: string): Stanza[] {
  const stanzas: Stanza[] = [];
  let fields = new Map<string, string>();
  let key: string | null = null;
  const flush = (): void => {
    if (fields.has('package')) stanzas.push(stanzaOf(fields));
    fields = new Map();
    key = null;
  };
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') flush();
    else if (line[0] === ' ' || line[0] === '\t') {
      if (key !== null) fields.set(key, `${fields.get(key)} ${line.trim()}`);
    } else {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).toLowerCase();
      key = colon > 0 && WANTED.has(name) ? name : null;
      if (key !== null) fields.set(key, line.slice(colon + 1).trim());
    }
  }
  flush();
  return stanzas;
}

function stanzaOf(f: Map<string, string>): Stanza {
  return {
    name: f.get('package') as string, version: f.get('version') ?? '', installedKiB: Number(f.get('installed-size')) || 0,
    debBytes: Number(f.get('size')) || 0, preDepends: f.get('pre-depends') ?? '', depends: f.get('depends') ?? '',
    recommends: f.get('recommends') ?? '', provides: f.get('provides') ?? '', priority: f.get('priority') ?? '',
    essential: (f.get('essential') ?? '').toLowerCase() === 'yes',
  };
}

/** `a (>= 1) | b:any, c` -> [['a', 'b'], ['c']]: names without versions, architecture qualifiers or profiles. */
export function relationGroups(field: string): string[][] {
  if (field.trim() === '') return [];
  return field.split(',').map((group) => group.split('|').map(bareName).filter((n) => n !== '')).filter((g) => g.length > 0);
}

function bareName(alternative: string): string {
  return alternative.trim().split(/[\s(\[<]/)[0].replace(/:[a-z0-9-]+$/, '');
}

/** The `Date` of a Release or InRelease file as ISO 8601 (seconds), or '' when it has none. */
export function releaseDate(release: string): string {
  const date = /^Date:\s*(.+)$/m.exec(release)?.[1];
  const ms = date === undefined ? NaN : Date.parse(date.trim());
  return Number.isNaN(ms) ? '' : new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** The size a Release file lists for `path` (e.g. `main/binary-amd64/Packages`), or null when it lists none. */
export function releaseSize(release: string, path: string): number | null {
  const escaped = path.replace(/[.+]/g, '\\$&');
  const hit = new RegExp(`^ [0-9a-f]{32,}\\s+(\\d+)\\s+${escaped}\\s*$`, 'm').exec(release);
  return hit === null ? null : Number(hit[1]);
}

/**
 * Bytes apt-get update leaves in /var/lib/apt/lists for `main` of one architecture on a plain Debian image:
 * the InRelease file as fetched, and the uncompressed Packages and Translation-en that apt stores (it
 * decompresses indexes unless configured otherwise), at the sizes the Release file lists for them.
 */
export function listsBytes(inRelease: string, arch: string): number {
  const files = [`main/binary-${arch}/Packages`, 'main/i18n/Translation-en'];
  return Buffer.byteLength(inRelease) + files.reduce((sum, f) => sum + (releaseSize(inRelease, f) ?? 0), 0);
}

/** The catalog of one architecture: one version per name (the highest), every relation group resolved. */
export function resolveArch(arch: string, release: string, stanzas: Stanza[]): CatalogArchInput & { unresolved: number } {
  const byName = new Map<string, Stanza>();
  for (const s of stanzas) {
    const seen = byName.get(s.name);
    if (seen === undefined || compareVersions(s.version, seen.version) > 0) byName.set(s.name, s);
  }
  const providers = new Map<string, string>();
  for (const s of byName.values()) {
    for (const [virtual] of relationGroups(s.provides)) if (!providers.has(virtual) && virtual !== s.name) providers.set(virtual, s.name);
  }
  let unresolved = 0;
  const resolve = (field: string, self: string): string[] => {
    const names: string[] = [];
    for (const group of relationGroups(field)) {
      const name = group.find((n) => byName.has(n)) ?? group.map((n) => providers.get(n)).find((n) => n !== undefined);
      if (name === undefined) unresolved++;
      else if (name !== self && !names.includes(name)) names.push(name);
    }
    return names;
  };
  const packages: CatalogPackage[] = [...byName.values()].map((s) => ({
    name: s.name, installedBytes: s.installedKiB * 1024, debBytes: s.debBytes,
    depends: resolve(`${s.preDepends},${s.depends}`, s.name), recommends: resolve(s.recommends, s.name),
    priority: s.priority, essential: s.essential,
  }));
  const virtuals = new Map([...providers].filter(([name]) => !byName.has(name)));
  return { arch, date: releaseDate(release), listsBytes: listsBytes(release, arch), packages, virtuals, unresolved };
}

/** dpkg's version order: negative when a < b, 0 when equal, positive when a > b. */
export function compareVersions(a: string, b: string): number {
  const [ea, ua, ra] = splitVersion(a);
  const [eb, ub, rb] = splitVersion(b);
  return ea !== eb ? ea - eb : compareFragment(ua, ub) || compareFragment(ra, rb);
}

function splitVersion(v: string): [number, string, string] {
  const colon = v.indexOf(':');
  const epoch = colon > 0 ? Number(v.slice(0, colon)) || 0 : 0;
  const rest = colon > 0 ? v.slice(colon + 1) : v;
  const dash = rest.lastIndexOf('-');
  return dash < 0 ? [epoch, rest, ''] : [epoch, rest.slice(0, dash), rest.slice(dash + 1)];
}

/** One part of a version, compared as dpkg does: runs of non-digits (with `~` lowest) and numbers, alternating. */
function compareFragment(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const d = order(a[i]) - order(b[j]);
      if (d !== 0) return d;
      i++;
      j++;
    }
    let na = '';
    let nb = '';
    while (i < a.length && isDigit(a[i])) na += a[i++];
    while (j < b.length && isDigit(b[j])) nb += b[j++];
    const d = Number(na || 0) - Number(nb || 0);
    if (d !== 0) return d;
  }
  return 0;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function order(c: string | undefined): number {
  if (c === undefined || isDigit(c)) return 0;
  if (c === '~') return -1;
  return /[A-Za-z]/.test(c) ? c.charCodeAt(0) : c.charCodeAt(0) + 256;
}
