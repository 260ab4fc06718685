/**
 * Reading what a CLI command analyzes: the Dockerfile, its build context (scanned for exact COPY/ADD sizes),
 * and the analysis. Shared by `analyze`, `analyze --image` and `build`.
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { analyzeDocument } from '../core/analyze';
import { homedir } from 'node:os';
import type { StepKey } from '../core/cache/keys';
import { stateDir } from '../state/baselines';
import { noBaselineWhy, readForTarget } from '../state/targets';
import { imageBases, stageTargets } from '../core/stages';
import { lookUpBases } from '../docker/baseFacts';
import { engineFromEnv } from '../docker/engine';
import { loadCatalog } from '../state/catalog';
import { baseImageIds } from '../docker/bases';
import type { ContextIndex } from '../core/context';
import type { Analysis, AnalysisOptions } from '../core/types';
import type { PackageCatalog } from '../core/catalog';
import { ContextEngine } from '../context/engine';
import { contextFindings } from '../context/findings';
import { readIgnoreFile } from '../context/scan';
import { needsFileContents } from '../core/sizes';
import { readDockerfileFile } from '../docker/files';
import { resolveEngine } from '../docker/version';

/** What to load: paths as given on the command line, and the analysis options. */
export interface LoadOptions extends AnalysisOptions {
  dockerfile: string;
  context: string | null;
  /** Scan the build context for exact COPY/ADD sizes (files are read only when an ADD may extract an archive). */
  scan: boolean;
  /** The most files, and folders, of the context to scan before stopping with a message (sizes are then lower bounds). */
  maxFiles?: number;
  /** `--engine-version`, or null to ask the daemon (unless `noDocker`). */
  engineVersion: string | null;
  noDocker?: boolean;
  /** `--state-dir` (null: $DOCKERFILE_LAYERS_STATE_DIR or the per-user cache folder), where recorded builds are kept. */
  stateDir: string | null;
  /** Read the files even without a recorded build: a build records their digests. */
  hashForCache?: boolean;
  /** `--offline`: ask no registry for base image sizes (local images and answers kept from earlier lookups only). */
  offline?: boolean;
}

/** A loaded Dockerfile: absolute paths, its text, its analysis with the keys of its steps, and the state folder. */
export interface Loaded {
  dockerfile: string;
  context: string;
  text: string;
  analysis: Analysis;
  keys: StepKey[];
  stateDir: string;
  /** The FROM images' IDs the daemon told (empty without one). */
  baseImages: Record<string, string>;
  /** The scanned build context, when it was scanned. */
  index?: ContextIndex;
}

/** The default of `dockerfileLayers.context.maxFiles`, the editor's setting. */
const DEFAULT_MAX_FILES = 200_000;

/** Loads and analyzes; on a usage or IO problem writes one message to `err` and resolves to null (exit code 2). */
export async function loadAnalysis(o: LoadOptions, err: (s: string) => void): Promise<Loaded | null> {
  const dockerfile = resolve(o.dockerfile);
  const context = resolve(o.context ?? dirname(dockerfile));
  const read = readDockerfileFile(dockerfile);
  if ('error' in read) return (err(`dockerfile-layers: ${read.error}`), null);
  if (!isDirectory(context)) return (err(`dockerfile-layers: build context ${context} is not a folder`), null);
  // The daemon is asked while the context is scanned: its answer took about 200 ms, a tenth of `analyze` over
  // 100,000 files in as many folders.
  const state = stateDir(o.stateDir, process.env, homedir(), process.platform);
  const recorded = readForTarget(state, dockerfile, o.target ?? null, stageTargets(read.text, o.buildArgs), o.builder);
  if (recorded.problem !== null) err(`dockerfile-layers: note: ${recorded.problem}`);
  // Cache keys need the contents of copied files: they are read when a recorded build is compared or recorded.
  const hash = o.hashForCache === true || recorded.baseline !== null || needsFileContents(read.text, o);
  const asked = resolveEngine({ explicit: o.engineVersion, askDaemon: o.noDocker !== true, env: process.env });
  const scanned = o.scan ? scan(context, dockerfile, o, hash) : Promise.resolve(undefined);
  // Base image IDs are part of the keys: asked alike when a build is recorded and when one is compared.
  const bases = o.noDocker === true || (recorded.baseline === null && o.hashForCache !== true) ? Promise.resolve({}) : baseImageIds(read.text, o.buildArgs, process.env);
  // Base image sizes and packages: the local daemon's images, else their registries (kept in the state folder).
  const facts = lookUpBases(imageBases(read.text, o.buildArgs), { engine: o.noDocker === true ? null : engineFromEnv(process.env, 5_000), stateDir: state, offline: o.offline === true });
  const [resolved, index, baseImages, sizes] = await Promise.all([asked, scanned, bases, Promise.all([facts, catalogFor(read.text)])]);
  if (resolved.note !== null) err(`dockerfile-layers: note: ${resolved.note} --engine-version sets another.`);
  const cache = recorded.baseline !== null ? { baseline: recorded.baseline, baseImages } : { baseline: null, why: recorded.problem ?? noBaselineWhy(state), baseImages };
  const [found, catalog] = sizes;
  if ('why' in catalog && catalog.why !== '') err(`dockerfile-layers: note: ${catalog.why}`);
  const options: AnalysisOptions = {
    builder: o.builder, target: o.target, buildArgs: o.buildArgs, engine: resolved.engine, cache,
    sizes: { bases: found, catalog: 'why' in catalog ? null : catalog },
  };
  const run = analyzeDocument(read.text, options, index);
  const analysis = contextFindings(run.analysis, index);
  const unknownTarget = analysis.findings.find((f) => f.code === 'unknown-target');
  if (unknownTarget) return (err(`dockerfile-layers: ${unknownTarget.message}`), null);
  return { dockerfile, context, text: read.text, analysis, keys: run.keys, stateDir: state, baseImages, ...(index ? { index } : {}) };
}

/**
 * Scans the context; file contents are read only when `hash` (an ADD may extract an archive): the CLI prints
 * no cache predictions, and reading 1 GB of files took most of `analyze`'s time (2.65x `du -sb`).
 */
async function scan(context: string, dockerfile: string, o: LoadOptions, hash: boolean): Promise<ContextIndex> {
  const engine = new ContextEngine();
  try {
    const index = await engine.scan(context, { limit: o.maxFiles ?? DEFAULT_MAX_FILES, hash });
    return { ...index, ignoreFile: readIgnoreFile(context, dockerfile, o.builder) };
  } finally {
    await engine.close();
  }
}

/** Debian's package catalog when a RUN may install Debian packages (decoding it costs time no other step needs). */
async function catalogFor(text: string): Promise<PackageCatalog | { why: string }> {
  return /\bapt(-get)?\b/.test(text) ? loadCatalog() : { why: '' };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
