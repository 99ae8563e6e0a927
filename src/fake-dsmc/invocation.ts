// Parses dsmc's argument vector for the four invocations the daemons use. Pure.
import type { DisplayOptions } from './format-date.js';
import { isSafeAbsolutePath } from './file-list.js';

export type ReplaceMode = 'no' | 'yes' | 'all' | 'prompt';

interface CommonInvocation {
  display: DisplayOptions;
  asNode?: string;
}

export interface ArchiveInvocation extends CommonInvocation {
  command: 'archive';
  listFile: string;
  deleteFiles: boolean;
  description?: string;
}

export interface RetrieveInvocation extends CommonInvocation {
  command: 'retrieve';
  listFile: string;
  destDir: string;
  replace: ReplaceMode;
}

export interface DeleteInvocation extends CommonInvocation {
  command: 'delete';
  listFile: string;
}

export interface QueryInvocation extends CommonInvocation {
  command: 'query';
  pattern: string;
}

export type Invocation = ArchiveInvocation | RetrieveInvocation | DeleteInvocation | QueryInvocation;

export type InvocationParse = { ok: true; invocation: Invocation } | { ok: false; message: string };

interface SplitArgs {
  words: string[];
  options: Map<string, string | true>;
}

// Aliases dsmc users write; everything else unknown is accepted and ignored, as the
// brief asks (-errorlogname, -servername, ...).
const OPTION_ALIASES: Record<string, string> = {
  desc: 'description',
  asnode: 'asnodename',
  deletef: 'deletefiles',
  followsym: 'followsymbolic',
};

function unquote(text: string): string {
  const first = text[0];
  if (text.length >= 2 && (first === '"' || first === "'") && text.endsWith(first)) return text.slice(1, -1);
  return text;
}

function splitArgs(argv: readonly string[]): SplitArgs {
  const words: string[] = [];
  const options = new Map<string, string | true>();
  for (const arg of argv) {
    if (!arg.startsWith('-') || arg.length === 1) {
      words.push(unquote(arg));
      continue;
    }
    const eq = arg.indexOf('=');
    const rawName = (eq === -1 ? arg.slice(1) : arg.slice(1, eq)).toLowerCase();
    const name = OPTION_ALIASES[rawName] ?? rawName;
    options.set(name, eq === -1 ? true : unquote(arg.slice(eq + 1)));
  }
  return { words, options };
}

/** True when `word` is `full` or an abbreviation of it at least `minLength` long (dsmc style). */
export function isAbbreviation(word: string, full: string, minLength: number): boolean {
  const lower = word.toLowerCase();
  return lower.length >= minLength && full.startsWith(lower);
}

function invalid(value: string): InvocationParse {
  return { ok: false, message: `ANS1107E Invalid option/value: '${value}'` };
}

class ParseError extends Error {}

function intOption(options: Map<string, string | true>, name: string, max: number): number {
  const value = options.get(name);
  if (value === undefined) return 0;
  if (value === true || !/^\d+$/.test(value) || Number(value) > max) throw new ParseError(`-${name}=${String(value)}`);
  return Number(value);
}

function stringOption(options: Map<string, string | true>, name: string): string | undefined {
  const value = options.get(name);
  if (value === true) throw new ParseError(`-${name}`);
  return value;
}

function requiredString(options: Map<string, string | true>, name: string): string {
  const value = stringOption(options, name);
  if (value === undefined || value === '') throw new ParseError(`-${name}`);
  return value;
}

function parseDisplay(options: Map<string, string | true>): DisplayOptions {
  return {
    dateFormat: intOption(options, 'dateformat', 7),
    timeFormat: intOption(options, 'timeformat', 5),
    numberFormat: intOption(options, 'numberformat', 6),
  };
}

function common(options: Map<string, string | true>): CommonInvocation {
  const asNode = stringOption(options, 'asnodename');
  const display = parseDisplay(options);
  return asNode === undefined ? { display } : { display, asNode };
}

function expectWords(words: string[], count: number): void {
  const extra = words[count];
  if (extra !== undefined) throw new ParseError(extra);
}

function parseReplace(options: Map<string, string | true>): ReplaceMode {
  const value = options.get('replace') ?? 'prompt';
  if (value === true) throw new ParseError('-replace');
  const lower = value.toLowerCase();
  if (lower === 'no' || lower === 'yes' || lower === 'all' || lower === 'prompt') return lower;
  throw new ParseError(`-replace=${value}`);
}

function parseArchive({ words, options }: SplitArgs): ArchiveInvocation {
  expectWords(words, 1); // filespecs besides -filelist are not supported by the fake
  const description = stringOption(options, 'description');
  const base: ArchiveInvocation = {
    command: 'archive',
    ...common(options),
    listFile: requiredString(options, 'filelist'),
    deleteFiles: options.has('deletefiles'),
  };
  return description === undefined ? base : { ...base, description };
}

function parseRetrieve({ words, options }: SplitArgs): RetrieveInvocation {
  expectWords(words, 2);
  const destDir = words[1];
  if (destDir === undefined || !isSafeAbsolutePath(destDir)) throw new ParseError(destDir ?? '');
  return {
    command: 'retrieve',
    ...common(options),
    listFile: requiredString(options, 'filelist'),
    destDir,
    replace: parseReplace(options),
  };
}

function parseDelete({ words, options }: SplitArgs): DeleteInvocation {
  expectWords(words, 2);
  return { command: 'delete', ...common(options), listFile: requiredString(options, 'filelist') };
}

function parseQuery({ words, options }: SplitArgs): QueryInvocation {
  expectWords(words, 3);
  const pattern = words[2];
  if (pattern === undefined || !isSafeAbsolutePath(pattern)) throw new ParseError(pattern ?? '');
  return { command: 'query', ...common(options), pattern };
}

type SubParser = (split: SplitArgs) => Invocation;

function pickParser(words: string[]): SubParser | InvocationParse {
  const [verb = '', object] = words;
  if (isAbbreviation(verb, 'archive', 3)) return parseArchive;
  if (isAbbreviation(verb, 'retrieve', 3)) return parseRetrieve;
  const needsObject = isAbbreviation(verb, 'delete', 3) || isAbbreviation(verb, 'query', 1);
  if (!needsObject) return invalid(verb);
  const name = isAbbreviation(verb, 'delete', 3) ? 'delete' : 'query';
  if (object === undefined) {
    return { ok: false, message: `ANS1138E The '${name}' command must be followed by a subcommand` };
  }
  if (!isAbbreviation(object, 'archive', 2)) return invalid(object);
  return name === 'delete' ? parseDelete : parseQuery;
}

/** Turns argv into an invocation, or the ANS message dsmc would print for it. */
export function parseInvocation(argv: readonly string[]): InvocationParse {
  const split = splitArgs(argv);
  const parser = pickParser(split.words);
  if (typeof parser !== 'function') return parser;
  try {
    return { ok: true, invocation: parser(split) };
  } catch (error) {
    if (error instanceof ParseError) return invalid(error.message);
    throw error;
  }
}
