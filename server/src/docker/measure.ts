/**
 * Measures a built image: its history with `empty_layer` flags (from the image config inside `docker save`),
 * the `docker history` sizes, and each layer's largest files (read from the saved layer tarballs as they
 * stream by, so memory stays bounded). Lines the entries up with the Dockerfile's steps via core/history.
 */
import * as tar from 'tar-stream';
import { Readable } from 'node:stream';
import type { Analysis } from '../core/types';
import { alignHistory, stepText, type BuildMeasurement, type HistoryEntry } from '../core/history';
import type { MeasuredImage, MeasuredLayer } from '../protocol';
import { EngineError, type Engine } from './engine';
import type { CacheResults } from './buildLog';
import { diveMeasures, type DiveEntry, type DiveMeasures } from '../core/wasted';
import { EntryBudget, diveEntry } from './layerWaste';

/** How many files each layer lists, biggest first. */
export const TOP_FILES = 10;
/** JSON members of a saved image (config, manifest) larger than this are not read: real ones are kilobytes. */
const MAX_JSON_BYTES = 8 * 1024 * 1024;

type FileSize = { path: string; bytes: number };
/** One member of a tar stream, as tar-stream hands it out. */
type TarEntry = tar.ExtractEvents['entry'][1];

/** What the `docker save` stream holds that the measurement needs. */
export interface SavedImage {
  history: Array<{ createdBy: string; emptyLayer: boolean }>;
  /** Per RootFS layer (oldest first), its largest files. */
  layerFiles: FileSize[][];
  /** Per RootFS layer (oldest first), every tar entry, for dive's measures; null when over EntryBudget or a layer is missing. */
  layerEntries: DiveEntry[][] | null;
}

/** What one pass over a layer tar keeps. */
interface LayerSummary {
  top: FileSize[];
  entries: DiveEntry[];
}

/**
 * The daemon deadline for measuring a built image: `docker save` of a large image (hundreds of MB) can start
 * streaming only after seconds of preparing on a busy machine, past the 10 s other calls get.
 */
export const MEASURE_TIMEOUT_MS = 60_000;

/** Reads a `docker save` tar stream; a silence longer than `idleMs` ends it with a timeout error. */
export async function readSavedImage(source: NodeJS.ReadableStream, idleMs: number): Promise<SavedImage> {
  const budget = new EntryBudget();
  const missing: LayerSummary = { top: [], entries: [] };
  const saved = await readSavedLayers(source, idleMs, (layer) => largestFiles(layer, budget), missing);
  const config = saved.config as ImageConfig;
  const history = (config.history ?? []).map((h) => ({ createdBy: h.created_by ?? '', emptyLayer: h.empty_layer === true }));
  const complete = !budget.exceeded && !saved.layers.includes(missing);
  return { history, layerFiles: saved.layers.map((l) => l.top), layerEntries: complete ? saved.layers.map((l) => l.entries) : null };
}

/** A saved image's config (its parsed JSON) and, per RootFS layer (oldest first), what `summarize` made of its tar. */
export interface SavedLayers<T> {
  config: unknown;
  layers: T[];
}

/**
 * Reads a `docker save` tar stream (Engine 20.10's `<id>/layer.tar` and the OCI layout of Engine 25 and later),
 * handing each layer tar to `summarize` as it streams by, so memory stays bounded; `empty` stands for a layer the
 * stream lacks. A silence longer than `idleMs` ends it with a timeout error.
 */
export async function readSavedLayers<T>(source: NodeJS.ReadableStream, idleMs: number, summarize: (layer: Readable) => Promise<T>, empty: T): Promise<SavedLayers<T>> {
  const extract = tar.extract();
  const stream = source as Readable;
  let idle: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(idle);
    idle = setTimeout(() => extract.destroy(new EngineError('timeout', `The Docker daemon stopped sending the saved image for ${idleMs / 1000} s.`)), idleMs);
  };
  stream.on('data', arm);
  stream.on('error', (e) => extract.destroy(e));
  stream.pipe(extract);
  arm();
  const json = new Map<string, unknown>();
  const layers = new Map<string, T>();
  try {
    for await (const entry of extract) {
      const name = entry.header.name.replace(/^\.\//, '');
      if (name.endsWith('.json') && !name.includes('/')) json.set(name, await readJson(entry, entry.header.size ?? 0));
      else if (name.endsWith('/layer.tar')) layers.set(name, await summarize(entry as unknown as Readable));
      else if (/^blobs\/sha256\/[0-9a-f]+$/.test(name)) await readBlob(entry, name, json, layers, summarize);
      else entry.resume();
    }
  } finally {
    clearTimeout(idle);
    stream.unpipe(extract);
  }
  return assemble(json, layers, empty);
}

/**
 * An OCI layout blob (`docker save` of Engine 25 and later): the image config and manifests are JSON blobs,
 * the layers tar blobs, and they come before manifest.json says which is which. A small blob is read whole and
 * kept as JSON when it parses as JSON; anything else is read as a layer.
 */
async function readBlob<T>(entry: TarEntry, name: string, json: Map<string, unknown>, layers: Map<string, T>, summarize: (layer: Readable) => Promise<T>): Promise<void> {
  const size = entry.header.size ?? 0;
  if (size > MAX_JSON_BYTES) return void layers.set(name, await summarize(entry as unknown as Readable));
  const chunks: Buffer[] = [];
  for await (const chunk of entry) chunks.push(chunk as Buffer);
  const data = Buffer.concat(chunks);
  if (data[0] === 0x7b) {
    try {
      return void json.set(name, JSON.parse(data.toString('utf8')));
    } catch {
      // Not JSON after all: a layer.
    }
  }
  layers.set(name, await summarize(Readable.from([data])));
}

async function readJson(entry: TarEntry, size: number): Promise<unknown> {
  if (size > MAX_JSON_BYTES) return (entry.resume(), null);
  const chunks: Buffer[] = [];
  for await (const c of entry) chunks.push(c as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return null;
  }
}

/** The largest regular files of one layer tarball (whiteouts and links count as nothing), and its entries while `budget` lasts. */
async function largestFiles(layer: TarEntry | Readable, budget: EntryBudget): Promise<LayerSummary> {
  const inner = tar.extract();
  (layer as Readable).pipe(inner);
  const top: FileSize[] = [];
  const entries: DiveEntry[] = [];
  try {
    for await (const e of inner) {
      const h = e.header;
      const entry = budget.exceeded ? null : diveEntry(h);
      if (entry !== null && budget.take()) entries.push(entry);
      const base = h.name.split('/').pop() ?? '';
      if ((h.type === 'file' || h.type === 'contiguous-file') && !base.startsWith('.wh.')) {
        keepTop(top, { path: '/' + h.name.replace(/^\.?\//, ''), bytes: h.size ?? 0 });
      }
      e.resume();
    }
  } catch {
    // A layer that is not a tarball (a foreign media type) lists no files; its size still comes from history.
    layer.resume();
  }
  return { top, entries };
}

function keepTop(top: FileSize[], f: FileSize): void {
  if (top.length === TOP_FILES && f.bytes <= top[TOP_FILES - 1].bytes) return;
  top.push(f);
  top.sort((a, b) => b.bytes - a.bytes);
  if (top.length > TOP_FILES) top.pop();
}

interface SaveManifest {
  Config?: string;
  Layers?: string[];
}

interface ImageConfig {
  history?: Array<{ created_by?: string; empty_layer?: boolean }>;
}

function assemble<T>(json: Map<string, unknown>, layers: Map<string, T>, empty: T): SavedLayers<T> {
  const manifest = (json.get('manifest.json') as SaveManifest[] | undefined)?.[0];
  if (manifest?.Config === undefined) throw new EngineError('api', 'The saved image has no manifest.json with a Config entry.');
  const configName = manifest.Config.replace(/^\.\//, '');
  const config = json.get(configName) as ImageConfig | undefined;
  if (config === undefined || config === null) throw new EngineError('api', `The saved image lacks its config ${configName}.`);
  return { config, layers: (manifest.Layers ?? []).map((p) => layers.get(p.replace(/^\.\//, '')) ?? empty) };
}

/** A measured image plus the text-keyed record the language server applies to later analyses. */
export interface Measurement {
  image: MeasuredImage;
  steps: BuildMeasurement;
}

export interface MeasureOptions {
  /** The Dockerfile text that was built (keys the record) and its analysis. */
  text: string;
  analysis: Analysis;
  target: string | null;
  /** Cache results of the build that made the image; empty when not built here. */
  cache: CacheResults;
  finishedAt?: number;
}

/** Measures `image` (a tag or id) and lines its history up with the analysis of the text that built it. */
export async function measureImage(engine: Engine, image: string, o: MeasureOptions): Promise<Measurement> {
  const sizes = await engine.history(image);
  const saved = await readSavedImage(await engine.save(image), engine.timeoutMs);
  if (sizes.length !== saved.history.length) {
    throw new EngineError('api', `The image's history has ${sizes.length} entries but its config ${saved.history.length}; it changed while being read.`);
  }
  const entries: HistoryEntry[] = saved.history.map((h, i) => ({ ...h, bytes: sizes[i].bytes }));
  return toMeasurement(entries, saved.layerFiles, image, o, saved.layerEntries === null ? null : diveMeasures(saved.layerEntries));
}

/** Pure assembly: history entries (oldest first) + per-layer files + alignment (+ dive's measures of the layers) -> MeasuredImage and record. */
export function toMeasurement(entries: HistoryEntry[], layerFiles: FileSize[][], imageId: string, o: MeasureOptions, waste: DiveMeasures | null = null): Measurement {
  const alignment = alignHistory(entries, o.analysis);
  const lineOf = new Map<number, number>();
  for (const s of alignment.steps) if (s.entry !== null) lineOf.set(s.entry, s.line);
  const baseLayers: MeasuredLayer[] = [];
  const layers: MeasuredLayer[] = [];
  let layerIndex = 0;
  const wastedOf = new Map<number, number>();
  entries.forEach((e, i) => {
    if (e.emptyLayer) return;
    const wasted = waste?.perLayer[layerIndex]?.bytes;
    if (wasted !== undefined) wastedOf.set(i, wasted);
    const layer = { line: lineOf.get(i) ?? null, createdBy: e.createdBy, bytes: e.bytes, largestFiles: layerFiles[layerIndex++] ?? [] };
    (i < alignment.baseCount ? baseLayers : layers).push(layer);
  });
  const finishedAt = o.finishedAt ?? Date.now();
  const cachedLines = [...o.cache].filter(([, status]) => status === 'hit').map(([line]) => line).sort((a, b) => a - b);
  const bytesOf = new Map(alignment.steps.map((s) => [s.line, s.entry === null ? null : entries[s.entry].emptyLayer ? 0 : entries[s.entry].bytes]));
  const wastedAt = new Map(alignment.steps.map((s) => [s.line, s.entry === null ? undefined : wastedOf.get(s.entry)]));
  const steps = o.analysis.steps.filter((s) => s.keyword !== 'FROM' && s.stage !== null).map((s) => {
    const wasted = wastedAt.get(s.line);
    return { text: stepText(o.text, s), bytes: bytesOf.get(s.line) ?? null, cache: o.cache.get(s.line) ?? null, ...(wasted === undefined ? {} : { wasted }) };
  });
  const image = waste === null ? {} : { image: { efficiency: waste.efficiency, wastedBytes: waste.wastedBytes, userWastedPercent: waste.userWastedPercent } };
  return {
    image: { imageId, builder: o.analysis.builder, target: o.target, finishedAt, baseLayers, layers, cachedLines },
    steps: { builder: o.analysis.builder, target: o.target, finishedAt, steps, ...image },
  };
}
