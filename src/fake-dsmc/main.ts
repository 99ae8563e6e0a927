// Entry point of bin/fake-dsmc: runs one session and exits with its return code.
import { runFakeDsmc } from './run.js';

export async function main(argv: readonly string[]): Promise<void> {
  let rc: number;
  try {
    rc = await runFakeDsmc(argv, process.env);
  } catch (error) {
    process.stderr.write(`ANS9999E fake-dsmc: ${error instanceof Error ? error.message : String(error)}\n`);
    rc = 12;
  }
  process.exit(rc);
}

await main(process.argv.slice(2));
