// dsmc file specifications: wildcards (`*`, `?`) only in the last path component. Pure.

function escapeRegExp(text: string): string {
  return text.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

/** A predicate for the paths a query pattern such as `/pool/out/*` matches. */
export function planPathMatcher(pattern: string): (path: string) => boolean {
  const slash = pattern.lastIndexOf('/');
  const dir = pattern.slice(0, slash + 1);
  const last = pattern.slice(slash + 1);
  if (!/[*?]/.test(last)) return (path) => path === pattern;
  const regexp = new RegExp(`^${escapeRegExp(last).replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
  return (path) => path.startsWith(dir) && path.indexOf('/', dir.length) === -1 && regexp.test(path.slice(dir.length));
}
