/**
 * The encoder of the catalog format that server/src/core/catalog.ts decodes (pure; scripts/build-catalog
 * compresses its text with brotli). Architectures after the first are written as differences from the first,
 * which leaves out every `Architecture: all` package: about half of each arm64 index.
 */
import { CATALOG_MAGIC, PRIORITY_LETTERS, type CatalogPackage } from './catalog';

/** One architecture of a suite as the script resolved it. */
export interface CatalogArchInput {
  arch: string;
  /** The Release file's `Date`, ISO 8601. */
  date: string;
  /** Bytes apt-get update leaves under /var/lib/apt/lists for the suite's main. */
  listsBytes: number;
  packages: CatalogPackage[];
  /** Virtual name -> the package that provides it first, for names no real package has. */
  virtuals: Map<string, string>;
}

const LETTER_OF = new Map(Object.entries(PRIORITY_LETTERS).map(([letter, word]) => [word, letter]));

/** The catalog file's text for `suite`: the first architecture in full, the others as differences from it. */
export function encodeCatalog(suite: string, archs: CatalogArchInput[]): string {
  const out = [CATALOG_MAGIC, `#suite ${suite}`];
  const [first, ...rest] = archs;
  const base = first === undefined ? new Map<string, string>() : packageLines(first);
  if (first !== undefined) out.push(header(first, null));
  for (const line of base.values()) out.push(line);
  for (const arch of rest) {
    out.push(header(arch, first.arch));
    const lines = packageLines(arch);
    for (const name of base.keys()) if (!lines.has(name)) out.push(`-${name}`);
    for (const [name, line] of lines) if (base.get(name) !== line) out.push(line);
  }
  return out.join('\n') + '\n';
}

function header(arch: CatalogArchInput, base: string | null): string {
  const fields = [`#arch ${arch.arch}`, `date=${arch.date}`, `lists=${arch.listsBytes}`, `count=${arch.packages.length}`];
  return (base === null ? fields : [...fields, `base=${base}`]).join(' ');
}

/** Package name -> its line, sorted by name so that related packages sit together and compress better. */
function packageLines(arch: CatalogArchInput): Map<string, string> {
  const provides = new Map<string, string[]>();
  for (const [virtual, provider] of arch.virtuals) {
    const list = provides.get(provider);
    if (list === undefined) provides.set(provider, [virtual]);
    else list.push(virtual);
  }
  const sorted = [...arch.packages].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return new Map(sorted.map((p) => [p.name, packageLine(p, (provides.get(p.name) ?? []).sort())]));
}

/** The line of one package; installed sizes go back to the KiB the index gives. */
export function packageLine(p: CatalogPackage, provides: string[]): string {
  const flags = (LETTER_OF.get(p.priority) ?? p.priority) + (p.essential ? 'E' : '');
  return [p.name, Math.round(p.installedBytes / 1024), p.debBytes, flags, p.depends.join(','), p.recommends.join(','), provides.join(',')].join('\t');
}
