/**
 * Loads the shipped Debian package catalog: catalog/index.json says which suites there are (read at once), and
 * a suite's brotli file is decompressed and decoded on its first look-up, so that only suites in use cost memory.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { catalogOf, parseCatalog, parseCatalogIndex, type CatalogPackage, type CatalogSuite, type CatalogSuiteInfo, type PackageCatalog } from '../core/catalog';

/** The catalog folder: dist/catalog beside the bundle, or the repository's catalog/ when running from out/. */
export function catalogDir(): string {
  const bundled = join(__dirname, 'catalog');
  return existsSync(bundled) ? bundled : join(__dirname, '..', '..', '..', '..', 'catalog');
}

/** The catalog in `dir` (default: catalogDir()), or why there is none; a suite file that fails later finds nothing. */
export function loadCatalog(dir: string = catalogDir()): PackageCatalog | { why: string } {
  let text: string;
  try {
    text = readFileSync(join(dir, 'index.json'), 'utf8');
  } catch (e) {
    return { why: `no package catalog in ${dir}: ${(e as Error).message}` };
  }
  const index = parseCatalogIndex(text);
  if (index === null) return { why: `${join(dir, 'index.json')} is no catalog index` };
  return catalogOf(index.files.flatMap(({ file, suites }) => {
    let decoded: CatalogSuite[] | null = null;
    const load = (): CatalogSuite[] => (decoded ??= readSuiteFile(join(dir, file)));
    return suites.map((info) => lazySuite(info, () => load().find((s) => s.arch === info.arch)));
  }));
}

/** The suites of one catalog file; none when it cannot be read. */
function readSuiteFile(path: string): CatalogSuite[] {
  try {
    return parseCatalog(brotliDecompressSync(readFileSync(path)).toString('utf8')).suites;
  } catch {
    return [];
  }
}

function lazySuite(info: CatalogSuiteInfo, load: () => CatalogSuite | undefined): CatalogSuite {
  return { ...info, find: (name: string): CatalogPackage | undefined => load()?.find(name) };
}
