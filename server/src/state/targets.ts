/**
 * The recorded builds that tell about one target: its own baseline, and those of the Dockerfile's other
 * targets for the same builder, whose steps the builder's cache holds just the same (the cache is shared
 * between targets: building `--target test` after `--target app` takes their common steps from it).
 */
import type { Baseline } from '../core/cache/baseline';
import type { Builder } from '../core/types';
import { readBaseline, MAX_KNOWN_KEYS } from './baselines';

/**
 * The baseline to predict `target` from: its own, else the newest of the other targets' (its stages have the
 * same indices), with the cache keys of all of them; null with the problem of the target's own file, if any.
 */
export function readForTarget(dir: string, dockerfile: string, target: string | null, others: Array<string | null>, builder: Builder): { baseline: Baseline | null; problem: string | null } {
  const own = readBaseline(dir, dockerfile, target, builder);
  const rest = others.filter((t) => t !== target).map((t) => readBaseline(dir, dockerfile, t, builder).baseline).filter((b): b is Baseline => b !== null);
  const base = own.baseline ?? [...rest].sort((a, b) => b.builtAt - a.builtAt)[0] ?? null;
  if (base === null) return own;
  const keys = new Set<string>(base.knownKeys);
  const bytes: Record<string, number> = { ...base.knownBytes };
  for (const b of [own.baseline, ...rest]) {
    if (b === null) continue;
    for (const s of b.steps) {
      if (s.cache !== null) keys.add(s.key);
      if (s.bytes !== null && bytes[s.key] === undefined) bytes[s.key] = s.bytes;
    }
    for (const k of b.knownKeys) keys.add(k);
    for (const [k, n] of Object.entries(b.knownBytes ?? {})) bytes[k] ??= n;
  }
  return { baseline: { ...base, target, knownKeys: [...keys].slice(0, MAX_KNOWN_KEYS * 4), knownBytes: bytes }, problem: own.problem };
}

/** Why a prediction has nothing to compare with when no build of the Dockerfile is recorded in `dir`. */
export function noBaselineWhy(dir: string): string {
  return `No build of this Dockerfile for this target and builder is recorded in ${dir} yet: \`dockerfile-layers build\` (or Build Image in the editor) records one.`;
}
