/**
 * `dockerfileLayers/workspace`: summaries of several Dockerfiles (read from disk when not open) and, when the
 * workspace is trusted and the daemon answers, the bytes stored once because their base images share layers.
 */
import { fileURLToPath } from 'node:url';
import type { Connection } from 'vscode-languageserver';
import type { AnalysisStore } from '../store';
import { WorkspaceRequest, type WorkspaceEntry, type WorkspaceResult } from '../../protocol';
import { analyzeDockerfile } from '../../core/analyze';
import { layerBytes, withMeasurement } from '../../core/history';
import type { Analysis } from '../../core/types';
import { Engine, EngineError, engineAddress } from '../../docker/engine';
import { readDockerfileFile } from '../../docker/files';

export function registerWorkspace(connection: Connection, store: AnalysisStore): void {
  connection.onRequest(WorkspaceRequest.type, async (params) => {
    const entries = params.uris.map((uri) => summarize(store, uri));
    return { entries, ...(await shareBases(store, entries)) };
  });
}

/** The file path of a `file:` URI, or null for other schemes. */
export function filePathOf(uri: string): string | null {
  try {
    const url = new URL(uri);
    return url.protocol === 'file:' ? fileURLToPath(url) : null;
  } catch {
    return null;
  }
}

function summarize(store: AnalysisStore, uri: string): WorkspaceEntry {
  const analysis = store.analysisOf(uri) ?? analyzeFromDisk(store, uri);
  if ('error' in analysis) return { uri, bytes: null, layers: 0, base: null, baseBytes: null, error: analysis.error };
  const bound = analysis.totals.lowerBound ? { lowerBound: true as const } : {};
  return { uri, bytes: analysis.totals.bytes, ...bound, layers: analysis.totals.layers, base: finalBase(analysis), baseBytes: null };
}

function analyzeFromDisk(store: AnalysisStore, uri: string): Analysis | { error: string } {
  const path = filePathOf(uri);
  if (path === null) return { error: `${uri} is not a file on disk.` };
  const read = readDockerfileFile(path);
  if ('error' in read) return read;
  return withMeasurement(analyzeDockerfile(read.text, store.settingsOf(uri).analysis), read.text, store.measurementOf(uri)?.steps ?? null);
}

/** The image the final image is built on: the base of the first stage of its chain; null for scratch. */
function finalBase(analysis: Analysis): string | null {
  const root = analysis.stages.find((s) => s.inFinalImage);
  return root === undefined || root.base.toLowerCase() === 'scratch' ? null : root.base;
}

/** Fills `baseBytes` from the daemon and sums the bytes shared through common base layers. */
async function shareBases(store: AnalysisStore, entries: WorkspaceEntry[]): Promise<Pick<WorkspaceResult, 'sharedBytes' | 'sharedNote'>> {
  if (!store.trusted) return { sharedBytes: null, sharedNote: 'Shared base layers are not measured in untrusted workspaces (it needs the Docker daemon).' };
  const address = engineAddress(process.env);
  if ('error' in address) return { sharedBytes: null, sharedNote: address.error };
  const engine = new Engine({ address });
  const layersOf = new Map<string, BaseImage>();
  try {
    for (const base of new Set(entries.map((e) => e.base).filter((b) => b !== null))) {
      const sizes = await baseLayers(engine, base);
      if (sizes) layersOf.set(base, sizes);
    }
  } catch (e) {
    return { sharedBytes: null, sharedNote: e instanceof Error ? e.message : String(e) };
  }
  const users = new Map<string, { bytes: number; count: number }>();
  for (const entry of entries) {
    const image = entry.base === null ? undefined : layersOf.get(entry.base);
    if (image === undefined) continue;
    entry.baseBytes = image.bytes;
    for (const [digest, bytes] of image.layers) users.set(digest, { bytes, count: (users.get(digest)?.count ?? 0) + 1 });
  }
  const sharedBytes = [...users.values()].reduce((sum, u) => sum + (u.count - 1) * u.bytes, 0);
  const missing = entries.filter((e) => e.base !== null && !layersOf.has(e.base)).map((e) => e.base);
  const sharedNote = missing.length > 0 ? `Not in the local image store, so not counted: ${[...new Set(missing)].join(', ')}.` : null;
  return { sharedBytes, sharedNote };
}

/** A base image's size and its RootFS layer digests with their bytes (uncompressed). */
interface BaseImage {
  bytes: number;
  layers: Map<string, number>;
}

/** The base image as the daemon knows it; null when the daemon does not have the image. */
async function baseLayers(engine: Engine, base: string): Promise<BaseImage | null> {
  try {
    const facts = await engine.inspectImage(base);
    const bytes = layerBytes(await engine.history(base), facts.layers.length);
    return { bytes: facts.bytes, layers: new Map(facts.layers.map((d, i) => [d, bytes[i] ?? 0])) };
  } catch (e) {
    if (e instanceof EngineError && e.kind === 'not-found') return null;
    throw e;
  }
}
