/** `dockerfileLayers/layers`: the whole analysis of a document, for the layer explorer. */
import type { Connection } from 'vscode-languageserver';
import type { AnalysisStore } from '../store';
import { LayersRequest } from '../../protocol';

export function registerLayersRequest(connection: Connection, store: AnalysisStore): void {
  connection.onRequest(LayersRequest.type, (params) => {
    const analysis = store.analysisOf(params.textDocument.uri);
    const doc = store.documents.get(params.textDocument.uri);
    const measured = store.measurementOf(params.textDocument.uri)?.image ?? undefined;
    return analysis && doc ? { uri: doc.uri, version: doc.version, analysis, ...(measured ? { measured } : {}) } : null;
  });
}
