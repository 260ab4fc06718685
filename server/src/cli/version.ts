/**
 * `dockerfile-layers --version`: the version, then each suite of the shipped Debian package catalog with the
 * date of the index it was built from and its package count.
 */
import type { PackageCatalog } from '../core/catalog';

/** The --version text for `version` and the loaded catalog (or why none loaded). */
export function versionText(version: string, catalog: PackageCatalog | { why: string }): string {
  if ('why' in catalog) return `${version}\nDebian package catalog: none (${catalog.why})`;
  const rows = catalog.suites.map((s) => `  ${`${s.suite}/${s.arch}`.padEnd(16)} ${String(s.count).padStart(6)} packages, from the index of ${s.date}`);
  return [version, 'Debian package catalog:', ...rows].join('\n');
}
