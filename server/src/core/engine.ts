/**
 * The Docker Engine version an analysis models, and what each version's builders accept. Each rule below was
 * seen on a real engine (test/conformance on Docker 20.10 and 26.1) or, where it says so, read from the
 * history of moby/buildkit and moby/moby for versions no engine here runs.
 */
import type { Builder } from './types';
import type { IgnoreFlavor } from './ignore';

/** Where the modelled version came from: the daemon's `/version`, the user's setting or flag, or the default. */
export type EngineSource = 'daemon' | 'setting' | 'default';

/** The engine the answers model: a Docker version such as `26.1.5` and where that figure came from. */
export interface EngineModel {
  version: string;
  source: EngineSource;
}

/**
 * The version modelled when no daemon answers and nothing is configured: the newest Docker release in
 * moby/moby's history when this table was written (29.7, July 2026), standing in for "a current Docker".
 */
export const DEFAULT_ENGINE: EngineModel = { version: '29.7', source: 'default' };

/** A version as numbers: `26.1.5+dfsg1` -> [26, 1, 5]; null when it does not start with a number. */
export function versionParts(version: string): number[] | null {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(version.trim());
  if (m === null) return null;
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

/** Whether `version` is at least `major.minor`; an unreadable version counts as the default engine. */
export function atLeast(version: string, major: number, minor = 0): boolean {
  const v = versionParts(version) ?? (versionParts(DEFAULT_ENGINE.version) as number[]);
  return v[0] > major || (v[0] === major && v[1] >= minor);
}

/** The engine's version as users say it: `26.1.5+dfsg1` -> `26.1`. */
export function shortVersion(version: string): string {
  const v = versionParts(version);
  return v === null ? version : `${v[0]}.${v[1]}`;
}

/**
 * BuildKit releases bundled by Docker Engine releases (moby's vendored moby/buildkit), newest first: the
 * Engine API does not report BuildKit's version, so hovers name the bundled one.
 */
const BUNDLED_BUILDKIT: Array<[number, number, string]> = [
  [29, 7, '0.32'], [29, 6, '0.31'], [29, 5, '0.30'], [29, 4, '0.29'], [29, 3, '0.28'], [29, 2, '0.27'], [29, 1, '0.26'],
  [28, 5, '0.25'], [28, 4, '0.24'], [28, 3, '0.23'], [28, 2, '0.22'], [28, 1, '0.21'], [28, 0, '0.20'],
  [27, 5, '0.18'], [27, 4, '0.17'], [27, 3, '0.16'], [27, 1, '0.15'], [27, 0, '0.14'], [26, 0, '0.13'],
  [25, 0, '0.12'], [24, 0, '0.11'], [23, 0, '0.10'], [20, 10, '0.8'],
];

/** The BuildKit version Docker `version` bundles, or null for engines older than 20.10. */
export function bundledBuildkit(version: string): string | null {
  return BUNDLED_BUILDKIT.find(([major, minor]) => atLeast(version, major, minor))?.[2] ?? null;
}

/** What the answers model, in a few words: `BuildKit 0.13 · Docker 26.1` or `legacy builder · Docker 20.10` (where the version came from is the adapters' to say). */
export function describeModel(builder: Builder, engine: EngineModel): string {
  const docker = `Docker ${shortVersion(engine.version)}`;
  if (builder === 'legacy') return `legacy builder · ${docker}`;
  const bk = bundledBuildkit(engine.version);
  return `BuildKit${bk === null ? '' : ` ${bk}`} · ${docker}`;
}

/** How a builder of an engine treats a newer Dockerfile feature: builds it, fails the build, or ignores it. */
export type FeatureSupport = { kind: 'supported' } | { kind: 'fails'; quote: string } | { kind: 'ignored' };

/** Dockerfile features whose support depends on the builder and the engine's version. */
export type Feature = 'run-heredoc' | 'copy-heredoc' | 'copy-link' | 'copy-exclude' | 'copy-parents' | 'copy-chmod' | 'run-flags';

/**
 * Each feature's lowest Docker version in the built-in Dockerfile parser. Heredocs and --link: Dockerfile
 * syntax 1.4, in the parser from Docker 23.0 (20.10 fails, 26.1 builds). --exclude: promoted from labs in
 * Dockerfile 1.19 (BuildKit 0.25, Docker 28.5; 26.1 refuses it). --parents: Dockerfile 1.20 (BuildKit 0.26,
 * Docker 29.1; read from moby/buildkit and moby/moby, not run here).
 */
const PARSED_FROM: Partial<Record<Feature, [number, number, string]>> = {
  'run-heredoc': [23, 0, 'unknown instruction'],
  'copy-heredoc': [23, 0, 'unknown instruction'],
  'copy-link': [23, 0, 'unknown flag: link'],
  'copy-exclude': [28, 5, 'unknown flag: exclude'],
  'copy-parents': [29, 1, 'unknown flag: parents'],
};

/**
 * How `builder` of Docker `engine` treats `feature`. `syntax` says the file names a Dockerfile frontend image
 * (`# syntax=`), which BuildKit uses instead of its built-in parser; the legacy builder ignores it.
 */
export function featureSupport(feature: Feature, builder: Builder, engine: EngineModel, syntax: boolean): FeatureSupport {
  if (builder === 'legacy' && (feature === 'copy-chmod' || feature === 'run-flags')) return { kind: 'fails', quote: 'option requires BuildKit' };
  const parsed = PARSED_FROM[feature];
  const parses = parsed === undefined || (builder === 'buildkit' && syntax) || atLeast(engine.version, parsed[0], parsed[1]);
  if (!parses) return { kind: 'fails', quote: (parsed as [number, number, string])[2] };
  if (builder === 'buildkit') return { kind: 'supported' };
  // moby's classic builder parses with BuildKit's parser but implements none of these: a heredoc RUN runs its
  // first line only, a heredoc COPY has no source, and --link, --exclude and --parents are dropped.
  if (feature === 'copy-heredoc') return { kind: 'fails', quote: 'no source files were specified' };
  return { kind: 'ignored' };
}

/** Which `.dockerignore` implementation the engine's clients and builders use (see core/ignore.ts). */
export function ignoreFlavor(engine: EngineModel): IgnoreFlavor {
  return atLeast(engine.version, 23) ? 'moby23' : 'moby20';
}
