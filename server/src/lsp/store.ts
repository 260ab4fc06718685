/**
 * The server's state: open documents, settings, and the latest analysis per document (recomputed lazily
 * when the text or the settings change). Features read from here; nothing else keeps analysis state.
 */
import { TextDocuments } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeDockerfile } from '../core/analyze';
import type { Analysis } from '../core/types';
import { withMeasurement, type BuildMeasurement } from '../core/history';
import type { MeasuredImage } from '../protocol';
import type { ContextIndex } from '../core/context';
import { contextFindings, markSizing } from '../context/findings';
import { DEFAULT_SETTINGS, type ServerSettings } from './settings';
import { fixableHits } from '../core/fixes/actions';
import type { RuleHit } from '../core/rules/context';

interface Cached {
  version: number;
  settingsKey: string;
  analysis: Analysis;
  context: ContextIndex | 'pending' | undefined;
}

/** A document's scanned build context: the index, `pending` while its first scan runs, or undefined when none. */
export type ContextProvider = (uri: string) => ContextIndex | 'pending' | undefined;

/** What the last build of a document measured: the explorer's view (null when unreadable) and the per-step record. */
export interface StoredMeasurement {
  image: MeasuredImage | null;
  steps: BuildMeasurement;
}

const measurementKey = (uri: string, builder: string, target: string | null): string => JSON.stringify([uri, builder, target]);

/** Documents, settings and cached analyses; `analysisOf` is cheap when nothing changed. */
export class AnalysisStore {
  readonly documents = new TextDocuments(TextDocument);
  private readonly cache = new Map<string, Cached>();
  private current: ServerSettings = DEFAULT_SETTINGS;
  private settingsKey = JSON.stringify(DEFAULT_SETTINGS.analysis);
  private readonly measurements = new Map<string, StoredMeasurement>();
  private readonly hits = new Map<string, { version: number; settingsKey: string; hits: RuleHit[] }>();
  /** Whether the client said the workspace is trusted: building and talking to the daemon need it. */
  trusted = false;
  /** Where analyses get the build context from (set by the context feature); a new index object means new sizes. */
  contextOf: ContextProvider = () => undefined;

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
    const context = this.contextOf(uri);
    if (hit && hit.version === doc.version && hit.settingsKey === this.settingsKey && hit.context === context) return hit.analysis;
    const measurement = this.measurementOf(uri)?.steps ?? null;
    const analyzed = context === 'pending'
      ? markSizing(analyzeDockerfile(doc.getText(), this.current.analysis))
      : contextFindings(analyzeDockerfile(doc.getText(), this.current.analysis, context), context);
    const analysis = withMeasurement(analyzed, doc.getText(), measurement);
    this.cache.set(uri, { version: doc.version, settingsKey: this.settingsKey, analysis, context });
    return analysis;
  }

  /**
   * The layer rules' hits with their fixes for an open document (empty when it is not open), kept per version:
   * VS Code asks for code actions on every cursor move.
   */
  ruleHitsOf(uri: string): RuleHit[] {
    const doc = this.documents.get(uri);
    if (!doc) return [];
    const hit = this.hits.get(uri);
    if (hit && hit.version === doc.version && hit.settingsKey === this.settingsKey) return hit.hits;
    const hits = fixableHits(doc.getText(), this.current.analysis);
    this.hits.set(uri, { version: doc.version, settingsKey: this.settingsKey, hits });
    return hits;
  }

  /** Records what a build of `uri` measured, for its builder and target; its analyses use it from now on. */
  setMeasurement(uri: string, m: StoredMeasurement): void {
    this.measurements.set(measurementKey(uri, m.steps.builder, m.steps.target), m);
    this.cache.delete(uri);
  }

  /** The last build's measurement of `uri` for the current builder and target, or null. */
  measurementOf(uri: string): StoredMeasurement | null {
    const a = this.current.analysis;
    return this.measurements.get(measurementKey(uri, a.builder, a.target ?? null)) ?? null;
  }

  /** Forgets a closed document. */
  forget(uri: string): void {
    this.cache.delete(uri);
    this.hits.delete(uri);
  }
}
