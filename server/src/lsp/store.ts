/**
 * The server's state: open documents, each document's settings, and the latest analysis per document
 * (recomputed lazily when the text or the settings change). Features read from here; nothing else keeps
 * analysis state.
 */
import { TextDocuments } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DEFAULT_ENGINE, type EngineModel } from '../core/engine';
import { analyzeDocument } from '../core/analyze';
import type { Analysis, AnalysisOptions } from '../core/types';
import { withMeasurement, type BuildMeasurement } from '../core/history';
import type { MeasuredImage } from '../protocol';
import type { ContextIndex } from '../core/context';
import { contextFindings, markSizing } from '../context/findings';
import { DEFAULT_SETTINGS, type ServerSettings } from './settings';
import type { RuleHit } from '../core/rules/context';
import type { BaseImageFacts } from '../core/baseImage';
import type { PackageCatalog } from '../core/catalog';

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

/** Settings and the key of their analysis options, which cached analyses are checked against. */
interface KeyedSettings {
  settings: ServerSettings;
  key: string;
}

const keyed = (settings: ServerSettings): KeyedSettings => ({ settings, key: JSON.stringify(settings.analysis) });

/** Documents, settings and cached analyses; `analysisOf` is cheap when nothing changed. */
export class AnalysisStore {
  readonly documents = new TextDocuments(TextDocument);
  private readonly cache = new Map<string, Cached>();
  private defaults = keyed(DEFAULT_SETTINGS);
  private readonly byDocument = new Map<string, KeyedSettings>();
  private readonly measurements = new Map<string, StoredMeasurement>();
  /** Whether the client said the workspace is trusted: building and talking to the daemon need it. */
  trusted = false;
  /** Where analyses get the build context from (set by the context feature); a new index object means new sizes. */
  contextOf: ContextProvider = () => undefined;
  /** The daemon's engine (its `/version`), or null when untrusted or no daemon answered. */
  private daemonEngine: EngineModel | null = null;
  /** Per document: the recorded build to predict from (or why there is none) and the FROM images' IDs. */
  private readonly caches = new Map<string, NonNullable<AnalysisOptions['cache']>>();
  /** Per document: what its FROM images were found to be (sizes, layers, packages), by reference. */
  private readonly bases = new Map<string, Record<string, BaseImageFacts>>();
  /** Debian's package catalog once loaded (null: it could not be), for every document's RUN estimates. */
  private catalog: PackageCatalog | null | undefined;

  constructor(private readonly analyze: Analyzer = analyzeDocument) {}

  /** The settings `uri` is analyzed, hinted and built with: its own (its folder's), else the defaults. */
  settingsOf(uri: string): ServerSettings {
    return (this.byDocument.get(uri) ?? this.defaults).settings;
  }

  /** Sets the settings of documents without their own: from initializationOptions, or the configuration without a scope. */
  setDefaultSettings(value: ServerSettings): void {
    this.defaults = keyed(value);
  }

  /** Sets the settings of one document (its folder's); true when they differ from those it had. */
  setSettingsOf(uri: string, value: ServerSettings): boolean {
    const before = JSON.stringify(this.settingsOf(uri));
    this.byDocument.set(uri, keyed(value));
    return JSON.stringify(value) !== before;
  }

  /** Records the daemon's engine (null: none answered); true when that changes what analyses model. */
  setDaemonEngine(engine: EngineModel | null): boolean {
    if (JSON.stringify(engine) === JSON.stringify(this.daemonEngine)) return false;
    this.daemonEngine = engine;
    this.cache.clear();
    return true;
  }

  /** The engine `uri`'s analyses model: its `dockerfileLayers.engineVersion`, else the daemon's, else the default. */
  engineOf(uri: string): EngineModel {
    const explicit = this.settingsOf(uri).engineVersion;
    return explicit !== null ? { version: explicit, source: 'setting' } : this.daemonEngine ?? DEFAULT_ENGINE;
  }

  /** The analysis options of `uri`: its settings, the modelled engine and the recorded build to predict from. */
  optionsOf(uri: string): AnalysisOptions {
    const cache = this.caches.get(uri);
    const bases = this.bases.get(uri);
    const sizes = bases === undefined && this.catalog === undefined ? {} : { sizes: { ...(bases ? { bases } : {}), catalog: this.catalog ?? null } };
    return { ...this.settingsOf(uri).analysis, engine: this.engineOf(uri), ...(cache ? { cache } : {}), ...sizes };
  }

  /** Sets what `uri`'s FROM images were found to be; true when that changes its analyses. */
  setBases(uri: string, bases: Record<string, BaseImageFacts>): boolean {
    if (JSON.stringify(bases) === JSON.stringify(this.bases.get(uri))) return false;
    this.bases.set(uri, bases);
    this.cache.delete(uri);
    return true;
  }

  /** What `uri`'s FROM images were found to be, as last set. */
  basesOf(uri: string): Record<string, BaseImageFacts> | undefined {
    return this.bases.get(uri);
  }

  /** Sets the package catalog every analysis estimates RUN steps with (once, when loaded). */
  setCatalog(catalog: PackageCatalog | null): void {
    this.catalog = catalog;
    this.cache.clear();
  }

  /** Sets what `uri`'s cache prediction compares with (a loaded baseline, or why none); its analyses use it from now on. */
  setCache(uri: string, cache: NonNullable<AnalysisOptions['cache']>): void {
    this.caches.set(uri, cache);
    this.cache.delete(uri);
  }

  /** What `uri`'s cache prediction compares with, as last set. */
  cacheOf(uri: string): AnalysisOptions['cache'] {
    return this.caches.get(uri);
  }

  /** The analysis of an open document for its settings, or null when it is not open. */
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
    const { key } = this.byDocument.get(uri) ?? this.defaults;
    if (hit && hit.version === doc.version && hit.settingsKey === key && hit.context === context) return hit;
    const measurement = this.measurementOf(uri)?.steps ?? null;
    const run = this.analyze(doc.getText(), this.optionsOf(uri), context === 'pending' ? undefined : context);
    const analyzed = context === 'pending' ? markSizing(run.analysis) : contextFindings(run.analysis, context);
    const analysis = withMeasurement(analyzed, doc.getText(), measurement);
    const cached = { version: doc.version, settingsKey: key, context, analysis, hits: run.hits };
    this.cache.set(uri, cached);
    return cached;
  }

  /** Records what a build of `uri` measured, for its builder and target; its analyses use it from now on. */
  setMeasurement(uri: string, m: StoredMeasurement): void {
    this.measurements.set(measurementKey(uri, m.steps.builder, m.steps.target), m);
    this.cache.delete(uri);
  }

  /** The last build's measurement of `uri` for its builder and target, or null. */
  measurementOf(uri: string): StoredMeasurement | null {
    const a = this.settingsOf(uri).analysis;
    return this.measurements.get(measurementKey(uri, a.builder, a.target ?? null)) ?? null;
  }

  /** Forgets a closed document and its settings. */
  forget(uri: string): void {
    this.cache.delete(uri);
    this.byDocument.delete(uri);
    this.caches.delete(uri);
    this.bases.delete(uri);
  }
}
