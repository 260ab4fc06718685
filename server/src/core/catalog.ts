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
