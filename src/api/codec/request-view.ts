// What negotiation and encoding read from a request: headers and the decoded
// query. A Koa Context is one; the resource GET fast path passes its own, so the
// same code decides the bytes on both paths.

export interface RequestView {
  /** A request header by lowercase name, '' when absent (as Koa's ctx.get). */
  get(field: string): string;
  readonly query: Readonly<Record<string, string | string[] | undefined>>;
}
