import { describe, expect, it } from 'vitest';
import { parseProgramArgs } from '../../../src/core/runtime/program-args.js';

describe('parseProgramArgs', () => {
  it.each([
    { argv: [], args: { help: false, version: false, rest: [] } },
    { argv: ['--help'], args: { help: true, version: false, rest: [] } },
    { argv: ['-h'], args: { help: true, version: false, rest: [] } },
    { argv: ['--version'], args: { help: false, version: true, rest: [] } },
    { argv: ['-V'], args: { help: false, version: true, rest: [] } },
    { argv: ['--config', '/etc/endit/pool1.conf'], args: { help: false, version: false, rest: ['--config', '/etc/endit/pool1.conf'] } },
    { argv: ['--config=/x.conf'], args: { help: false, version: false, rest: ['--config', '/x.conf'] } },
  ])('accepts $argv', ({ argv, args }) => {
    expect(parseProgramArgs(argv)).toEqual({ ok: true, args });
  });

  it.each([
    { argv: ['--confg', 'x'], message: "unknown option '--confg'" },
    { argv: ['--config', '/x', '--verbose'], message: "unknown option '--verbose'" },
    { argv: ['-c', '/x'], message: "unknown option '-c'" },
    { argv: ['status'], message: "unexpected argument 'status'" },
    { argv: ['--config'], message: "option '--config' needs a value" },
    { argv: ['--config='], message: "option '--config' needs a path" },
  ])('fault 7: rejects $argv naming the mistake', ({ argv, message }) => {
    expect(parseProgramArgs(argv)).toEqual({ ok: false, message });
  });

  it('takes no --config where a program has no configuration (fake-dsmc)', () => {
    expect(parseProgramArgs(['--config', 'x'], { withConfig: false })).toEqual({ ok: false, message: "unknown option '--config'" });
    expect(parseProgramArgs(['--help'], { withConfig: false })).toMatchObject({ ok: true, args: { help: true } });
  });
});
