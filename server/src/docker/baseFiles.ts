/**
 * Reads what a local image's own files say (os-release, dpkg's and apk's installed packages, apt's docker-clean
 * and lists) without running a container: streams `docker save` through measure.ts's reader and keeps, per
 * layer, only the tar entries core/imageFiles asks for; core/imageFiles applies them with their whiteouts.
 */
import * as tar from 'tar-stream';
import type { Readable } from 'node:stream';
import { imageFileFacts, wantedPath, type ImageFileFacts, type LayerEntry } from '../core/imageFiles';
import { EngineError, type Engine } from './engine';
import { readSavedLayers } from './measure';

/** The largest file whose content is kept (dpkg's status of a large image is a few MB). */
const MAX_CONTENT_BYTES = 32 * 2 ** 20;

/** The image's file facts; rejects with an EngineError when the save fails, stalls or `signal` aborts. */
export async function readImageFiles(engine: Engine, image: string, signal?: AbortSignal): Promise<ImageFileFacts> {
  if (signal?.aborted) throw new EngineError('timeout', `Reading the files of ${image} was cancelled.`);
  const source = (await engine.save(image)) as Readable;
  const abort = (): void => void source.destroy(new EngineError('timeout', `Reading the files of ${image} was cancelled.`));
  signal?.addEventListener('abort', abort, { once: true });
  try {
    const saved = await readSavedLayers(source, engine.timeoutMs, layerEntries, []);
    return imageFileFacts(saved.layers);
  } finally {
    signal?.removeEventListener('abort', abort);
    source.destroy();
  }
}

/** The wanted entries of one layer tar, whiteouts included; a layer that is not a tar gives none. */
export async function layerEntries(layer: Readable): Promise<LayerEntry[]> {
  const inner = tar.extract();
  layer.pipe(inner);
  const out: LayerEntry[] = [];
  try {
    for await (const e of inner) {
      const entry = await toLayerEntry(e);
      if (entry !== null) out.push(entry);
      e.resume();
    }
  } catch {
    // A layer of a foreign media type: its files are unknown, as measure.ts's largestFiles treats it.
    layer.resume();
  }
  return out;
}

async function toLayerEntry(e: tar.ExtractEvents['entry'][1]): Promise<LayerEntry | null> {
  const h = e.header;
  const path = h.name.replace(/^\.?\/+/, '').replace(/\/+$/, '');
  const slash = path.lastIndexOf('/');
  const dir = slash < 0 ? '' : path.slice(0, slash);
  const base = path.slice(slash + 1);
  if (base === '.wh..wh..opq') return { kind: 'opaque', path: dir };
  if (base.startsWith('.wh.')) return { kind: 'whiteout', path: dir === '' ? base.slice(4) : `${dir}/${base.slice(4)}` };
  const wanted = wantedPath(path);
  if (wanted === null) return null;
  if (h.type === 'symlink') return { kind: 'symlink', path, target: h.linkname ?? '' };
  // A hard link in a layer tar names another member of the same tar, from the root.
  if (h.type === 'link') return { kind: 'symlink', path, target: `/${(h.linkname ?? '').replace(/^\.?\/+/, '')}` };
  if (h.type !== 'file' && h.type !== 'contiguous-file') return null;
  if (wanted === 'exists' || (h.size ?? 0) > MAX_CONTENT_BYTES) return { kind: 'file', path, content: null };
  const chunks: Buffer[] = [];
  for await (const c of e) chunks.push(c as Buffer);
  return { kind: 'file', path, content: Buffer.concat(chunks).toString('utf8') };
}
