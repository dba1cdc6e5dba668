// Request header limits as GAS's (http.Server MaxHeaderBytes, 1 MiB): HTTP/1.1
// reads that plus the 4 KiB of slack net/http adds; HTTP/2 advertises it as
// x/net does (with 32 bytes more for each of ten fields). Neither limits the
// number of fields, as Go does not (Node.js would: 2,000 over HTTP/1.1, dropping
// the rest silently; 128 over HTTP/2), so a user with many groups arrives whole.
// nghttp2 keeps two limits of its own: no field over 64 KiB, and no header
// block in more than nine frames (Go clients frame it at our 256 KiB).

const MAX_HEADER_BYTES = 1 << 20;

/** node:http's maxHeaderSize (its default is 16 KiB). */
export const HTTP1_MAX_HEADER_SIZE = MAX_HEADER_BYTES + 4096;

/** SETTINGS_MAX_HEADER_LIST_SIZE, enforced by nghttp2 (its default is 64 KiB). */
export const HTTP2_MAX_HEADER_LIST_SIZE = MAX_HEADER_BYTES + 10 * 32;

/** Enough pairs that only the size limit binds: every field counts at least 32 bytes there. */
export const HTTP2_MAX_HEADER_LIST_PAIRS = Math.ceil(HTTP2_MAX_HEADER_LIST_SIZE / 32);
