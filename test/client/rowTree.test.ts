import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeDockerfile } from '../../server/src/core/analyze';
import { imageRows, type Row } from '../../client/src/explorer/nodes';
import { RowTree, type RowChanges } from '../../client/src/explorer/rowTree';

const URI = 'file:///w/Dockerfile';

function rows(text: string): Row[] {
  return imageRows({ uri: URI, version: 1, analysis: analyzeDockerfile(text, { builder: 'buildkit', buildArgs: {} }) }, { showMetadata: true });
}

/** The ids an update names, or 'all' / 'none'. */
function named(changes: RowChanges): string[] | string {
  return changes.kind === 'rows' ? changes.rows.map((r) => r.id) : changes.kind;
}

const BASE = ['FROM alpine AS build', 'RUN make', 'FROM alpine', 'COPY --from=build /out /out', 'RUN echo one'].join('\n');

test('the first rows redraw all; the same rows again change nothing', () => {
  const tree = new RowTree();
  assert.equal(named(tree.update(rows(BASE))), 'all');
  assert.equal(named(tree.update(rows(BASE))), 'none');
  assert.equal(named(tree.update(rows(`${BASE}\n# a comment`))), 'none');
});

test('a new RUN names the image row and its stage only, and keeps the other objects', () => {
  const tree = new RowTree();
  tree.update(rows(BASE));
  const [, build, final] = tree.roots;
  const firstStep = final.children[0];
  const changes = tree.update(rows(`${BASE}\nRUN echo two`));
  assert.deepEqual(named(changes), [`${URI}#image`, `${URI}#stage1`]);
  assert.equal(tree.roots[1], build, 'an unchanged stage keeps its object');
  assert.equal(tree.roots[2], final, 'a changed stage keeps its object, updated in place');
  assert.equal(final.children[0], firstStep);
  assert.deepEqual(final.children.map((r) => r.label), ['FROM alpine', 'COPY --from=build /out /out', 'RUN echo one', 'RUN echo two']);
  assert.match(tree.roots[0].description, /^3 layers/);
});

test('a changed step names that step; rows inside a named row are not named again', () => {
  const tree = new RowTree();
  tree.update(rows(BASE));
  assert.deepEqual(named(tree.update(rows(BASE.replace('RUN echo one', 'RUN echo one && echo more')))), [`${URI}#stage1#line4`]);
  // A new stage changes the top-level list: everything is redrawn.
  assert.equal(named(tree.update(rows(`${BASE}\nFROM alpine AS extra\nRUN x`))), 'all');
});

test('a step that moves to another stage is a new row there', () => {
  const tree = new RowTree();
  tree.update(rows(['FROM alpine', 'RUN a', 'FROM alpine AS two', 'RUN b', 'RUN c'].join('\n')));
  const moved = rows(['FROM alpine', 'RUN a', 'FROM alpine AS two', 'RUN b', 'FROM alpine AS three', 'RUN c'].join('\n'));
  assert.equal(named(tree.update(moved)), 'all');
  const ids = tree.roots.flatMap((r) => [r.id, ...r.children.map((c) => c.id)]);
  assert.equal(new Set(ids).size, ids.length);
});
