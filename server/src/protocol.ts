/**
 * Custom messages between the client and the language server, declared once and imported by both.
 */
import { RequestType } from 'vscode-languageserver-protocol';
import type { Analysis } from './core/types';

export interface LayersParams {
  textDocument: { uri: string };
}

/** The whole analysis of one open document, for the version the server analyzed. */
export interface LayersResult {
  uri: string;
  version: number;
  analysis: Analysis;
}

/** `dockerfileLayers/layers`: the analysis of a document (null when the server does not have it open). */
export namespace LayersRequest {
  export const method = 'dockerfileLayers/layers';
  export const type = new RequestType<LayersParams, LayersResult | null, void>(method);
}
