import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/** CONVENTIONS: shells stay thin; no function in src/ over about 60 lines. */
const MAX_FUNCTION_LINES = 60;

/**
 * Functions still over the limit, to be split; the list only shrinks. The
 * test fails if one of them grows under the limit and stays listed, too.
 */
const KNOWN_OVER: ReadonlySet<string> = new Set<string>([]);

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

function longFunctions(file: string): Array<{ id: string; lines: number }> {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: Array<{ id: string; lines: number }> = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const last = source.getLineAndCharacterOfPosition(node.end).line;
      const name = node.name?.getText(source) ?? '(anonymous)';
      if (last - first + 1 > MAX_FUNCTION_LINES) found.push({ id: `${path.relative(process.cwd(), file)}:${name}`, lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('function size in src/', () => {
  const over = sourceFiles('src').flatMap(longFunctions);

  it(`has no new function over ${MAX_FUNCTION_LINES} lines`, () => {
    expect(over.filter((f) => !KNOWN_OVER.has(f.id))).toEqual([]);
  });

  it('lists no function as over the limit that is not', () => {
    const ids = new Set(over.map((f) => f.id));
    expect([...KNOWN_OVER].filter((id) => !ids.has(id))).toEqual([]);
  });
});
