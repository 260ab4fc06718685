/**
 * What the adapters found out about a FROM image before the build (plain data): its size from the local daemon
 * (exact, uncompressed) or from its registry (compressed), its layers for counting shared bytes once, and, when
 * read from the image's own files, the distribution and the packages it already has.
 */

/** One layer of a base image: an identity shared by images that share the layer, and its bytes. */
export interface BaseLayer {
  /** The layer's diff ID (local) or blob digest (registry). */
  id: string;
  bytes: number;
}

/** The operating system the image's files say it is (`/etc/os-release`). */
export interface BaseOs {
  /** `ID` of os-release: `debian`, `ubuntu`, `alpine`, ... */
  id: string;
  /** `VERSION_CODENAME` (`bookworm`, `trixie`), or the Alpine version; null when the file does not say. */
  codename: string | null;
}

/** A base image whose size is known. */
export interface KnownBase {
  ref: string;
  bytes: number;
  /** local: the daemon's image (uncompressed, exact); registry: the manifest's compressed layer sizes. */
  source: 'local' | 'registry';
  /** The image ID (local) or manifest digest (registry). */
  id: string;
  /** CPU architecture of the image (`amd64`, `arm64`), when told. */
  arch: string | null;
  layers: BaseLayer[];
  /** Read from the image's files (local images only): os-release, dpkg's and apk's installed packages, apt's docker-clean. */
  os?: BaseOs | null;
  /** Names of dpkg packages with `Status: install ok installed`. */
  dpkg?: string[];
  /** Names of installed apk packages. */
  apk?: string[];
  /** True when the image's apt configuration deletes downloaded .debs after each install (`docker-clean`). */
  aptClean?: boolean;
  /** True when the image already has apt lists (`/var/lib/apt/lists/*_Packages*`). */
  aptLists?: boolean;
}

/** A base image whose size could not be found, and why (one sentence). */
export interface UnknownBase {
  ref: string;
  bytes: null;
  why: string;
}

export type BaseImageFacts = KnownBase | UnknownBase;
