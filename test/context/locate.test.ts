/**
 * Which context a Dockerfile gets: the buildContexts setting, compose files, devcontainer.json, its folder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateContext } from '../../server/src/context/locate';

/** Builds a workspace of `files`, then checks the context of `dockerfile` (relative) is `expected` (relative). */
function check(files: Record<string, string>, dockerfile: string, expected: string, settings: Record<string, string> = {}): void {
  const ws = mkdtempSync(join(tmpdir(), 'dl-locate-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(ws, path, '..'), { recursive: true });
      writeFileSync(join(ws, path), text);
    }
    assert.equal(locateContext(join(ws, dockerfile), ws, settings).root, join(ws, expected));
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
}

test('locate: the Dockerfile folder by default', () => check({ 'app/Dockerfile': '' }, 'app/Dockerfile', 'app'));

test('locate: the buildContexts setting wins', () => check(
  { 'docker/api.Dockerfile': '', 'compose.yaml': 'services:\n  api:\n    build:\n      context: .\n      dockerfile: docker/api.Dockerfile\n' },
  'docker/api.Dockerfile', 'src', { 'docker/*.Dockerfile': 'src' },
));

test('locate: compose build.context and build.dockerfile (relative to the context)', () => check(
  { 'deploy/docker-compose.yml': 'services:\n  web:\n    build:\n      context: ..\n      dockerfile: docker/web.Dockerfile\n', 'docker/web.Dockerfile': '' },
  'docker/web.Dockerfile', '.',
));

test('locate: compose build as a string means context with its Dockerfile', () => check(
  { 'compose.yaml': 'services:\n  app:\n    build: ./app\n', 'app/Dockerfile': '' },
  'app/Dockerfile', 'app',
));

test('locate: compose files that do not name this Dockerfile are ignored; broken YAML too', () => check(
  { 'compose.yaml': 'services:\n  other:\n    build: ./other\n', 'docker-compose.override.yml': 'services: [: broken', 'app/Dockerfile': '' },
  'app/Dockerfile', 'app',
));

test('locate: devcontainer.json (JSONC) build.context relative to its folder', () => check(
  { '.devcontainer/devcontainer.json': '{\n  // comment\n  "build": { "dockerfile": "Dockerfile", "context": "..", },\n}\n', '.devcontainer/Dockerfile': '' },
  '.devcontainer/Dockerfile', '.',
));
