/**
 * `node dist/tape-model/compare.js --seeds 1,2,3`: the baselines of issue 11
 * (ENDIT rules, today's endit) and the new policy on seeded recall traces
 * and an LTO-9 model.
 */
import { COMPARE_USAGE, CompareArgsError, parseCompareArgs, runComparison } from './compare-report.js';

function main(argv: readonly string[]): number {
  try {
    const options = parseCompareArgs(argv);
    if (options === 'help') {
      process.stdout.write(`${COMPARE_USAGE}\n`);
      return 0;
    }
    process.stdout.write(runComparison(options));
    return 0;
  } catch (error) {
    if (!(error instanceof CompareArgsError)) throw error;
    process.stderr.write(`compare: ${error.message}\n${COMPARE_USAGE}\n`);
    return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
