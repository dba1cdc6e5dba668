// Go's string order (bytewise), which Kubernetes lists are sorted in. Names are
// ASCII, so JavaScript's code-unit order agrees.

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
