/**
 * A FROM image as the local daemon has it: `GET /images/{name}/json` for its ID, size, architecture and RootFS
 * layers, `/history` for each layer's bytes (core/history `layerBytes`), and its own files read from
 * `docker save` (baseFiles.ts). The whole result is kept on disk by image ID, so the slow part runs once per image.
 */
import type { KnownBase } from '../core/baseImage';
import { layerBytes } from '../core/history';
import { readCachedBase, writeCachedBase } from '../state/baseCache';
import { readImageFiles } from './baseFiles';
import { EngineError, type Engine } from './engine';

export interface LocalBaseOptions {
  /** The state folder, where facts are kept by image ID; null keeps nothing. */
  stateDir: string | null;
  signal?: AbortSignal;
  /** Read the image's files (slow the first time); false gives size and layers only. */
  files?: boolean;
}

/**
 * The daemon's facts of `ref` (bytes uncompressed, exact), or null when the daemon does not have it. Rejects
 * with an EngineError when the daemon does not answer; a failed file read leaves the file facts out (and uncached).
 */
export async function localBase(engine: Engine, ref: string, o: LocalBaseOptions): Promise<KnownBase | null> {
  let image;
  try {
    image = await engine.inspectImage(ref);
  } catch (e) {
    if (e instanceof EngineError && e.kind === 'not-found') return null;
    throw e;
  }
  const cached = o.stateDir === null ? null : readCachedBase(o.stateDir, 'local', image.id, ref);
  if (cached !== null && (o.files === false || cached.os !== undefined)) return cached;
  const bytes = layerBytes(await engine.history(image.id), image.layers.length);
  const facts: KnownBase = {
    ref, bytes: image.bytes, source: 'local', id: image.id, arch: image.arch,
    layers: image.layers.map((id, i) => ({ id, bytes: bytes[i] ?? 0 })),
  };
  if (o.files === false) return facts;
  try {
    Object.assign(facts, await readImageFiles(engine, image.id, o.signal));
  } catch {
    // The size stays known without the files; the next lookup tries them again.
    return facts;
  }
  if (o.stateDir !== null) writeCachedBase(o.stateDir, 'local', image.id, facts, null);
  return facts;
}
