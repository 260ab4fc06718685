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
  /** Whether installs follow Recommends when the command line does not say (apt's default, or a config file a RUN wrote). */
  recommends: boolean;
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

/** Applies a RUN's actions to `before` (left as it was). */
export function applyAptActions(actions: readonly AptAction[], before: AptState): AptOutcome {
  const layer = new AptLayer({ ...before, installed: new Set(before.installed) });
  for (const action of actions) {
    const problem = layer.apply(action);
    if (problem !== null) return { parts: [], added: [], missing: [], unknown: problem, caveats: [], state: layer.state };
  }
  return { parts: [...layer.parts.values()].filter((p) => p.bytes > 0), added: layer.added, missing: layer.missing, unknown: null, caveats: layer.caveats, state: layer.state };
}

/** One RUN's layer as its apt actions fill it, and the apt state they leave. */
class AptLayer {
  readonly parts = new Map<PartKey, LayerPart>();
  readonly added: CatalogPackage[] = [];
  readonly missing: string[] = [];
  readonly caveats: string[] = [];
  private templatesChanged = false;

  constructor(readonly state: AptState) {}

  /** Applies one action; returns why the layer cannot be estimated, or null. */
  apply(action: AptAction): string | null {
    switch (action.kind) {
      case 'update': this.update(); break;
      case 'install': return this.install(action);
      case 'remove':
        removePackages(action.names, this.state, this.added, this.parts);
        if (action.autoremove) this.caveats.push('`--auto-remove` also removes dependencies nothing else needs; those are not subtracted');
        this.dpkgRan();
        break;
      case 'autoremove': this.caveats.push('`apt-get autoremove` removes dependencies nothing else needs; those are not subtracted'); break;
      case 'clean': this.clean(); break;
      case 'config': this.state.recommends = action.recommends; break;
      case 'rm': applyRemoval(action.patterns, this.parts, this.state); break;
      default: break;
    }
    return null;
  }

  private set(key: PartKey, bytes: number, what: string): void {
    this.parts.set(key, { path: PATHS[key], bytes, what });
  }

  private addTo(key: PartKey, bytes: number, what: string): void {
    this.set(key, (this.parts.get(key)?.bytes ?? 0) + bytes, what);
  }

  /** Lists as the base has them decide what `apt-get update` fetches; it rebuilds both binary caches. */
  private update(): void {
    const { state } = this;
    const suite = state.base.suite;
    if (state.lists === 'none') this.set('lists', suite.listsBytes, 'package lists');
    else if (state.lists === 'base') this.set('lists', facts.TRANSLATION_BYTES_PER_PACKAGE * suite.count + facts.RELEASE_FILE_BYTES, 'package lists (translations; the base has the Packages index)');
    else if (!this.parts.has('lists')) this.set('lists', facts.RELEASE_FILE_BYTES, 'package lists (the Release file; the indexes are unchanged)');
    state.lists = 'updated';
    state.srcpkgcache = false;
    this.writeCaches();
  }

  private install(action: Extract<AptAction, { kind: 'install' }>): string | null {
    const { state } = this;
    if (action.problem !== null) return `the install cannot be estimated: ${action.problem}`;
    if (state.lists === 'none') return 'no package lists are there: `apt-get install` fails unless `apt-get update` runs first';
    const closure = resolveInstall(state.base.suite, action.names, state.installed, action.recommends ?? state.recommends);
    this.missing.push(...closure.missing.filter((m) => !this.missing.includes(m)));
    if (closure.added.length === 0 && state.pkgcache) return null;
    for (const p of closure.added) state.installed.add(p.name);
    this.added.push(...closure.added);
    state.stageInstalls += closure.added.length;
    this.addTo('files', closure.added.reduce((n, p) => n + filesOf(p), 0), 'installed files');
    if (!state.base.aptClean) this.addTo('archives', closure.added.reduce((n, p) => n + p.debBytes, 0), 'downloaded .debs');
    this.writeCaches();
    if (closure.added.length === 0) return null;
    this.templatesChanged ||= closure.added.some((p) => p.depends.includes('debconf'));
    this.set('debconf', (this.templatesChanged ? 2 : 1) * facts.DEBCONF_TEMPLATES_BYTES, this.templatesChanged ? "debconf's templates and their -old copy" : "debconf's templates");
    this.dpkgRan();
    return null;
  }

  /** apt rewrites pkgcache.bin after the lists or dpkg's database changed, and srcpkgcache.bin when it has none. */
  private writeCaches(): void {
    const { state } = this;
    if (state.base.aptClean || state.lists === 'none') return;
    const bytes = (state.lists === 'updated' ? facts.BIN_CACHE_BYTES_PER_PACKAGE : facts.BIN_CACHE_BYTES_PER_PACKAGE_NO_TRANSLATIONS) * state.base.suite.count;
    this.set('pkgcache', bytes, "apt's package cache");
    if (!state.srcpkgcache || this.parts.has('srcpkgcache')) this.set('srcpkgcache', bytes, "apt's source cache");
    state.pkgcache = true;
    state.srcpkgcache = true;
  }

  private dpkgRan(): void {
    this.set('dpkg', 2 * facts.STATUS_BYTES_PER_PACKAGE * this.state.installed.size, "dpkg's status and status-old");
    this.set('logs', facts.DPKG_LOG_BYTES + facts.LOG_BYTES_PER_PACKAGE * this.state.stageInstalls + facts.APT_LOG_BYTES, 'dpkg and apt logs');
  }

  /** `apt-get clean` deletes the downloaded .debs and both binary caches. */
  private clean(): void {
    for (const key of ['archives', 'pkgcache', 'srcpkgcache'] as const) this.parts.delete(key);
    this.state.pkgcache = false;
    this.state.srcpkgcache = false;
  }
}

/** Bytes a package's files take once installed: its Installed-Size as dpkg writes it, plus byte-compiled Python. */
function filesOf(p: CatalogPackage): number {
  const pyc = facts.BYTE_COMPILED.test(p.name) ? p.installedBytes * facts.PYC_PER_INSTALLED_BYTE : 0;
  return Math.round(p.installedBytes * facts.FILES_PER_INSTALLED_BYTE + pyc);
}

/** `apt-get remove/purge`: packages this RUN installed take their files out again; earlier ones leave whiteouts (0 B). */
function removePackages(names: string[], state: AptState, added: CatalogPackage[], parts: Map<PartKey, LayerPart>): void {
  for (const name of names) {
    state.installed.delete(name);
    const i = added.findIndex((p) => p.name === name);
    if (i < 0) continue;
    const [pkg] = added.splice(i, 1);
    const files = parts.get('files');
    if (files !== undefined) files.bytes = Math.max(0, files.bytes - filesOf(pkg));
  }
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
