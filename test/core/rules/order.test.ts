import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkFindings, checkFix } from './check';
import { installManifests } from '../../../server/src/core/rules/order';

const ORDER = ['copy-before-install'];

test('copy-before-install: the whole context copied right before a dependency install', () => {
  checkFindings(['FROM a', 'WORKDIR /app', 'COPY . .', 'RUN npm ci'], ORDER, [[3, 'copy-before-install']]);
  checkFindings(['FROM a', 'COPY . /app', '# deps', 'RUN pip install -r /app/requirements.txt'], ORDER, []);
  checkFindings(['FROM a', 'COPY ./ /src/', 'RUN go mod download'], ORDER, [[2, 'copy-before-install']]);
  checkFindings(['FROM a', 'COPY package.json .', 'RUN npm ci', 'COPY . .'], ORDER, []);
  checkFindings(['FROM a', 'COPY . .', 'RUN npm ci && npm run build'], ORDER, []);
  checkFindings(['FROM a', 'COPY . .', 'RUN pip install .'], ORDER, []);
  checkFindings(['FROM a', 'COPY --from=b . .', 'RUN npm ci'], ORDER, []);
});

test('order fix: manifests first, install, then the rest', () => {
  checkFix(['FROM a', 'WORKDIR /app', 'COPY --chown=1:1 . .', 'RUN npm ci', 'CMD x'], 'copy-before-install',
    ['FROM a', 'WORKDIR /app', 'COPY --chown=1:1 package.json package-lock.json* npm-shrinkwrap.json* ./', 'RUN npm ci', 'COPY --chown=1:1 . .', 'CMD x']);
  checkFix(['FROM a', 'COPY . /app', 'RUN pip install --no-cache-dir -r requirements.txt \\', '    -r requirements-dev.txt'], 'copy-before-install',
    ['FROM a', 'COPY requirements.txt requirements-dev.txt /app/', 'RUN pip install --no-cache-dir -r requirements.txt \\', '    -r requirements-dev.txt', 'COPY . /app']);
});

test('installManifests: which files each installer reads', () => {
  const rows: Array<[string[], string[] | null]> = [
    [['npm', 'install'], ['package.json', 'package-lock.json*', 'npm-shrinkwrap.json*']],
    [['npm', 'install', 'left-pad'], null],
    [['yarn'], ['package.json', 'yarn.lock*']],
    [['pip', 'install', '-r', 'requirements.txt'], ['requirements.txt']],
    [['pip', 'install', '-r', 'deps/r.txt'], null],
    [['go', 'mod', 'download'], ['go.mod', 'go.sum*']],
    [['cargo', 'fetch'], ['Cargo.toml', 'Cargo.lock*']],
    [['bundle', 'install'], ['Gemfile', 'Gemfile.lock*']],
    [['composer', 'install', '--no-autoloader'], ['composer.json', 'composer.lock*']],
    [['dotnet', 'restore'], ['*.csproj']],
    [['make'], null],
  ];
  for (const [words, manifests] of rows) assert.deepEqual(installManifests(words)?.manifests ?? null, manifests, words.join(' '));
});
