/**
 * The server's state: open documents, settings, and the latest analysis per document (recomputed lazily
 * when the text or the settings change). Features read from here; nothing else keeps analysis state.
 */
import { TextDocuments } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeDockerfile } from '../core/analyze';
import type { Analysis } from '../core/types';
import { DEFAULT_SETTINGS, type ServerSettings } from './settings';

interface Cached {
  version: number;
  settingsKey: string;
  analysis: Analysis;
}

/** Documents, settings and cached analyses; `analysisOf` is cheap when nothing changed. */
export class AnalysisStore {
  readonly documents = new TextDocuments(TextDocument);
  private readonly cache = new Map<string, Cached>();
  private current: ServerSettings = DEFAULT_SETTINGS;
  private settingsKey = JSON.stringify(DEFAULT_SETTINGS.analysis);

  get settings(): ServerSettings {
    return this.current;
  }

  set settings(value: ServerSettings) {
    this.current = value;
    this.settingsKey = JSON.stringify(value.analysis);
  }

  /** The analysis of an open document for the current settings, or null when it is not open. */
  analysisOf(uri: string): Analysis | null {
    const doc = this.documents.get(uri);
    if (!doc) return null;
    const hit = this.cache.get(uri);
    if (hit && hit.version === doc.version && hit.settingsKey === this.settingsKey) return hit.analysis;
    const analysis = analyzeDockerfile(doc.getText(), this.current.analysis);
    this.cache.set(uri, { version: doc.version, settingsKey: this.settingsKey, analysis });
    return analysis;
  }

  /** Forgets a closed document. */
  forget(uri: string): void {
    this.cache.delete(uri);
  }
}
