/**
 * What FROM and RUN sizes are estimated from in the editor: Debian's package catalog (loaded once, shipped with
 * the extension) and, in trusted workspaces, each document's FROM images (the local daemon's, else their
 * registries'). Looked up off the typing path, when a document opens, its settings change, a build ends, or an
 * edit names other FROM images; analyses use the last answers, and a new answer refreshes the views.
 */
import type { Connection } from 'vscode-languageserver';
import type { AnalysisStore } from '../store';
import type { BaseImageFacts } from '../../core/baseImage';
import { imageBases } from '../../core/stages';
import { lookUpBases } from '../../docker/baseFacts';
import { engineFromEnv } from '../../docker/engine';
import { loadCatalog } from '../../state/catalog';
import { serverStateDir } from './cache';

/** Looks up `uri`'s FROM images (again when `force`, else only when its FROM references changed). */
export type SizesLoader = (uri: string, force?: boolean) => Promise<void>;

/** How long after the last keystroke the FROM references are looked at again, in ms. */
const SETTLE_MS = 500;

/** Returns the loader; it never throws. `changed(uri)` is called when the document's analyses changed. */
export function registerSizes(connection: Connection, store: AnalysisStore, changed: (uri: string) => void): SizesLoader {
  let catalogLoaded = false;
  const asked = new Map<string, { refs: string; trusted: boolean; registry: boolean; stop: AbortController }>();
  const timers = new Map<string, NodeJS.Timeout>();

  const load: SizesLoader = async (uri, force = false) => {
    if (!catalogLoaded) {
      catalogLoaded = true;
      const catalog = loadCatalog();
      if ('why' in catalog) connection.console.warn(`Dockerfile Layers: ${catalog.why}`);
      store.setCatalog('why' in catalog ? null : catalog);
    }
    const doc = store.documents.get(uri);
    if (doc === undefined) return;
    const settings = store.settingsOf(uri);
    const refs = imageBases(doc.getText(), settings.analysis.buildArgs);
    const key = JSON.stringify(refs);
    const before = asked.get(uri);
    if (!force && before?.refs === key && before.trusted === store.trusted && before.registry === settings.registry) return;
    before?.stop.abort();
    const stop = new AbortController();
    asked.set(uri, { refs: key, trusted: store.trusted, registry: settings.registry, stop });
    const facts = store.trusted ? await lookUp(refs, settings.registry, stop.signal) : untrusted(refs);
    if (stop.signal.aborted) return;
    if (store.setBases(uri, facts)) changed(uri);
  };

  store.documents.onDidChangeContent((e) => {
    const uri = e.document.uri;
    clearTimeout(timers.get(uri));
    timers.set(uri, setTimeout(() => {
      timers.delete(uri);
      void load(uri).catch((err: unknown) => connection.console.warn(`Could not look up the base images of ${uri}: ${String(err)}`));
    }, SETTLE_MS));
  });
  store.documents.onDidClose((e) => {
    clearTimeout(timers.get(e.document.uri));
    asked.get(e.document.uri)?.stop.abort();
    asked.delete(e.document.uri);
  });
  return load;
}

async function lookUp(refs: string[], registry: boolean, signal: AbortSignal): Promise<Record<string, BaseImageFacts>> {
  return lookUpBases(refs, { engine: engineFromEnv(process.env, 5_000), stateDir: serverStateDir(), offline: !registry, signal });
}

/** Untrusted workspaces talk to no daemon and no registry: every base says so. */
function untrusted(refs: string[]): Record<string, BaseImageFacts> {
  const why = 'Base images are not looked up in an untrusted workspace (it needs the Docker daemon or a registry).';
  return Object.fromEntries(refs.filter((r) => r.toLowerCase() !== 'scratch').map((ref) => [ref, { ref, bytes: null, why }]));
}
