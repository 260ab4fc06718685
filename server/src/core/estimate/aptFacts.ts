/**
 * What apt and dpkg write besides the packages' own files, as measured in containers of Debian bookworm
 * (debootstrap --variant=minbase, Docker 20.10 overlay2, layer tars read with `docker save`). Each figure
 * says where it was measured; none is fitted to the size benchmark's fixtures.
 */

/**
 * Bytes one package of the lists adds to each of apt's binary caches (/var/cache/apt/pkgcache.bin and
 * srcpkgcache.bin, same size): 39,092,108 B for the 63,440 packages of bookworm main amd64 with the English
 * translations that `apt-get update` fetches (616 B each), 36,038,090 B from the Packages index alone (568 B).
 */
export const BIN_CACHE_BYTES_PER_PACKAGE = 616;
export const BIN_CACHE_BYTES_PER_PACKAGE_NO_TRANSLATIONS = 568;

/**
 * What `apt-get update` adds where the base already has the Packages index (debootstrap leaves it, without
 * translations): Translation-en, 32,699,363 B for bookworm's 63,440 packages (515 B each), and InRelease
 * (151,075 B), which it rewrites on every update.
 */
export const TRANSLATION_BYTES_PER_PACKAGE = 515;
export const RELEASE_FILE_BYTES = 151_075;

/**
 * The files a package puts on disk over its `Installed-Size`: dpkg-gencontrol rounds every file up to a KiB,
 * and dpkg adds /var/lib/dpkg/info/<pkg>.{list,md5sums,...}. Calibrated on the base image's own 88 packages
 * (not on any fixture): 112,366,478 B of files plus 2,488,456 B under /var/lib/dpkg/info for 120,356,864 B
 * of Installed-Size.
 */
export const FILES_PER_INSTALLED_BYTE = 0.954;

/**
 * /var/lib/dpkg/status per installed package: 77,102 B for the base's 88 packages. dpkg rewrites the file and
 * keeps the previous one as status-old, so a step that installs or removes packages holds both copies.
 */
export const STATUS_BYTES_PER_PACKAGE = 876;

/**
 * debconf's template database (/var/cache/debconf/templates.dat, 753,157 B in the base): apt's 70debconf hook
 * runs dpkg-preconfigure before every install, which saves the database into the layer (the same 753,157 B
 * after installing wget). When a package brings templates (Debian policy: a package that uses debconf depends
 * on `debconf | debconf-2.0`) the database changes and debconf keeps the previous one as templates.dat-old
 * (761,511 + 773,150 B after installing nginx, whose iproute2 and nginx-common use debconf).
 */
export const DEBCONF_TEMPLATES_BYTES = 760_000;

/**
 * Python modules are byte-compiled by the packages' maintainer scripts (dh_python3's py3compile, and the
 * interpreter's own postinst for its standard library), so the .pyc files are not in `Installed-Size`.
 * Calibrated on python3-requests, -yaml, -docutils, -pygments and their dependencies (not a benchmark
 * fixture's set): 9,270,801 B of .pyc for 10,599,424 B of python3-* Installed-Size (0.87), and 11,572,870 B
 * for the 13,869,056 B of libpython3.11-minimal and -stdlib (0.83).
 */
export const PYC_PER_INSTALLED_BYTE = 0.85;

/** Packages whose Python modules are byte-compiled at install (python3-*, not -dev/-dbg/-doc; libpython3.X's library). */
export const BYTE_COMPILED = /^(python3-(?!.*-(dev|dbg|doc)$).+|libpython3\.\d+-(minimal|stdlib))$/;

/**
 * Logs appended on every install (copied up whole): /var/log/dpkg.log (45,058 B in the base, about 500 B more
 * per package), apt's history.log, term.log and eipp.log.xz (about 12 kB), extended_states, ld.so.cache.
 */
export const DPKG_LOG_BYTES = 45_000;
export const LOG_BYTES_PER_PACKAGE = 500;
export const APT_LOG_BYTES = 18_000;

/**
 * Priority `required` packages of Debian (bookworm's list): what debootstrap's minbase variant and Docker's
 * official debian images (debuerreotype) install, with their dependencies. Used only when the catalog cannot
 * list its packages by priority.
 */
export const REQUIRED_PACKAGES = [
  'apt', 'base-files', 'base-passwd', 'bash', 'bsdutils', 'coreutils', 'dash', 'debconf', 'debianutils', 'diffutils',
  'dpkg', 'e2fsprogs', 'findutils', 'grep', 'gzip', 'hostname', 'init-system-helpers', 'libc-bin', 'libpam-modules',
  'libpam-modules-bin', 'libpam-runtime', 'login', 'mawk', 'mount', 'ncurses-base', 'ncurses-bin', 'passwd',
  'perl-base', 'sed', 'sysvinit-utils', 'tar', 'tzdata', 'util-linux',
];

/** Debian's release numbers and codenames, for tags such as `debian:12-slim`. */
export const DEBIAN_RELEASES: Record<string, string> = {
  '9': 'stretch', '10': 'buster', '11': 'bullseye', '12': 'bookworm', '13': 'trixie', '14': 'forky',
};
