import { afterEach, vi } from 'vitest';

/**
 * A test run fails on unexpected console output: the product logs through its
 * own logger, so a console.warn/error from our code is a bug or an unhandled case.
 */
const unexpected: string[] = [];
for (const method of ['warn', 'error', 'log'] as const) {
  vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
    unexpected.push(`console.${method}: ${args.map(String).join(' ')}`);
  });
}

afterEach(() => {
  if (unexpected.length > 0) {
    const found = unexpected.splice(0);
    throw new Error(`unexpected console output:\n${found.join('\n')}`);
  }
});
