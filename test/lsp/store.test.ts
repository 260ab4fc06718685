/**
 * The store runs the analysis once per document version, settings and context: the analysis and the rule hits
 * (code actions) of a version come from the same run. Documents arrive through a fake connection.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeDocument } from '../../server/src/core/analyze';
import { fixableHits } from '../../server/src/core/fixes/actions';
import { AnalysisStore } from '../../server/src/lsp/store';
import { toSettings } from '../../server/src/lsp/settings';
import { EOLS, dockerfile } from '../helpers';

type Handler = (params: unknown) => void;

/** A store whose analyses are counted, with `open` and `change` sending full texts as an editor would. */
function countingStore(): { store: AnalysisStore; runs: () => number; open(uri: string, text: string): void; change(uri: string, text: string): void } {
  let runs = 0;
  const store = new AnalysisStore((...args) => (runs++, analyzeDocument(...args)));
  const handlers = new Map<string, Handler>();
  const on = (name: string) => (h: Handler) => (handlers.set(name, h), { dispose: () => undefined });
  const connection = {
    onDidOpenTextDocument: on('open'), onDidChangeTextDocument: on('change'), onDidCloseTextDocument: on('close'),
    onWillSaveTextDocument: on('willSave'), onWillSaveTextDocumentWaitUntil: on('willSaveWaitUntil'), onDidSaveTextDocument: on('save'),
  } as unknown as Parameters<AnalysisStore['documents']['listen']>[0];
  store.documents.listen(connection);
  const versions = new Map<string, number>();
  return {
    store,
    runs: () => runs,
    open: (uri, text) => handlers.get('open')?.({ textDocument: { uri, languageId: 'dockerfile', version: versions.set(uri, 1).get(uri), text } }),
    change: (uri, text) => handlers.get('change')?.({ textDocument: { uri, version: versions.set(uri, (versions.get(uri) ?? 0) + 1).get(uri) }, contentChanges: [{ text }] }),
  };
}

const URI = 'file:///w/Dockerfile';
const TWO_RUNS = ['FROM alpine', 'RUN apk add --no-cache curl', 'RUN echo done'];

/** Asks for the analysis and the hits of `uri` twice each, in the given order; checks that it took `runs` analyses. */
function check(s: ReturnType<typeof countingStore>, order: Array<'analysis' | 'hits'>, runs: number): void {
  for (const ask of [...order, ...order]) void (ask === 'analysis' ? s.store.analysisOf(URI) : s.store.ruleHitsOf(URI));
  assert.equal(s.runs(), runs);
}

for (const { name, eol } of EOLS) {
  test(`one analysis serves a version's analysis and its rule hits (${name})`, () => {
    const s = countingStore();
    const text = dockerfile(TWO_RUNS, eol);
    s.open(URI, text);
    check(s, ['analysis', 'hits'], 1);
    const options = s.store.settingsOf(URI).analysis;
    assert.deepEqual(s.store.ruleHitsOf(URI), fixableHits(text, options));
    assert.deepEqual(s.store.ruleHitsOf(URI).map((h) => h.finding.code), ['merge-runs']);
    assert.deepEqual(s.store.ruleHitsOf(URI).map((h) => h.finding), s.store.analysisOf(URI)?.findings);
    s.change(URI, dockerfile([...TWO_RUNS, 'RUN echo again'], eol));
    check(s, ['hits', 'analysis'], 2);
    s.store.setDefaultSettings(toSettings({ builder: 'legacy' }));
    check(s, ['analysis', 'hits'], 3);
    assert.equal(s.store.setSettingsOf(URI, toSettings({ builder: 'legacy' })), false);
    check(s, ['analysis', 'hits'], 3);
    const context = { root: '/w', entries: new Map(), ignoreFile: null, archives: new Map(), problems: [] };
    s.store.contextOf = () => context;
    check(s, ['hits', 'analysis'], 4);
  });
}

test('a document that is not open has no analysis and no hits, and is not analyzed', () => {
  const s = countingStore();
  assert.equal(s.store.analysisOf(URI), null);
  assert.deepEqual(s.store.ruleHitsOf(URI), []);
  assert.equal(s.runs(), 0);
});

test('each document has its own settings once set, the defaults until then and after it closes', () => {
  const s = countingStore();
  const other = 'file:///v/Dockerfile';
  s.open(URI, 'FROM alpine\nRUN true\n');
  s.open(other, 'FROM alpine\nRUN true\n');
  assert.equal(s.store.setSettingsOf(other, toSettings({ builder: 'legacy', target: 'x' })), true);
  assert.equal(s.store.setSettingsOf(other, toSettings({ builder: 'legacy', target: 'x' })), false);
  assert.deepEqual([s.store.analysisOf(URI)?.builder, s.store.analysisOf(other)?.builder], ['buildkit', 'legacy']);
  assert.equal(s.store.settingsOf(other).analysis.target, 'x');
  s.store.forget(other);
  assert.deepEqual(s.store.settingsOf(other), s.store.settingsOf(URI));
});
