/**
 * Which packages `apt-get install` adds: the named packages and, breadth first like apt's resolver, their
 * Pre-Depends and Depends (and Recommends unless told not to), minus what is installed already (pure).
 */
import type { CatalogPackage, CatalogSuite } from '../catalog';

/** The packages an install adds (in the order apt meets them) and the names the catalog does not know. */
export interface Closure {
  added: CatalogPackage[];
  missing: string[];
}

/**
 * Resolves `names` against `suite`; `installed` (names) is left as it was. Recommends of every added package
 * are followed when `recommends` is true, as apt does by default; a recommended package the catalog lacks is
 * skipped (apt skips it too), a named or depended-on one is reported missing.
 */
export function resolveInstall(suite: CatalogSuite, names: readonly string[], installed: ReadonlySet<string>, recommends: boolean): Closure {
  const added: CatalogPackage[] = [];
  const missing: string[] = [];
  const seen = new Set(installed);
  const queue: Array<{ name: string; required: boolean }> = names.map((name) => ({ name, required: true }));
  for (let i = 0; i < queue.length; i++) {
    const { name, required } = queue[i];
    if (seen.has(name)) continue;
    const pkg = suite.find(name);
    if (pkg === undefined) {
      if (required && !missing.includes(name)) missing.push(name);
      continue;
    }
    seen.add(name);
    if (seen.has(pkg.name) && pkg.name !== name) continue;
    seen.add(pkg.name);
    added.push(pkg);
    for (const dep of pkg.depends) queue.push({ name: dep, required: true });
    if (recommends) for (const rec of pkg.recommends) queue.push({ name: rec, required: false });
  }
  return { added, missing };
}

/**
 * The packages a minimal Debian system has: `seeds` (the `required` priority packages, or the names a base
 * image's dpkg database lists) and their dependencies, by name.
 */
export function installedClosure(suite: CatalogSuite, seeds: readonly string[]): Set<string> {
  const installed = new Set<string>();
  for (const p of resolveInstall(suite, seeds, installed, false).added) installed.add(p.name);
  return installed;
}
