import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diveMeasures, type DiveEntry } from '../../server/src/core/wasted';

/** Compact layers: `path: bytes` files, `dir/` folders, `-path` whiteouts, `path/.opq` opaque folders. */
function layer(spec: Record<string, number>): DiveEntry[] {
  return Object.entries(spec).map(([key, bytes]): DiveEntry => {
    if (key.startsWith('-')) return { path: key.slice(1), kind: 'whiteout', bytes: 0 };
    if (key.endsWith('/.opq')) return { path: key.slice(0, -5), kind: 'opaque', bytes: 0 };
    if (key.endsWith('/')) return { path: key.slice(0, -1), kind: 'dir', bytes };
    return { path: key, kind: 'file', bytes };
  });
}

interface Expected {
  efficiency: number;
  wastedBytes: number;
  userWastedPercent: number | null;
  perLayer: number[];
}

function check(layers: Array<Record<string, number>>, want: Expected): void {
  const m = diveMeasures(layers.map(layer));
  assert.deepEqual({ efficiency: m.efficiency, wastedBytes: m.wastedBytes, userWastedPercent: m.userWastedPercent, perLayer: m.perLayer.map((w) => w.bytes) }, want);
}

const BASE = { '/bin/': 0, '/bin/sh': 100 };

test('no waste: efficiency 1, nothing wasted', () => {
  check([BASE, { '/app/': 0, '/app/a': 10 }], { efficiency: 1, wastedBytes: 0, userWastedPercent: 0, perLayer: [0, 0] });
  check([], { efficiency: 1, wastedBytes: 0, userWastedPercent: null, perLayer: [] });
});

test('a file deleted later: its whiteout counts 0, both visits are wasted bytes', () => {
  // Paths /app/a: cumulative 10 + 0, min 0; /bin/sh 100/100. Layer sizes after the first: 10 + 0.
  check([BASE, { '/app/': 0, '/app/a': 10 }, { '/app/': 0, '-/app/a': 0 }],
    { efficiency: 100 / 110, wastedBytes: 10, userWastedPercent: 1, perLayer: [0, 10, 0] });
});

test('a file overwritten: both copies are wasted bytes (dive counts the survivor), the first copy is the layer waste', () => {
  check([BASE, { '/x': 10 }, { '/x': 30 }], { efficiency: 110 / 140, wastedBytes: 40, userWastedPercent: 1, perLayer: [0, 10, 0] });
});

test('a file in three layers: cumulative of all three, min the smallest; each layer wastes its own copy', () => {
  check([BASE, { '/x': 10 }, { '/x': 5 }, { '/x': 20 }], { efficiency: 105 / 135, wastedBytes: 35, userWastedPercent: 1, perLayer: [0, 10, 5, 0] });
});

test('a folder deleted later: dive sums it into the whiteout, visits each path once, so wastes nothing; the layer waste counts it', () => {
  check([BASE, { '/d/': 0, '/d/a': 10, '/d/b': 20 }, { '-/d': 0 }],
    { efficiency: 1, wastedBytes: 0, userWastedPercent: 0, perLayer: [0, 30, 0] });
  // A folder left empty in one layer is a leaf there: with its whiteout later, the path is visited twice.
  check([BASE, { '/e/': 0 }, { '/e/': 0, '/e/a': 7 }, { '-/e': 0 }],
    { efficiency: 107 / 114, wastedBytes: 7, userWastedPercent: 1, perLayer: [0, 0, 7, 0] });
});

test('an opaque folder: dive ignores the marker (no visit, nothing hidden); the layer waste counts what it hides', () => {
  check([BASE, { '/d/': 0, '/d/a': 10 }, { '/d/': 0, '/d/.opq': 0, '/d/b': 4 }],
    { efficiency: 1, wastedBytes: 0, userWastedPercent: 0, perLayer: [0, 10, 0] });
  // What the opaque folder hid still counts in a later whiteout of the folder, as dive's stacked tree keeps it.
  check([BASE, { '/d/': 0, '/d/a': 10 }, { '/d/': 0, '/d/.opq': 0, '/d/b': 4 }, { '/d/': 0 }, { '-/d': 0 }],
    { efficiency: 114 / 128, wastedBytes: 14, userWastedPercent: 1, perLayer: [0, 10, 4, 0, 0] });
});

test('a file replaced by a folder, and a folder by a file, hide what was there', () => {
  check([BASE, { '/x': 10 }, { '/x/': 0, '/x/y': 3 }], { efficiency: 1, wastedBytes: 0, userWastedPercent: 0, perLayer: [0, 10, 0] });
  check([BASE, { '/d/': 0, '/d/a': 10 }, { '/d': 2 }], { efficiency: 1, wastedBytes: 0, userWastedPercent: 0, perLayer: [0, 10, 0] });
});

test('the layer waste says which later layers hide which bytes, and the largest paths', () => {
  const m = diveMeasures([layer(BASE), layer({ '/a': 1, '/b': 50, '/c': 9, '/d': 4 }), layer({ '-/b': 0 }), layer({ '/c': 1, '/d': 1, '/a': 0 })]);
  assert.deepEqual(m.perLayer[1], { bytes: 64, count: 4, by: [{ layer: 2, bytes: 50 }, { layer: 3, bytes: 14 }], largest: [{ path: '/b', bytes: 50 }, { path: '/c', bytes: 9 }, { path: '/d', bytes: 4 }] });
  // A base layer's file removed later is waste of the base layer.
  assert.equal(diveMeasures([layer(BASE), layer({ '-/bin/sh': 0 })]).perLayer[0].bytes, 100);
});
