/**
 * The server's state: open documents, settings, and the latest analysis per document (recomputed lazily
 * when the text or the settings change). Features read from here; nothing else keeps analysis state.
 */
import { TextDocuments } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeDocument } from '../core/analyze';
import type { Analysis } from '../core/types';
import { withMeasurement, type BuildMeasurement } from '../core/history';
import type { MeasuredImage } from '../protocol';
import type { ContextIndex } from '../core/context';
import { contextFindings, markSizing } from '../context/findings';
import { DEFAULT_SETTINGS, type ServerSettings } from './settings';
import type { RuleHit } from '../core/rules/context';

/** One run of the analysis of a document version, for one settings key and context. */
interface Cached {
  version: number;
  settingsKey: string;
  context: ContextIndex | 'pending' | undefined;
  analysis: Analysis;
  hits: RuleHit[];
}

/** The analysis and rule hits of one run (core's analyzeDocument; tests count the runs). */
export type Analyzer = typeof analyzeDocument;

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
  /** Whether the client said the workspace is trusted: building and talking to the daemon need it. */
  trusted = false;
  /** Where analyses get the build context from (set by the context feature); a new index object means new sizes. */
  contextOf: ContextProvider = () => undefined;

  constructor(private readonly analyze: Analyzer = analyzeDocument) {}

  get settings(): ServerSettings {
    return this.current;
  }

  set settings(value: ServerSettings) {
    this.current = value;
    this.settingsKey = JSON.stringify(value.analysis);
  }

  /** The analysis of an open document for the current settings, or null when it is not open. */
  analysisOf(uri: string): Analysis | null {
    return this.runOf(uri)?.analysis ?? null;
  }

  /**
   * The layer rules' hits with their fixes for an open document (empty when it is not open), from the same run
   * as its analysis: VS Code asks for code actions on every cursor move.
   */
  ruleHitsOf(uri: string): RuleHit[] {
    return this.runOf(uri)?.hits ?? [];
  }

  /** The latest run for an open document, analyzed again only when its version, the settings or its context changed. */
  private runOf(uri: string): Cached | null {
    const doc = this.documents.get(uri);
    if (!doc) return null;
    const hit = this.cache.get(uri);
    const context = this.contextOf(uri);
    if (hit && hit.version === doc.version && hit.settingsKey === this.settingsKey && hit.context === context) return hit;
    const measurement = this.measurementOf(uri)?.steps ?? null;
    const run = this.analyze(doc.getText(), this.current.analysis, context === 'pending' ? undefined : context);
    const analyzed = context === 'pending' ? markSizing(run.analysis) : contextFindings(run.analysis, context);
    const analysis = withMeasurement(analyzed, doc.getText(), measurement);
    const cached = { version: doc.version, settingsKey: this.settingsKey, context, analysis, hits: run.hits };
    this.cache.set(uri, cached);
    return cached;
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
  }
}
