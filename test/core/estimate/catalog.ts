/** Small hand-made catalogs for the RUN estimate tests (plain objects implementing the catalog types). */
import type { CatalogPackage, CatalogSuite, PackageCatalog } from '../../../server/src/core/catalog';

/** name -> [installed KiB, .deb bytes, depends, recommends?, provides?]; priority `required` when the name starts with `req-`. */
export type Spec = Record<string, [number, number, string[], string[]?, string[]?]>;

/** A bookworm amd64 suite of `spec` with `listsBytes` 1,000,000. */
export function suiteOf(spec: Spec, suite = 'bookworm'): CatalogSuite {
  const byName = new Map<string, CatalogPackage>();
  const virtual = new Map<string, CatalogPackage>();
  for (const [name, [kib, deb, depends, recommends = [], provides = []]] of Object.entries(spec)) {
    const pkg = { name, installedBytes: kib * 1024, debBytes: deb, depends, recommends, priority: name.startsWith('req-') ? 'required' : 'optional', essential: false };
    byName.set(name, pkg);
    for (const v of provides) if (!virtual.has(v)) virtual.set(v, pkg);
  }
  return { suite, arch: 'amd64', date: '2026-07-11T10:16:37Z', listsBytes: 1_000_000, count: byName.size, find: (n) => byName.get(n) ?? virtual.get(n) };
}

export function catalogOf(...suites: CatalogSuite[]): PackageCatalog {
  return { suites, suite: (s, arch) => suites.find((x) => x.suite === s && x.arch === (arch ?? 'amd64')) };
}
