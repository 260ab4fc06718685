/**
 * Which Docker Engine an analysis models: a version the user names wins, else the daemon's own (asked once,
 * with a short deadline), else the core's default. Shared by the CLI and the language server.
 */
import { DEFAULT_ENGINE, versionParts, type EngineModel } from '../core/engine';
import { Engine, engineAddress } from './engine';

/** Deadline of the version question, in milliseconds: a daemon answers `/version` at once or is stuck. */
const VERSION_TIMEOUT_MS = 2_000;

/** What to decide from: an explicit version (setting or flag), whether the daemon may be asked, and its environment. */
export interface EngineChoice {
  explicit: string | null;
  askDaemon: boolean;
  env: Record<string, string | undefined>;
  timeoutMs?: number;
}

/** The modelled engine, and a note saying why it is not the daemon's when the daemon was asked and did not answer. */
export interface ResolvedEngine {
  engine: EngineModel;
  note: string | null;
}

/** Whether `text` is a version the core can model (`26.1`, `20.10.24`, `v28.5.2`); the error says what is wrong. */
export function checkEngineVersion(text: string): string | null {
  return versionParts(text) === null ? `"${text}" is not a Docker Engine version (for example 26.1 or 20.10.24)` : null;
}

/** Decides the engine to model; never throws, a daemon that is down or slow only adds a note. */
export async function resolveEngine(c: EngineChoice): Promise<ResolvedEngine> {
  if (c.explicit !== null && c.explicit.trim() !== '' && checkEngineVersion(c.explicit) === null) {
    return { engine: { version: c.explicit.trim(), source: 'setting' }, note: null };
  }
  if (!c.askDaemon) return { engine: DEFAULT_ENGINE, note: null };
  const address = engineAddress(c.env);
  if ('error' in address) return { engine: DEFAULT_ENGINE, note: `${address.error}; modelling Docker ${DEFAULT_ENGINE.version} (the default).` };
  try {
    const version = await new Engine({ address, timeoutMs: c.timeoutMs ?? VERSION_TIMEOUT_MS }).version();
    return { engine: { version, source: 'daemon' }, note: null };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return { engine: DEFAULT_ENGINE, note: `${why} Modelling Docker ${DEFAULT_ENGINE.version} (the default).` };
  }
}
