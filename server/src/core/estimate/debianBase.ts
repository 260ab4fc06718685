/**
 * Which Debian suite a FROM image runs and what it has installed, from the local image's own files when the
 * adapter read them, else from the image reference (`debian:12-slim`, `python:3.12-slim-bookworm`) (pure).
 */
import type { BaseImageFacts } from '../baseImage';
import type { CatalogPackage, CatalogSuite, PackageCatalog } from '../catalog';
import { DEBIAN_RELEASES, REQUIRED_PACKAGES } from './aptFacts';
import { installedClosure } from './closure';

/** A Debian base as the apt estimate needs it. */
export interface DebianBase {
  suite: CatalogSuite;
  installed: Set<string>;
  /** The image's apt configuration deletes .debs and apt's binary caches after each run (docker-clean). */
  aptClean: boolean;
  /** Package lists are there before any `apt-get update` (true), are not (false), or not known (null). */
  lists: boolean | null;
  /** high: the image's own dpkg database; medium: the suite's required packages, from the reference. */
  confidence: 'high' | 'medium';
  /** How the base was read, in a few words for the estimate's detail. */
  basis: string;
}

/** A base that is not (known to be) Debian, with the reason in one sentence. */
export interface NotDebian {
  why: string;
}

/** Reads the base of a stage whose FROM names `ref`; `facts` are the adapter's findings for it. */
export function debianBase(ref: string, facts: BaseImageFacts | undefined, catalog: PackageCatalog | null | undefined): DebianBase | NotDebian {
  if (catalog === null || catalog === undefined) return { why: 'no Debian package catalog is loaded' };
  const known = facts !== undefined && facts.bytes !== null ? facts : null;
  const arch = known?.arch ?? 'amd64';
  if (known?.os !== undefined && known.os !== null) {
    if (known.os.id !== 'debian') return { why: `the base image runs ${known.os.id}, and only Debian's packages are catalogued` };
    const codename = known.os.codename;
    const suite = codename === null ? undefined : catalog.suite(codename, arch);
    if (suite === undefined) return { why: `the catalog has no Debian ${codename ?? '(release not named)'} for ${arch}` };
    if (known.dpkg !== undefined) {
      const installed = new Set(known.dpkg.map((n) => n.replace(/:[a-z0-9]+$/, '')));
      return { suite, installed, aptClean: known.aptClean === true, lists: known.aptLists ?? null, confidence: 'high', basis: `the base's dpkg database (${installed.size} packages)` };
    }
    return fromPriorities(suite, `Debian ${suite.suite} read from the base's os-release`);
  }
  const codename = suiteOfReference(ref);
  if (codename === null) return { why: `the reference \`${ref}\` does not say which Debian release it is (a tag such as bookworm or 12 does)` };
  const suite = catalog.suite(codename, arch);
  if (suite === undefined) return { why: `the catalog has no Debian ${codename} for ${arch}` };
  return fromPriorities(suite, `Debian ${codename} from the reference \`${ref}\``);
}

/**
 * Docker's official Debian images are debootstrap minbase systems (the `required` packages and their
 * dependencies) with the docker-clean apt configuration and no package lists; images built on them keep that.
 */
function fromPriorities(suite: CatalogSuite, where: string): DebianBase {
  const listing = (suite as CatalogSuite & { packages?: () => Iterable<CatalogPackage> }).packages;
  const seeds = listing === undefined ? REQUIRED_PACKAGES : [...listing.call(suite)].filter((p) => p.priority === 'required' || p.essential).map((p) => p.name);
  const installed = installedClosure(suite, seeds);
  return { suite, installed, aptClean: true, lists: false, confidence: 'medium', basis: `${where}, assumed to hold its ${installed.size} required packages as the official images do` };
}

/** Image names whose tags carry a Debian codename or release number (official images built on Debian). */
const DEBIAN_NAMES = /(^|\/)(debian|buildpack-deps|python|node|ruby|golang|rust|php|perl|openjdk|eclipse-temurin|gcc|haskell|julia|r-base|erlang|elixir)$/;

/** The Debian codename a reference names (`debian:12-slim` -> bookworm), or null. */
export function suiteOfReference(ref: string): string | null {
  const at = ref.indexOf('@');
  const noDigest = at < 0 ? ref : ref.slice(0, at);
  const colon = noDigest.lastIndexOf(':');
  const slash = noDigest.lastIndexOf('/');
  const name = colon > slash ? noDigest.slice(0, colon) : noDigest;
  const tag = colon > slash ? noDigest.slice(colon + 1) : '';
  if (!DEBIAN_NAMES.test(name)) return null;
  const named = Object.values(DEBIAN_RELEASES).find((c) => new RegExp(`(^|[-_.])${c}($|[-_.])`).test(tag));
  if (named !== undefined) return named;
  const release = /(^|\/)debian$/.test(name) ? /^(\d+)(\.\d+)*($|-)/.exec(tag)?.[1] : undefined;
  if (release !== undefined) return DEBIAN_RELEASES[release] ?? null;
  return null;
}
