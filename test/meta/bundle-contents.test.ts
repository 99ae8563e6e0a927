/**
 * Every daemon start (and every fake dsmc session) parses its whole bundle.
 * `import { z } from 'zod'` pulls in zod's 49 locales and its JSON-schema
 * code through the namespace object, 0.58 MB of each bundle and about 65 ms
 * of CPU at each start; `import * as z` lets esbuild keep only what is used.
 * Needs the build (npm test runs it first).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const BUNDLE = path.resolve(import.meta.dirname, '../../dist/bundle');

describe('the bundles carry only the zod they use', () => {
  it.each(['endit-archiver', 'endit-retriever', 'endit-deleter', 'fake-dsmc'])('%s: no zod locale but English, no JSON-schema conversion from JSON', (name) => {
    const text = fs.readFileSync(path.join(BUNDLE, `${name}.js`), 'utf8');
    const locales = new Set(text.match(/node_modules\/zod\/v4\/locales\/[a-zA-Z-]+\.js/g) ?? []);
    expect([...locales].filter((file) => !file.endsWith('/en.js'))).toEqual([]);
    expect(text).not.toContain('zod/v4/classic/from-json-schema.js');
    // The check looks at the right thing: esbuild names each bundled module in a comment.
    expect(text).toContain('node_modules/zod/v4/core/schemas.js');
  });
});
