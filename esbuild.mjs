// Bundles the extension client, the language server and the CLI. Type checking is `tsc -b`, separately.
import * as esbuild from 'esbuild';
import { cpSync, readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const production = process.argv.includes('--production');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  // Always minified: a smaller bundle loads faster, and activation has a 300 ms budget.
  minify: true,
  logLevel: 'warning',
  // Prefer ES modules: jsonc-parser's UMD build requires its files dynamically, which a bundle cannot resolve.
  mainFields: ['module', 'main'],
  define: { PACKAGE_VERSION: JSON.stringify(pkg.version) },
};

// dockerode's ssh2 dependency tries optional native addons (`*.node`) inside try/catch and falls back to
// JavaScript; they cannot be bundled, so they stay external and the fallback is what runs.
const nativeAddons = ['*.node'];

// dockerode (with ssh2) is half of the server's code but only needed once the daemon is asked something:
// it goes into its own bundle that the server and the CLI require on first use, so start-up stays quick.
const lazyDockerode = {
  name: 'lazy-dockerode',
  setup(build) {
    build.onResolve({ filter: /^dockerode$/ }, () => ({ path: './vendor/dockerode.js', external: true }));
  },
};

await Promise.all([
  esbuild.build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] }),
  esbuild.build({ ...common, entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js', external: nativeAddons, plugins: [lazyDockerode] }),
  esbuild.build({ ...common, entryPoints: ['server/src/cli.ts'], outfile: 'dist/cli.js', external: nativeAddons, plugins: [lazyDockerode] }),
  esbuild.build({ ...common, entryPoints: ['node_modules/dockerode/lib/docker.js'], outfile: 'dist/vendor/dockerode.js', external: nativeAddons }),
  // The build-context worker thread; the server starts it from dist/contextWorker.js.
  esbuild.build({ ...common, entryPoints: ['server/src/context/worker.ts'], outfile: 'dist/contextWorker.js' }),
]);
// The Debian package catalog (built by `npm run catalog`) ships beside the bundles that read it.
cpSync(new URL('./catalog', import.meta.url), new URL('./dist/catalog', import.meta.url), { recursive: true });
