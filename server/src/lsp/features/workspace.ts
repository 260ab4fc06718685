/**
 * `dockerfileLayers/workspace`: summaries of several Dockerfiles (read from disk when not open) and, when the
 * workspace is trusted and the daemon answers, the bytes stored once because their base images share layers.
 */
import { fileURLToPath } from 'node:url';
import type { Connection } from 'vscode-languageserver';
import type { AnalysisStore } from '../store';
import { WorkspaceRequest, type WorkspaceEntry, type WorkspaceResult } from '../../protocol';
import { analyzeDockerfile } from '../../core/analyze';
import { withMeasurement } from '../../core/history';
import type { BaseImageFacts } from '../../core/baseImage';
import { lookUpBases } from '../../docker/baseFacts';
import { serverStateDir } from './cache';
import type { Analysis } from '../../core/types';
import { engineFromEnv } from '../../docker/engine';
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

/**
 * Fills `baseBytes` from the base images' facts (those the open documents already have, else looked up: the
 * local daemon's images, else their registries') and sums the bytes shared through common base layers: a layer
 * that n images use is stored once, saving (n - 1) x its bytes.
 */
async function shareBases(store: AnalysisStore, entries: WorkspaceEntry[]): Promise<Pick<WorkspaceResult, 'sharedBytes' | 'sharedNote'>> {
  if (!store.trusted) return { sharedBytes: null, sharedNote: 'Shared base layers are not measured in untrusted workspaces (it needs the Docker daemon or a registry).' };
  const facts: Record<string, BaseImageFacts> = {};
  for (const e of entries) Object.assign(facts, store.basesOf(e.uri) ?? {});
  const refs = [...new Set(entries.map((e) => e.base).filter((b): b is string => b !== null))];
  const missing = refs.filter((r) => facts[r] === undefined || facts[r].bytes === null);
  if (missing.length > 0) {
    const engine = engineFromEnv(process.env, 5_000);
    const registry = entries.every((e) => store.settingsOf(e.uri).registry);
    Object.assign(facts, await lookUpBases(missing, { engine, stateDir: serverStateDir(), offline: !registry }));
  }
  const users = new Map<string, { bytes: number; count: number }>();
  for (const entry of entries) {
    const image = entry.base === null ? undefined : facts[entry.base];
    if (image === undefined || image.bytes === null) continue;
    entry.baseBytes = image.bytes;
    if (image.source === 'registry') entry.baseCompressed = true;
    for (const layer of new Map(image.layers.map((l) => [l.id, l.bytes]))) users.set(layer[0], { bytes: layer[1], count: (users.get(layer[0])?.count ?? 0) + 1 });
  }
  const sharedBytes = [...users.values()].reduce((sum, u) => sum + (u.count - 1) * u.bytes, 0);
  const unknown = refs.filter((r) => facts[r]?.bytes === null || facts[r] === undefined);
  const compressed = entries.some((e) => e.baseCompressed) ? ' Sizes from a registry are compressed.' : '';
  const sharedNote = unknown.length > 0
    ? `Not counted, size unknown: ${unknown.map((r) => { const f = facts[r]; return f !== undefined && f.bytes === null ? `${r} (${f.why})` : r; }).join(', ')}.${compressed}`
    : compressed === '' ? null : compressed.trim();
  return { sharedBytes, sharedNote };
}
