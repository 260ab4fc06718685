/**
 * Finding the image a Dockerfile was last built into outside the tool (a `docker build` in a terminal): the
 * newest local image whose history records the Dockerfile's steps, for the cache inference.
 */
import type { Analysis } from '../core/types';
import { historyMatch, type DatedEntry } from '../core/cache/infer';
import { Engine, engineAddress } from './engine';

/** How many of the newest local images are looked at, and the share of steps an image's history must match. */
const LOOK_AT = 15;
const MIN_MATCH = 0.5;

/** The newest local image built from `analysis`' Dockerfile (by its history), with that history; null when none or no daemon. */
export async function findBuiltImage(analysis: Analysis, env: Record<string, string | undefined>): Promise<{ image: string; history: DatedEntry[] } | null> {
  const address = engineAddress(env);
  if ('error' in address) return null;
  const engine = new Engine({ address, timeoutMs: 2_000 });
  try {
    for (const img of (await engine.listImages()).slice(0, LOOK_AT)) {
      const history = (await engine.history(img.id)).map((h) => ({ ...h, emptyLayer: false }));
      if (historyMatch(analysis, history) >= MIN_MATCH) return { image: img.tags[0] ?? img.id.slice(0, 19), history };
    }
  } catch {
    // No daemon, or it failed: nothing to infer from.
  }
  return null;
}
