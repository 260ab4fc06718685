/**
 * `dockerfileLayers/build`: builds the saved Dockerfile with the docker CLI (trusted workspaces only),
 * streams the log, reports progress, then measures the image so steps show measured sizes and cache results.
 */
import { basename, dirname } from 'node:path';
import type { CancellationToken, Connection } from 'vscode-languageserver';
import type { AnalysisStore } from '../store';
import { refreshViews } from '../refresh';
import { BuildLogNotification, BuildRequest, TrustNotification, type BuildResult } from '../../protocol';
import { analyzeDocument } from '../../core/analyze';
import { recordBuild } from '../../state/recordBuild';
import { serverStateDir } from './cache';
import { runBuild, type BuildOutcome } from '../../docker/build';
import { parseCacheResults } from '../../docker/buildLog';
import { toMeasurement } from '../../docker/measure';
import { readDockerfileFile } from '../../docker/files';
import { filePathOf } from './workspace';

/** Registers the build request and the trust notification; `probe` asks the daemon's version again (trust changed, a build ran). */
export function registerBuild(connection: Connection, store: AnalysisStore, probe: () => Promise<void>, recorded: (uri: string) => Promise<void>): void {
  const running = new Set<string>();
  connection.onNotification(TrustNotification.type, (p) => {
    store.trusted = p.trusted === true;
    void probe();
    // What needs the daemon (base image IDs and sizes, builds elsewhere) is looked up again with the new trust.
    for (const uri of store.documents.keys()) void recorded(uri);
  });
  connection.onRequest(BuildRequest.type, async (params, token) => {
    const uri = params.textDocument.uri;
    if (running.has(uri)) return refused('A build of this Dockerfile is already running.');
    running.add(uri);
    try {
      return await build(connection, store, uri, token, recorded);
    } finally {
      running.delete(uri);
      void probe();
    }
  });
}

function refused(message: string, started = Date.now()): BuildResult {
  return { ok: false, imageId: null, message, durationMs: Date.now() - started };
}

async function build(connection: Connection, store: AnalysisStore, uri: string, token: CancellationToken, recorded: (uri: string) => Promise<void>): Promise<BuildResult> {
  if (!store.trusted) return refused('Building is disabled in untrusted workspaces: trust the workspace to build images.');
  const file = filePathOf(uri);
  if (file === null) return refused(`Only Dockerfiles saved on disk can be built, not ${uri}.`);
  const read = readDockerfileFile(file);
  if ('error' in read) return refused(read.error);
  const settings = store.settingsOf(uri);
  const controller = new AbortController();
  token.onCancellationRequested(() => controller.abort());
  const progress = await connection.window.createWorkDoneProgress();
  progress.begin('Building image', undefined, basename(file), true);
  progress.token.onCancellationRequested(() => controller.abort());
  try {
    const outcome = await runBuild({
      dockerPath: settings.docker.path, builder: settings.analysis.builder, dockerfile: file, context: contextRoot(store, uri, file),
      target: settings.analysis.target, buildArgs: settings.analysis.buildArgs, signal: controller.signal,
      onOutput: (text) => void connection.sendNotification(BuildLogNotification.type, { uri, text }),
    });
    if (!outcome.ok || outcome.imageId === null) return toResult(outcome, outcome.message);
    progress.report('Measuring layers');
    const notes: string[] = [];
    const log = (line: string): void => {
      notes.push(line.replace(/^dockerfile-layers: /, ''));
      void connection.sendNotification(BuildLogNotification.type, { uri, text: `${line}\n` });
    };
    await measureAndRecord(store, uri, file, read.text, outcome, log);
    await recorded(uri);
    const open = store.documents.get(uri)?.getText();
    const dirty = open !== undefined && open !== read.text;
    refreshViews(connection, uri);
    return toResult(outcome, [outcome.message, ...notes, dirty ? 'The saved file was built; unsaved changes are not in the image.' : ''].filter((s) => s !== '').join(' '));
  } finally {
    progress.done();
  }
}

function toResult(outcome: BuildOutcome, message: string): BuildResult {
  return { ok: outcome.ok, imageId: outcome.imageId, message, durationMs: outcome.durationMs };
}

/**
 * Measures the new image, stores the measurement for the document and records the build as its baseline in the
 * state folder (the analysis of the built text, with the prediction made before the build, gives the keys and
 * the reasons); what went wrong or surprised goes to `log`.
 */
async function measureAndRecord(store: AnalysisStore, uri: string, file: string, text: string, outcome: BuildOutcome, log: (line: string) => void): Promise<void> {
  // The keys are made only when a cache comparison is asked for: a build is recorded even before one was loaded.
  const loaded = store.optionsOf(uri);
  const options = loaded.cache === undefined ? { ...loaded, cache: { baseline: null } } : loaded;
  const index = store.contextOf(uri);
  const run = analyzeDocument(text, options, index === 'pending' ? undefined : index);
  const built = { dockerfile: file, text, analysis: run.analysis, keys: run.keys, stateDir: serverStateDir(), baseImages: options.cache?.baseImages ?? {} };
  const result = await recordBuild(built, outcome, options.target ?? null, process.env, log);
  const target = options.target ?? null;
  const cache = parseCacheResults(outcome.log, run.analysis);
  store.setMeasurement(uri, result.measurement ?? { image: null, steps: toMeasurement([], [], outcome.imageId ?? '', { text, analysis: run.analysis, target, cache }).steps });
}

/** The build context the editor located for this Dockerfile (settings, compose, devcontainer), else its folder. */
function contextRoot(store: AnalysisStore, uri: string, file: string): string {
  const index = store.contextOf(uri);
  return index !== undefined && index !== 'pending' ? index.root : dirname(file);
}
