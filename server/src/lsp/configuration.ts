/**
 * The `dockerfileLayers` settings of each open document, pulled with `workspace/configuration` and the
 * document's URI as the scope, so that the folders of a multi-root workspace can use different builders,
 * targets and build args. Pulled when a document opens and, for all of them, on didChangeConfiguration.
 */
import type { Connection } from 'vscode-languageserver';
import type { AnalysisStore } from './store';
import { toSettings } from './settings';

const SECTION = 'dockerfileLayers';
/** The key `latest` keeps the unscoped defaults' pull under (no document has an empty URI). */
const DEFAULTS = '';

/** Pulls settings into the store; `changed` runs after a pull that changed a document's settings. */
export class DocumentConfiguration {
  private asked = 0;
  /** The latest pull that asked for each document, so that an older answer does not win over a newer one. */
  private readonly latest = new Map<string, number>();

  constructor(private readonly connection: Connection, private readonly store: AnalysisStore, private readonly changed: () => void) {}

  /** Pulls one newly opened document's settings; `changed` runs only when they differ from the defaults it started with. */
  async opened(uri: string): Promise<void> {
    if (await this.pull([uri], false)) this.changed();
  }

  /** Pulls the defaults and every open document's settings in one request, then runs `changed`. */
  async reload(): Promise<void> {
    await this.pull(this.store.documents.all().map((d) => d.uri), true);
    this.changed();
  }

  /** Forgets a closed document. */
  closed(uri: string): void {
    this.latest.delete(uri);
  }

  /** Asks for the settings of `uris` (and the unscoped defaults); true when a document's settings changed. */
  private async pull(uris: string[], defaults: boolean): Promise<boolean> {
    const id = ++this.asked;
    [...(defaults ? [DEFAULTS] : []), ...uris].forEach((uri) => this.latest.set(uri, id));
    const items = [...(defaults ? [{ section: SECTION }] : []), ...uris.map((scopeUri) => ({ scopeUri, section: SECTION }))];
    const answers: unknown[] = await this.connection.workspace.getConfiguration(items);
    const own = defaults ? answers.shift() : undefined;
    if (defaults && this.latest.get(DEFAULTS) === id) this.store.setDefaultSettings(toSettings(own));
    let moved = false;
    uris.forEach((uri, i) => {
      if (this.latest.get(uri) === id && this.store.documents.get(uri)) moved = this.store.setSettingsOf(uri, toSettings(answers[i])) || moved;
    });
    return moved;
  }
}
