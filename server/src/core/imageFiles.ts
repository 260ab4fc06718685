/**
 * What a base image's own files say about it, from the entries of its layer tars (oldest layer first): layers are
 * applied in order with OCI whiteouts (`.wh.<name>` hides `<name>` below, `.wh..wh..opq` empties a folder of what
 * lower layers put there), then os-release, dpkg's status, apk's installed database and apt's configuration are read.
 * Pure: the docker/ side streams the tars and keeps only the entries `wantedPath` asks for.
 */
import type { BaseOs, KnownBase } from './baseImage';

/** One entry of a layer tar, paths relative to `/` without a leading slash. */
export type LayerEntry =
  | { kind: 'file'; path: string; content: string | null }
  | { kind: 'symlink'; path: string; target: string }
  | { kind: 'whiteout'; path: string }
  | { kind: 'opaque'; path: string };

/** The file facts of KnownBase: os null when no os-release; dpkg and apk only when their database exists. */
export type ImageFileFacts = Pick<KnownBase, 'os' | 'dpkg' | 'apk' | 'aptClean' | 'aptLists'>;

const OS_RELEASE = ['etc/os-release', 'usr/lib/os-release'];
const DPKG_STATUS = 'var/lib/dpkg/status';
// Alpine keeps it under /lib; a merged-/usr image has /lib -> usr/lib, so its entry is under usr/lib.
const APK_INSTALLED = ['lib/apk/db/installed', 'usr/lib/apk/db/installed'];
const DOCKER_CLEAN = 'etc/apt/apt.conf.d/docker-clean';
const APT_LISTS = 'var/lib/apt/lists/';
const CONTENT = new Set([...OS_RELEASE, DPKG_STATUS, ...APK_INSTALLED]);

/** Whether a layer entry at `path` matters: 'content' (read it), 'exists' (its presence only), or null (skip it). */
export function wantedPath(path: string): 'content' | 'exists' | null {
  if (CONTENT.has(path)) return 'content';
  if (path === DOCKER_CLEAN || (path.startsWith(APT_LISTS) && path.slice(APT_LISTS.length).includes('_Packages'))) return 'exists';
  return null;
}

type Node = { kind: 'file'; content: string | null } | { kind: 'symlink'; target: string };

/** The wanted files of the image as its final filesystem has them: layers applied oldest first, whiteouts honoured. */
export function mergeLayers(layers: LayerEntry[][]): Map<string, Node> {
  const files = new Map<string, Node>();
  const removeUnder = (dir: string, self: boolean): void => {
    for (const p of [...files.keys()]) if (p.startsWith(`${dir}/`) || (self && p === dir)) files.delete(p);
  };
  for (const layer of layers) {
    // Whiteouts hide what lower layers have; the same layer's own entries stay, so they are applied first.
    for (const e of layer) {
      if (e.kind === 'opaque') removeUnder(e.path, false);
      else if (e.kind === 'whiteout') removeUnder(e.path, true);
    }
    for (const e of layer) {
      if (e.kind === 'file') files.set(e.path, { kind: 'file', content: e.content });
      else if (e.kind === 'symlink') files.set(e.path, { kind: 'symlink', target: e.target });
    }
  }
  return files;
}

/** The facts the files of the layers (oldest first) tell. */
export function imageFileFacts(layers: LayerEntry[][]): ImageFileFacts {
  const files = mergeLayers(layers);
  const content = (path: string): string | null => {
    const node = files.get(resolveLink(files, path));
    return node?.kind === 'file' ? node.content ?? '' : null;
  };
  const osText = OS_RELEASE.map(content).find((t) => t !== null) ?? null;
  const dpkg = content(DPKG_STATUS);
  const apk = APK_INSTALLED.map(content).find((t) => t !== null) ?? null;
  return {
    os: osText === null ? null : parseOsRelease(osText),
    ...(dpkg === null ? {} : { dpkg: installedDpkg(dpkg) }),
    ...(apk === null ? {} : { apk: installedApk(apk) }),
    aptClean: files.has(DOCKER_CLEAN),
    aptLists: [...files.keys()].some((p) => p.startsWith(APT_LISTS)),
  };
}

/** Follows symlinks among the kept files (at most 8 hops); the path itself when it is not a link. */
function resolveLink(files: Map<string, Node>, path: string): string {
  let current = path;
  for (let hop = 0; hop < 8; hop++) {
    const node = files.get(current);
    if (node?.kind !== 'symlink') return current;
    current = joinLink(current, node.target);
  }
  return current;
}

function joinLink(from: string, target: string): string {
  const parts = target.startsWith('/') ? [] : from.split('/').slice(0, -1);
  for (const p of target.split('/')) {
    if (p === '..') parts.pop();
    else if (p !== '' && p !== '.') parts.push(p);
  }
  return parts.join('/');
}

/** `ID` and `VERSION_CODENAME` of an os-release file (Alpine's `VERSION_ID` stands in for the codename); null without an ID. */
export function parseOsRelease(text: string): BaseOs | null {
  const values = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m) values.set(m[1], unquote(m[2].trim()));
  }
  const id = values.get('ID');
  if (id === undefined || id === '') return null;
  const codename = values.get('VERSION_CODENAME') || (id === 'alpine' ? values.get('VERSION_ID') : undefined) || null;
  return { id, codename };
}

function unquote(v: string): string {
  const m = /^(["'])(.*)\1$/.exec(v);
  return m ? m[2].replace(/\\(.)/g, '$1') : v;
}

/** Names of the packages dpkg's status file marks `install ok installed`, sorted, each once. */
export function installedDpkg(status: string): string[] {
  const names = new Set<string>();
  for (const stanza of status.split(/\r?\n(?:[ \t]*\r?\n)+/)) {
    const pkg = /^Package:[ \t]*(\S+)/m.exec(stanza)?.[1];
    const state = /^Status:[ \t]*(.+?)[ \t]*$/m.exec(stanza)?.[1];
    if (pkg !== undefined && state === 'install ok installed') names.add(pkg);
  }
  return [...names].sort();
}

/** Names of the packages in apk's installed database (its `P:` lines), sorted, each once. */
export function installedApk(installed: string): string[] {
  const names = new Set<string>();
  for (const m of installed.matchAll(/^P:(\S+)/gm)) names.add(m[1]);
  return [...names].sort();
}
