// Bundles each long-running daemon (and the listing and stat workers) into
// one file under dist/bundle/, which bin/endit-<daemon> runs. Loading the
// ~300 files of a daemon's module graph one by one (execa and zod alone are
// hundreds) cost 0.4 s of CPU at every start; one tree-shaken file costs
// about 0.1 s (measured on the deleter, BENCHMARKS.md). The fake dsmc is
// bundled too; the CLI and tapehints keep running from dist/ as tsc wrote it.
//
// Usage: node packaging/bundle.mjs [DIST]   (DIST: tsc's output, default dist)
import path from 'node:path';
import { build } from 'esbuild';

const dist = process.argv[2] ?? 'dist';
const ENTRIES = {
  'endit-archiver': 'archiver/main.js',
  'endit-retriever': 'retriever/main.js',
  'endit-deleter': 'deleter/main.js',
  // Beside the retriever's bundle: it starts it as new URL('./list-worker.js', import.meta.url).
  'list-worker': 'retriever/list-worker.js',
  // Beside the archiver's bundle: DirIndex starts it as new URL('./stat-worker.js', import.meta.url) (parallel-stat.ts).
  'stat-worker': 'core/pool/stat-worker.js',
  // Started for every session: its start-up is part of each gap between two sessions.
  'fake-dsmc': 'fake-dsmc/main.js',
};

await build({
  entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, file]) => [name, path.join(dist, file)])),
  outdir: path.join(dist, 'bundle'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // CommonJS dependencies (prom-client, the ZooKeeper client) require Node's modules.
  banner: { js: "import { createRequire as __enditCreateRequire } from 'node:module'; const require = __enditCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
