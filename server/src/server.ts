/**
 * Language server entry point: stdio or IPC connection, wiring only.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './lsp/service';

const connection = createConnection(ProposedFeatures.all);
startServer(connection);
connection.listen();
