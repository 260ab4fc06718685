/**
 * What each open Dockerfile's cache prediction compares with: its recorded build in the state folder (the one
 * the CLI uses too: $DOCKERFILE_LAYERS_STATE_DIR, else the per-user cache folder), loaded when the document
 * opens, its settings change or a build ends, and in trusted workspaces the FROM images' IDs from the daemon.
 * Loading happens here, never while typing: analyses read what was loaded last.
 */
import { homedir } from 'node:os';
import type { Connection } from 'vscode-languageserver';
import type { AnalysisStore } from '../store';
import { stateDir } from '../../state/baselines';
import { noBaselineWhy, readForTarget } from '../../state/targets';
import { stageTargets } from '../../core/stages';
import { baseImageIds } from '../../docker/bases';
import { findBuiltImage } from '../../docker/elsewhere';
import { entryMtime } from '../../core/context';
import { filePathOf } from './workspace';

/** Loads what `uri`'s prediction compares with; resolves when done (the caller refreshes the views). */
export type CacheLoader = (uri: string) => Promise<void>;

/** The state folder the server reads and writes: the same default as the CLI's. */
export function serverStateDir(): string {
  return stateDir(null, process.env, homedir(), process.platform);
}

/** Returns the loader; it never throws, problems become the reason shown for unknown cache status. */
export function registerCache(connection: Connection, store: AnalysisStore): CacheLoader {
  return async (uri) => {
    const file = filePathOf(uri);
    const settings = store.settingsOf(uri);
    if (file === null) return store.setCache(uri, { baseline: null, why: 'Only Dockerfiles saved on disk have recorded builds.' });
    const dir = serverStateDir();
    const text = store.documents.get(uri)?.getText() ?? '';
    const read = readForTarget(dir, file, settings.analysis.target ?? null, stageTargets(text, settings.analysis.buildArgs), settings.analysis.builder);
    if (read.problem !== null) connection.console.warn(`Dockerfile Layers: ${read.problem}`);
    const baseImages = store.trusted ? await baseImageIds(store.documents.get(uri)?.getText() ?? '', settings.analysis.buildArgs, process.env) : {};
    const why = read.problem ?? noBaselineWhy(dir);
    if (read.baseline !== null) return store.setCache(uri, { baseline: read.baseline, baseImages });
    store.setCache(uri, { baseline: null, why, baseImages });
    // Built elsewhere (a terminal, CI)? The newest local image whose history matches lets the status be inferred.
    const analysis = store.trusted && read.problem === null ? store.analysisOf(uri) : null;
    const found = analysis === null ? null : await findBuiltImage(analysis, process.env);
    if (found === null) return;
    const mtimeOf = (path: string): number | null => {
      const index = store.contextOf(uri);
      return index === undefined || index === 'pending' ? null : entryMtime(index.entries.get(path));
    };
    store.setCache(uri, { baseline: null, why, baseImages, elsewhere: { ...found, mtimeOf } });
  };
}
