/**
 * Which build context a Dockerfile is built with, in this order: the `dockerfileLayers.buildContexts`
 * setting (Dockerfile glob -> folder), a compose file's `build` section, a devcontainer.json's `build`
 * section, and otherwise the Dockerfile's own folder (what `docker build -f Dockerfile <its folder>` uses).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import picomatch from 'picomatch';
import { parse as parseYaml } from 'yaml';

/** A located context: the absolute folder and where the choice came from, for hovers. */
export interface LocatedContext {
  root: string;
  source: string;
}

const COMPOSE_FILE = /^(docker-)?compose[^/]*\.ya?ml$/;

/**
 * The context of the Dockerfile at `dockerfile` (absolute) inside `workspace` (absolute folder, or null).
 * `buildContexts` maps globs (relative to the workspace, or absolute) to folders (relative to the workspace, or absolute).
 */
export function locateContext(dockerfile: string, workspace: string | null, buildContexts: Record<string, string>): LocatedContext {
  return fromSetting(dockerfile, workspace, buildContexts)
    ?? fromCompose(dockerfile, workspace)
    ?? fromDevcontainer(dockerfile, workspace)
    ?? { root: dirname(dockerfile), source: "the Dockerfile's folder" };
}

function fromSetting(dockerfile: string, workspace: string | null, globs: Record<string, string>): LocatedContext | null {
  const base = workspace ?? dirname(dockerfile);
  const rel = relative(base, dockerfile).split(sep).join('/');
  for (const [glob, folder] of Object.entries(globs)) {
    const matches = picomatch(glob, { dot: true });
    if (matches(rel) || matches(dockerfile)) return { root: resolve(base, folder), source: `the setting dockerfileLayers.buildContexts ("${glob}")` };
  }
  return null;
}

/** Folders from the Dockerfile's up to the workspace (or only the Dockerfile's folder outside a workspace). */
function foldersUp(dockerfile: string, workspace: string | null): string[] {
  const out: string[] = [];
  for (let dir = dirname(dockerfile); ; dir = dirname(dir)) {
    out.push(dir);
    if (workspace === null || dir === workspace || !dir.startsWith(workspace + sep) || dirname(dir) === dir) return out;
  }
}

/** Where compose files are looked for: the Dockerfile's folder and those above it, then the workspace's top folders. */
function composeFolders(dockerfile: string, workspace: string | null): string[] {
  const up = foldersUp(dockerfile, workspace);
  if (workspace === null) return up;
  const top = listNames(workspace).filter((n) => !n.startsWith('.') && n !== 'node_modules').map((n) => join(workspace, n));
  return [...up, ...top.filter((d) => !up.includes(d))];
}

function fromCompose(dockerfile: string, workspace: string | null): LocatedContext | null {
  for (const dir of composeFolders(dockerfile, workspace)) {
    for (const name of listNames(dir).filter((n) => COMPOSE_FILE.test(n)).sort()) {
      const services = (readYaml(join(dir, name)) as { services?: unknown } | null)?.services;
      if (typeof services !== 'object' || services === null) continue;
      for (const [service, def] of Object.entries(services)) {
        const root = buildContextFor((def as { build?: unknown } | null)?.build, dir, dockerfile);
        if (root) return { root, source: `${relative(workspace ?? dir, join(dir, name)) || name} (service ${service})` };
      }
    }
  }
  return null;
}

function fromDevcontainer(dockerfile: string, workspace: string | null): LocatedContext | null {
  for (const dir of foldersUp(dockerfile, workspace)) {
    for (const file of [join(dir, '.devcontainer', 'devcontainer.json'), join(dir, '.devcontainer.json')]) {
      const json = readJsonc(file) as { build?: unknown; dockerFile?: unknown; context?: unknown } | null;
      if (!json) continue;
      // devcontainer.json resolves both paths against its own folder; `dockerFile`/`context` are the older spelling.
      const build = typeof json.build === 'object' && json.build !== null ? json.build : { dockerfile: json.dockerFile, context: json.context };
      const { dockerfile: df, context } = build as { dockerfile?: unknown; context?: unknown };
      if (typeof df !== 'string') continue;
      const base = dirname(file);
      if (resolve(base, df) === dockerfile) return { root: resolve(base, typeof context === 'string' ? context : '.'), source: relative(workspace ?? dir, file) };
    }
  }
  return null;
}

/** The context folder a compose `build` entry gives when its Dockerfile is `dockerfile`, else null. */
function buildContextFor(build: unknown, composeDir: string, dockerfile: string): string | null {
  const spec = typeof build === 'string' ? { context: build } : build;
  if (typeof spec !== 'object' || spec === null) return null;
  const { context, dockerfile: df } = spec as { context?: unknown; dockerfile?: unknown };
  if (typeof context === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(context)) return null; // A Git or HTTP context: nothing local to scan.
  const root = resolve(composeDir, typeof context === 'string' ? context : '.');
  // Compose resolves `dockerfile` against the context; the default is `Dockerfile` there.
  const file = typeof df === 'string' ? (isAbsolute(df) ? df : resolve(root, df)) : join(root, 'Dockerfile');
  return file === dockerfile ? root : null;
}

function listNames(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function readYaml(file: string): unknown {
  try {
    return parseYaml(readFileSync(file, 'utf8'));
  } catch {
    return null; // Unreadable or not YAML: not a compose file we can use.
  }
}

function readJsonc(file: string): unknown {
  try {
    return parseJsonc(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}
