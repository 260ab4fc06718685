/**
 * The bytes one RUN's apt commands leave in its layer (pure): the packages' files, the downloaded .debs,
 * apt's lists and binary caches, dpkg's and debconf's records; minus what the same RUN removes. The stage's
 * apt state (installed packages, lists, caches) carries from RUN to RUN and through `FROM <stage>`.
 */
import picomatch from 'picomatch';
import type { CatalogPackage } from '../catalog';
import { CACHE_DIRS } from '../rules/paths';
import type { AptAction } from './aptCommands';
import * as facts from './aptFacts';
import { resolveInstall } from './closure';
import type { DebianBase } from './debianBase';

/** What apt has on disk before a RUN: in the base or written by earlier steps. */
export interface AptState {
  base: DebianBase;
  installed: Set<string>;
  /** Lists: none, the base's own (Packages only, as debootstrap leaves them), or fetched by `apt-get update`. */
  lists: 'none' | 'base' | 'updated';
  /** apt's binary caches exist (pkgcache.bin, srcpkgcache.bin). */
  pkgcache: boolean;
  srcpkgcache: boolean;
  /** Packages the stage's own steps installed so far (dpkg.log grows by each). */
  stageInstalls: number;
}

/** One part of a layer: the path it is under, its bytes, and a few words for the detail. */
export interface LayerPart {
  path: string;
  bytes: number;
  what: string;
}

/** The outcome of a RUN's apt actions: the layer's parts, or why apt's effect cannot be estimated. */
export interface AptOutcome {
  parts: LayerPart[];
  added: CatalogPackage[];
  missing: string[];
  /** Set when apt's effect is unknown (the sentence says why). */
  unknown: string | null;
  /** Set when a figure rests on a guess the detail should name. */
  caveats: string[];
  state: AptState;
}

const PATHS = {
  files: '/usr',
  archives: `${CACHE_DIRS.aptArchives}/archives`,
  lists: CACHE_DIRS.aptLists,
  pkgcache: `${CACHE_DIRS.aptArchives}/pkgcache.bin`,
  srcpkgcache: `${CACHE_DIRS.aptArchives}/srcpkgcache.bin`,
  dpkg: '/var/lib/dpkg/status',
  debconf: '/var/cache/debconf',
  logs: '/var/log',
} as const;

type PartKey = keyof typeof PATHS;

/** A sample file under each part's path, to test removal patterns against (`rm -rf /var/cache/apt/*.bin`). */
const SAMPLES: Record<PartKey, string> = {
  files: '/usr/bin/x',
  archives: '/var/cache/apt/archives/x_1_amd64.deb',
  lists: '/var/lib/apt/lists/x_Packages',
  pkgcache: PATHS.pkgcache,
  srcpkgcache: PATHS.srcpkgcache,
  dpkg: PATHS.dpkg,
  debconf: '/var/cache/debconf/templates.dat',
  logs: '/var/log/dpkg.log',
};

/** Applies a RUN's actions to `before` (left as it was); `recommends` is the stage's default for installs. */
export function applyAptActions(actions: readonly AptAction[], before: AptState, recommends = true): AptOutcome {
  const state: AptState = { ...before, installed: new Set(before.installed) };
  const parts = new Map<PartKey, LayerPart>();
  const added: CatalogPackage[] = [];
  const missing: string[] = [];
  const caveats: string[] = [];
  const suite = state.base.suite;
  let templatesChanged = false;
  const set = (key: PartKey, bytes: number, what: string): void => { parts.set(key, { path: PATHS[key], bytes, what }); };
  const addTo = (key: PartKey, bytes: number, what: string): void => set(key, (parts.get(key)?.bytes ?? 0) + bytes, what);
  const writeCaches = (): void => {
    if (state.base.aptClean || state.lists === 'none') return;
    const per = state.lists === 'updated' ? facts.BIN_CACHE_BYTES_PER_PACKAGE : facts.BIN_CACHE_BYTES_PER_PACKAGE_NO_TRANSLATIONS;
    set('pkgcache', per * suite.count, "apt's package cache");
    if (!state.srcpkgcache || parts.has('srcpkgcache')) set('srcpkgcache', per * suite.count, "apt's source cache");
    state.pkgcache = true;
    state.srcpkgcache = true;
  };
  const dpkgRan = (): void => {
    set('dpkg', 2 * facts.STATUS_BYTES_PER_PACKAGE * state.installed.size, "dpkg's status and status-old");
    set('logs', facts.DPKG_LOG_BYTES + facts.LOG_BYTES_PER_PACKAGE * state.stageInstalls + facts.APT_LOG_BYTES, 'dpkg and apt logs');
  };
  for (const action of actions) {
    if (action.kind === 'update') {
      if (state.lists === 'none') set('lists', suite.listsBytes, 'package lists');
      else if (state.lists === 'base') set('lists', facts.TRANSLATION_BYTES_PER_PACKAGE * suite.count + facts.RELEASE_FILE_BYTES, 'package lists (translations; the base has the Packages index)');
      else if (!parts.has('lists')) set('lists', facts.RELEASE_FILE_BYTES, 'package lists (the Release file; the indexes are unchanged)');
      state.lists = 'updated';
      if (!state.base.aptClean) {
        state.srcpkgcache = false;
        writeCaches();
      }
    } else if (action.kind === 'install') {
      if (action.problem !== null) return unknownOutcome(`the install cannot be estimated: ${action.problem}`, state);
      if (state.lists === 'none') return unknownOutcome('no package lists are there: `apt-get install` fails unless `apt-get update` runs first', state);
      const closure = resolveInstall(suite, action.names, state.installed, action.recommends ?? recommends);
      missing.push(...closure.missing.filter((m) => !missing.includes(m)));
      if (closure.added.length === 0 && state.pkgcache) continue;
      for (const p of closure.added) state.installed.add(p.name);
      added.push(...closure.added);
      state.stageInstalls += closure.added.length;
      addTo('files', closure.added.reduce((n, p) => n + filesOf(p), 0), 'installed files');
      if (!state.base.aptClean) addTo('archives', closure.added.reduce((n, p) => n + p.debBytes, 0), 'downloaded .debs');
      writeCaches();
      if (closure.added.length > 0) {
        templatesChanged ||= closure.added.some((p) => p.depends.includes('debconf'));
        set('debconf', (templatesChanged ? 2 : 1) * facts.DEBCONF_TEMPLATES_BYTES, templatesChanged ? "debconf's templates and their -old copy" : "debconf's templates");
        dpkgRan();
      }
    } else if (action.kind === 'remove') {
      removePackages(action.names, state, added, parts, caveats);
      if (action.autoremove) caveats.push('`--auto-remove` also removes dependencies nothing else needs; those are not subtracted');
      dpkgRan();
    } else if (action.kind === 'autoremove') {
      caveats.push('`apt-get autoremove` removes dependencies nothing else needs; those are not subtracted');
    } else if (action.kind === 'clean') {
      for (const key of ['archives', 'pkgcache', 'srcpkgcache'] as const) parts.delete(key);
      state.pkgcache = false;
      state.srcpkgcache = false;
    } else if (action.kind === 'rm') {
      applyRemoval(action.patterns, parts, state);
    }
  }
  return { parts: [...parts.values()].filter((p) => p.bytes > 0), added, missing, unknown: null, caveats, state };
}

/** Bytes a package's files take once installed: its Installed-Size as dpkg writes it, plus byte-compiled Python. */
function filesOf(p: CatalogPackage): number {
  const pyc = facts.BYTE_COMPILED.test(p.name) ? p.installedBytes * facts.PYC_PER_INSTALLED_BYTE : 0;
  return Math.round(p.installedBytes * facts.FILES_PER_INSTALLED_BYTE + pyc);
}

function unknownOutcome(why: string, state: AptState): AptOutcome {
  return { parts: [], added: [], missing: [], unknown: why, caveats: [], state };
}

/** `apt-get remove/purge`: packages this RUN installed take their files out again; earlier ones leave whiteouts (0 B). */
function removePackages(names: string[], state: AptState, added: CatalogPackage[], parts: Map<PartKey, LayerPart>, caveats: string[]): void {
  for (const name of names) {
    state.installed.delete(name);
    const i = added.findIndex((p) => p.name === name);
    if (i < 0) continue;
    const [pkg] = added.splice(i, 1);
    const files = parts.get('files');
    if (files !== undefined) files.bytes = Math.max(0, files.bytes - filesOf(pkg));
  }
  if (names.length > 0) caveats.push('removed packages are subtracted only when the same RUN installed them');
}

/** `rm` of apt's folders: parts this RUN wrote under a removed path are gone; the state forgets them too. */
function applyRemoval(patterns: string[], parts: Map<PartKey, LayerPart>, state: AptState): void {
  const matchers = patterns.map((p) => picomatch(p.replace(/\/+$/, ''), { dot: true }));
  const removed = (sample: string): boolean => {
    for (let p = sample; p !== '' && p !== '/'; p = p.slice(0, p.lastIndexOf('/'))) if (matchers.some((m) => m(p))) return true;
    return false;
  };
  for (const key of Object.keys(SAMPLES) as PartKey[]) {
    if (key === 'files' || !removed(SAMPLES[key])) continue;
    parts.delete(key);
    if (key === 'lists') state.lists = 'none';
    if (key === 'pkgcache') state.pkgcache = false;
    if (key === 'srcpkgcache') state.srcpkgcache = false;
  }
}
