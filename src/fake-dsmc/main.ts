// Entry point of bin/fake-dsmc: runs one session and exits with its return code.
import { packageVersion, readProgramArgs } from '../core/runtime/index.js';
import { errorMessage } from '../core/errors.js';
import { runFakeDsmc } from './run.js';

const PROGRAM = 'fake-dsmc';

const FAKE_DSMC_HELP = `Usage: ${PROGRAM} archive -filelist=LIST [-deletefiles] [-description=TEXT] [-opt=value ...]
       ${PROGRAM} retrieve -filelist=LIST DESTDIR/ [-replace=no|yes|all|prompt] [-opt=value ...]
       ${PROGRAM} delete archive -filelist=LIST [-opt=value ...]
       ${PROGRAM} query archive PATTERN [-filesonly] [-detail] [-opt=value ...]
       ${PROGRAM} --help | --version

A scriptable stand-in for IBM Storage Protect's dsmc, for tests and the demo.
It takes dsmc's own argument syntax (abbreviated commands, -opt=value
options; unknown dsmc options are ignored) and keeps a tape library in a
directory: objects with a volume and a tape position.

Environment:
  FAKE_DSMC_LIBRARY    the library directory (required; without it every
                       command fails as a client without a server would)
  FAKE_DSMC_SCENARIO   a JSON file of misbehaviour, re-read at each call:
                       mount delay, speed, volume size, failing ids, rules
                       (fail, hang, crash, prompt, partial, succeed), and a
                       tape library with drives for retrieve (library)
  FAKE_DSMC_JOURNAL    where to append the journal (default <library>/journal.jsonl)

Return codes as dsmc: 0 ok, 4 some files skipped, 8 warnings, 12 errors.
`;

export async function main(argv: readonly string[]): Promise<void> {
  // dsmc's own syntax never starts with `--`: such a command line is this program's options.
  if (argv[0]?.startsWith('--') === true) {
    const args = readProgramArgs(PROGRAM, argv, { withConfig: false });
    process.stdout.write(args.version ? `${PROGRAM} ${packageVersion()}\n` : FAKE_DSMC_HELP);
    process.exit(0);
  }
  let rc: number;
  try {
    rc = await runFakeDsmc(argv, process.env);
  } catch (error) {
    process.stderr.write(`ANS9999E fake-dsmc: ${errorMessage(error)}\n`);
    rc = 12;
  }
  process.exit(rc);
}

await main(process.argv.slice(2));
