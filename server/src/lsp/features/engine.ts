/**
 * The Docker Engine the analyses model: in a trusted workspace the server asks the daemon for its version
 * (off the typing path: analyses use the last answer, and a new answer refreshes them); otherwise, or when
 * no daemon answers, each document's `dockerfileLayers.engineVersion` or the default applies.
 */
import type { Connection } from 'vscode-languageserver';
import type { AnalysisStore } from '../store';
import { resolveEngine } from '../../docker/version';

/** Asks the daemon again: at start, when trust or settings change, after a build. */
export type EngineProbe = () => Promise<void>;

/** Registers nothing on the connection; returns the probe that the service calls when the daemon may have changed. */
export function registerEngine(connection: Connection, store: AnalysisStore, changed: () => void): EngineProbe {
  let asked = 0;
  let lastNote: string | null = null;
  return async () => {
    const ask = ++asked;
    const resolved = store.trusted ? await resolveEngine({ explicit: null, askDaemon: true, env: process.env }) : null;
    if (ask !== asked) return; // A newer question is under way; its answer wins.
    const engine = resolved?.engine.source === 'daemon' ? resolved.engine : null;
    if (resolved?.note && resolved.note !== lastNote) connection.console.info(`Dockerfile Layers: ${resolved.note}`);
    lastNote = resolved?.note ?? null;
    if (store.setDaemonEngine(engine)) changed();
  };
}
