import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './cli-io.js';
import { describeArgsError } from '../core/runtime/index.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs, strict, no positionals; its errors become UsageError (exit 2). */
export function parseCommandArgs<const O extends Options>(argv: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(describeArgsError(error));
  }
}

/** As parseCommandArgs, for a command that takes operands (paths) too. */
export function parseCommandLine<const O extends Options>(argv: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError(describeArgsError(error));
  }
}

/** The value of an enum-like option, or UsageError naming the choices. */
export function choiceOption<T extends string>(name: string, value: string | undefined, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  const match = choices.find((choice) => choice === value);
  if (match === undefined) throw new UsageError(`--${name}: expected one of ${choices.join(', ')}, got '${value}'`);
  return match;
}
