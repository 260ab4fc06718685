/**
 * The image IDs of the images a Dockerfile's stages start FROM, as the daemon knows them: part of every
 * step's cache key, so a base that changed busts them all.
 */
import { imageBases } from '../core/stages';
import { Engine, engineAddress } from './engine';

/** Reference -> image ID for the FROM images the daemon has; {} when it does not answer (2 s per image at most). */
export async function baseImageIds(text: string, buildArgs: Record<string, string>, env: Record<string, string | undefined>): Promise<Record<string, string>> {
  const address = engineAddress(env);
  if ('error' in address) return {};
  const engine = new Engine({ address, timeoutMs: 2_000 });
  const ids: Record<string, string> = {};
  for (const base of imageBases(text, buildArgs)) {
    try {
      ids[base] = (await engine.inspectImage(base)).id;
    } catch {
      // Not pulled yet, or no daemon: the key names the reference alone.
    }
  }
  return ids;
}
