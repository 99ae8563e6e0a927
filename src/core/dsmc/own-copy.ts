/**
 * A copy of `text` that does not keep dsmc's output alive: a substring of a
 * line refers to the whole chunk it was read in, so a few kept substrings
 * could keep megabytes of output in memory.
 */
export function ownCopy(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}
