/**
 * Custom messages between the client and the language server, declared once and imported by both.
 */
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import type { Analysis } from './core/types';

export interface LayersParams {
  textDocument: { uri: string };
}

/** The whole analysis of one open document, for the version the server analyzed. */
export interface LayersResult {
  uri: string;
  version: number;
  analysis: Analysis;
  /** What the last build of this Dockerfile measured (same builder), if any. */
  measured?: MeasuredImage;
}

/** `dockerfileLayers/layers`: the analysis of a document (null when the server does not have it open). */
export namespace LayersRequest {
  export const method = 'dockerfileLayers/layers';
  export const type = new RequestType<LayersParams, LayersResult | null, void>(method);
}

/** One layer of a built image, as `docker history` and the image's layer tarball tell it. */
export interface MeasuredLayer {
  /** 0-based Dockerfile line of the step that made it, or null for base-image layers (and layers no step matched). */
  line: number | null;
  createdBy: string;
  /** Uncompressed bytes, as `docker history` reports them. */
  bytes: number;
  /** The largest files this layer adds, biggest first (path inside the image, bytes). */
  largestFiles: Array<{ path: string; bytes: number }>;
}

/** What the last build of a Dockerfile measured, for the explorer. */
export interface MeasuredImage {
  imageId: string;
  builder: 'buildkit' | 'legacy';
  target: string | null;
  /** When the build finished, ms since the epoch. */
  finishedAt: number;
  /** Layers of the base image (shared with other images built on it), oldest first. */
  baseLayers: MeasuredLayer[];
  /** Layers the Dockerfile's steps made, oldest first. */
  layers: MeasuredLayer[];
  /** Steps the builder took from its cache, as 0-based Dockerfile lines. */
  cachedLines: number[];
}

export interface BuildParams {
  textDocument: { uri: string };
}

/** The outcome of a build; `message` is one readable sentence (why it failed, or what it made). */
export interface BuildResult {
  ok: boolean;
  imageId: string | null;
  message: string;
  durationMs: number;
}

/** `dockerfileLayers/build`: builds the document's image with the configured builder; cancellable. */
export namespace BuildRequest {
  export const method = 'dockerfileLayers/build';
  export const type = new RequestType<BuildParams, BuildResult, void>(method);
}

export interface BuildLogParams {
  uri: string;
  /** A chunk of the build's output, as the docker CLI printed it. */
  text: string;
}

/** `dockerfileLayers/buildLog`: build output streamed from the server to the client's output channel. */
export namespace BuildLogNotification {
  export const method = 'dockerfileLayers/buildLog';
  export const type = new NotificationType<BuildLogParams>(method);
}

export interface WorkspaceParams {
  /** URIs of Dockerfiles to summarize (open or not). */
  uris: string[];
}

/** One Dockerfile's summary for the workspace node of the explorer. */
export interface WorkspaceEntry {
  uri: string;
  /** Bytes the Dockerfile's own layers add to its final image (null when unknown). */
  bytes: number | null;
  /** Set when `bytes` is a lower bound (its build context was only partly scanned). */
  lowerBound?: true;
  layers: number;
  /** The final stage's base image reference (null for scratch or a parse failure). */
  base: string | null;
  /** Bytes of the base image (the local daemon's, else its registry's), else null. */
  baseBytes: number | null;
  /** Set when baseBytes are a registry's compressed bytes. */
  baseCompressed?: true;
  /** Why the file could not be summarized (unreadable, too large, not a file), when it could not. */
  error?: string;
}

/** The workspace summary: entries plus the bytes stored once because images share base layers. */
export interface WorkspaceResult {
  entries: WorkspaceEntry[];
  /** Bytes saved by sharing: the sum over shared base layers of (images using it - 1) x size; null when unknown. */
  sharedBytes: number | null;
  /** Why sharedBytes is null, when it is. */
  sharedNote: string | null;
}

/** `dockerfileLayers/workspace`: summaries of several Dockerfiles, read from disk when not open. */
export namespace WorkspaceRequest {
  export const method = 'dockerfileLayers/workspace';
  export const type = new RequestType<WorkspaceParams, WorkspaceResult, void>(method);
}

/** `dockerfileLayers/analysisChanged`: server -> client, an analysis changed without an edit (sizes arrived, a build ended). */
export namespace AnalysisChangedNotification {
  export const method = 'dockerfileLayers/analysisChanged';
  export const type = new NotificationType<{ uri: string | null }>(method);
}

/** `dockerfileLayers/trust`: client -> server, the workspace's trust changed (building needs trust). */
export namespace TrustNotification {
  export const method = 'dockerfileLayers/trust';
  export const type = new NotificationType<{ trusted: boolean }>(method);
}
