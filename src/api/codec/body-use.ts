// Response bodies still being read: by a response writing them to its socket,
// or by a compression under way. The list cache rewrites the creationTimestamp
// bytes of an earlier second's body in place instead of copying the whole body
// every second (48 MB for 150k pods in JSON), and it may do so only to a body
// nobody reads any more. Keyed by the Buffer object: the cache hands a rewritten
// body out as a new Buffer object, so nothing keyed by the old one (its gzip
// form) is taken for the new content.

const readers = new WeakMap<Buffer, number>();

/** Marks body as read until the returned function is called (once; later calls do nothing). */
export function useBody(body: Buffer): () => void {
  readers.set(body, (readers.get(body) ?? 0) + 1);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    const n = readers.get(body)! - 1;
    if (n === 0) readers.delete(body);
    else readers.set(body, n);
  };
}

/** Whether anything still reads body. */
export function bodyInUse(body: Buffer): boolean {
  return readers.has(body);
}
