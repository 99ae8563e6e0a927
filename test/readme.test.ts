import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEY_TABLE, DEPRECATED_KEYS } from '../src/core/config/index.js';
import { archiverFigures } from '../src/archiver/figures.js';
import { retrieverFigures } from '../src/retriever/figures.js';
import { deleterFigures } from '../src/deleter/figures.js';

const readme = fs.readFileSync(path.resolve(import.meta.dirname, '..', 'README.md'), 'utf8');

describe('README', () => {
  it.each(KEY_TABLE.map((k) => k.name))('documents the configuration key %s', (key) => {
    expect(readme).toContain(`\`${key}\``);
  });

  it.each([...archiverFigures, ...retrieverFigures, ...deleterFigures].map((f) => f.name))('documents the figure %s', (name) => {
    expect(readme).toContain(`\`${name}\``);
  });

  it('names the deprecated keys, the two commands and every signal', () => {
    for (const old of Object.keys(DEPRECATED_KEYS)) expect(readme).toContain(`\`${old}\``);
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm test');
    for (const signal of ['SIGUSR1', 'SIGHUP', 'SIGTERM', 'SIGINT', 'SIGQUIT']) expect(readme).toContain(signal);
  });
});
