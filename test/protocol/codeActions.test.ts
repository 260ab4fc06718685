/**
 * Code actions from the built server over stdio: diagnostics carry codes, a code action request for a range
 * returns quick fixes with workspace edits, fix-all and source.fixAll cover the file, and the severity
 * setting reaches the diagnostics. Each Dockerfile is checked with `\n` and `\r\n`.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits } from '../../server/src/core/fixes/edits';
import { EOLS, dockerfile } from '../helpers';
import { closeDocument, codeActions, editsOf, openDocument, startFixClient, stopFixClient, type FixClient } from './fixClient';

const FILE = [
  'FROM debian',
  'RUN apt-get update',
  '# then install',
  'RUN apt-get install -y --no-install-recommends jq',
  'RUN cd /tmp && touch a',
  'RUN echo done',
  'WORKDIR /app',
  'COPY . .',
  'RUN pip install --no-cache-dir -r requirements.txt',
];

describe('code actions over LSP', () => {
  let client: FixClient;
  before(async () => (client = await startFixClient({ diagnostics: { severity: { 'apt-install-recommends': 'off', 'copy-before-install': 'error' } } })));
  after(async () => stopFixClient(client));

  for (const { name, eol } of EOLS) {
    it(`${name}: diagnostics have codes and severities from the settings`, async () => {
      const uri = `file:///tmp/${name}/codes/Dockerfile`;
      const diagnostics = await openDocument(client, uri, dockerfile(FILE, eol));
      const codes = diagnostics.map((d) => `${d.range.start.line + 1}:${String(d.code)}:${d.severity}`);
      assert.deepEqual(codes, ['2:apt-lists-left:2', '4:merge-runs:3', '5:merge-runs:3', '6:merge-runs:3', '8:copy-before-install:1']);
      await closeDocument(client, uri);
    });

    it(`${name}: a range gets its quick fix and a workspace edit that merges the RUN steps`, async () => {
      const uri = `file:///tmp/${name}/merge/Dockerfile`;
      const text = dockerfile(FILE, eol);
      await openDocument(client, uri, text);
      const actions = await codeActions(client, uri, { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } });
      const merge = actions.find((a) => a.kind === 'quickfix' && a.title.startsWith('Merge 4 RUN steps'));
      assert.ok(merge, `merge action among ${actions.map((a) => a.title).join(' | ')}`);
      assert.equal(merge.isPreferred, true);
      assert.deepEqual(merge.diagnostics?.map((d) => d.code), ['merge-runs', 'merge-runs', 'merge-runs']);
      assert.equal(applyEdits(text, editsOf(merge, uri)), dockerfile([
        'FROM debian', '# then install', 'RUN apt-get update && \\', '    apt-get install -y --no-install-recommends jq && \\',
        '    (cd /tmp && touch a) && \\', '    echo done', 'WORKDIR /app', 'COPY . .', 'RUN pip install --no-cache-dir -r requirements.txt',
      ], eol));
      const none = await codeActions(client, uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 3 } });
      assert.deepEqual(none, [], 'no action on the FROM line');
      await closeDocument(client, uri);
    });

    it(`${name}: fix-all of a kind, and source.fixAll for the whole file`, async () => {
      const uri = `file:///tmp/${name}/all/Dockerfile`;
      const lines = ['FROM a', 'RUN pip install x', 'RUN ls', 'COPY x /x', 'RUN pip install y', 'COPY y /y', 'RUN pip3 install z'];
      const text = dockerfile(lines, eol);
      await openDocument(client, uri, text);
      const actions = await codeActions(client, uri, { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } });
      const all = actions.find((a) => a.title.startsWith('Fix all pip-cache problems'));
      assert.ok(all, `fix-all among ${actions.map((a) => a.title).join(' | ')}`);
      assert.equal(all.kind, 'quickfix.dockerfileLayers.fixAll');
      assert.equal(all.diagnostics?.length, 3);
      const fixed = applyEdits(text, editsOf(all, uri));
      assert.equal(fixed.split('--no-cache-dir').length - 1, 3, fixed);
      const source = await codeActions(client, uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, ['source.fixAll']);
      assert.equal(source.length, 1);
      assert.equal(source[0].kind, 'source.fixAll.dockerfileLayers');
      const everything = applyEdits(text, editsOf(source[0], uri));
      assert.equal(everything, dockerfile(['FROM a', 'RUN pip install --no-cache-dir x && \\', '    ls', 'COPY x /x', 'RUN pip install --no-cache-dir y', 'COPY y /y', 'RUN pip3 install --no-cache-dir z'], eol));
      await closeDocument(client, uri);
    });
  }
});
