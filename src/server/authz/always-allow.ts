// --authorization-always-allow-paths as GAS's path authorizer reads it: exact
// paths, or a prefix when the entry ends with "*" (a "*" anywhere else is an error).

export type PathMatcher = (path: string) => boolean;

export function alwaysAllowPaths(paths: readonly string[]): PathMatcher {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const raw of paths) {
    const p = raw.replace(/^\/+/, '');
    if (p.includes('*') && !p.endsWith('*')) throw new Error(`only trailing * allowed in "${raw}"`);
    if (p.endsWith('*')) prefixes.push(p.slice(0, -1));
    else exact.add(p);
  }
  return (path) => {
    const p = path.replace(/^\/+/, '');
    return exact.has(p) || prefixes.some((pre) => p.startsWith(pre));
  };
}
