import { describe, expect, it } from 'vitest';
import { archiveArgs, deleteArgs, formatDescriptionTime, queryArgs, retrieveArgs, wrapperArgs } from '../../../src/core/dsmc/index.js';

const opts = { dsmcopts: ['-asnode=NODE', '-errorlogname=/var/log/dsmerror.log'], displayopts: ['-dateformat=3', '-timeformat=1', '-numberformat=1'] };

describe('dsmc invocations (SPEC 4)', () => {
  it('archive has no display options', () => {
    expect(archiveArgs(opts, 'ENDIT-x', '/p/requestlists/tsm-archive-files.abcdef')).toEqual([
      'archive', '-deletefiles', '-asnode=NODE', '-errorlogname=/var/log/dsmerror.log', '-description=ENDIT-x', '-filelist=/p/requestlists/tsm-archive-files.abcdef',
    ]);
  });

  it('retrieve, delete and query', () => {
    expect(retrieveArgs(opts, '/l', '/p/in')).toEqual(['retrieve', '-replace=no', '-followsymbolic=yes', ...opts.displayopts, ...opts.dsmcopts, '-filelist=/l', '/p/in/']);
    expect(deleteArgs(opts, '/l')).toEqual(['delete', 'archive', '-noprompt', ...opts.displayopts, ...opts.dsmcopts, '-filelist=/l']);
    expect(queryArgs(opts, '/p/out')).toEqual(['query', 'archive', '-filesonly', '-detail', ...opts.displayopts, ...opts.dsmcopts, '/p/out/*']);
  });

  it('passes arguments to the CPU-limit wrapper as positional parameters, never in the script', () => {
    const args = wrapperArgs('/usr/bin/dsmc', ['archive', "-description=a'; rm -rf /"], 600);
    expect(args[0]).toBe('-c');
    expect(args[1]).not.toContain('rm');
    expect(args.slice(3)).toEqual(['600', '/usr/bin/dsmc', 'archive', "-description=a'; rm -rf /"]);
  });

  it('formats the description time like strftime %Y-%m-%dT%H:%M:%S%z', () => {
    expect(formatDescriptionTime(Date.UTC(2024, 0, 2, 3, 4, 5))).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}$/);
  });
});
