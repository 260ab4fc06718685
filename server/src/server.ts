/**
 * Language server entry point: stdio or IPC connection, wiring only.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './lsp/service';
import { installNativeSha256 } from './nativeSha256';

installNativeSha256();
const connection = createConnection(ProposedFeatures.all);
startServer(connection);
connection.listen();
