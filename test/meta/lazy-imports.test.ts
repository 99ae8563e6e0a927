/**
 * What a daemon loads at start is what every pool pays in memory and CPU:
 * the ZooKeeper client (14 MiB, 0.13 s) is loaded only when
 * coordination_zookeeper is set, through a dynamic import. This walks the
 * static imports of each daemon's entry point and fails if one reaches it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../src');
const STATIC_IMPORT = /^(?:import|export)\s+(?!type\b)[^'"]*?from\s+'([^']+)'/gm;

/** Modules reached from `entry` by static imports (not `import type`, not `import()`): local files and package names. */
function staticClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!file.startsWith(SRC)) continue;
    const text = fs.readFileSync(file, 'utf8');
    for (const match of text.matchAll(STATIC_IMPORT)) {
      const spec = match[1] as string;
      todo.push(spec.startsWith('.') ? path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts') : spec);
    }
  }
  return seen;
}

describe('daemons load the ZooKeeper client only when coordination is configured', () => {
  it.each(['archiver', 'retriever', 'deleter'])('%s: no static import path from main.ts to node-zookeeper-client', (daemon) => {
    const closure = staticClosure(path.join(SRC, daemon, 'main.ts'));
    // The walk itself works: it reaches the shared runtime and the coordination interface.
    expect(closure.has(path.join(SRC, 'core/runtime/run-daemon.ts'))).toBe(true);
    expect(closure.has(path.join(SRC, 'core/coordination/start-coordinator.ts'))).toBe(true);
    expect(closure.has('node-zookeeper-client')).toBe(false);
    expect(closure.has(path.join(SRC, 'core/coordination/zookeeper-coordinator.ts'))).toBe(false);
  });

  it('the walk sees a static import of the client (the coordinator module itself)', () => {
    expect(staticClosure(path.join(SRC, 'core/coordination/zookeeper-coordinator.ts')).has('node-zookeeper-client')).toBe(true);
  });
});
