// One HTTP/1.1 response from a kubelet, read in place. The TLS socket's onread
// writes the cleartext straight into one pooled buffer (no Buffer object per
// TLS record, no stream, no parser copy); the head is parsed from it, and the
// body ends up at the start of the same buffer with any chunked framing removed
// in place (Go writes kubelet responses of more than a few KB chunked). The
// decoders then read the body where it landed.
//
// Measured against undici on the same kept-alive connections (2,000 nodes,
// 30 KB bodies, server in another process): 54–90 µs of CPU per request
// against 92–214 µs.

import type { BodyPool } from './body-pool.js';

/** Why a response could not be read: too large for the limit, or not HTTP/1.1 as we speak it. */
export class ResponseError extends Error {
  override name = 'ResponseError';
  constructor(
    readonly reason: 'size' | 'protocol',
    message: string,
  ) {
    super(message);
  }
}

/** Free space offered to each read: a TLS record's cleartext is up to 16 KB. */
export const MIN_READ = 16 * 1024;
/** Room for a typical head on top of the expected body. */
const HEAD_ROOM = 1024;
/** Status line and headers together. */
const MAX_HEAD = 64 * 1024;
/** A chunk-size line (with extensions) or a trailer line. */
const MAX_LINE = 4 * 1024;

const CR = 13;
const LF = 10;
const CRLF = Buffer.from('\r\n');
const CRLF_CRLF = Buffer.from('\r\n\r\n');
const COLON = 0x3a;
const HTTP_1 = Buffer.from('HTTP/1.');
const CHUNKED = ['chunked'];

/** The headers that frame a response body, and its encoding; every other header is skipped unread. */
const enum Header {
  Other,
  ContentLength,
  TransferEncoding,
  Connection,
  ContentEncoding,
}
const FRAMING: readonly [Header, Buffer][] = [
  [Header.ContentLength, Buffer.from('content-length')],
  [Header.TransferEncoding, Buffer.from('transfer-encoding')],
  [Header.Connection, Buffer.from('connection')],
  [Header.ContentEncoding, Buffer.from('content-encoding')],
];

const enum State {
  Head,
  /** Content-Length body: `left` bytes to go. */
  Length,
  /** No length: the body ends when the connection does. */
  UntilClose,
  ChunkSize,
  /** Chunk data: `left` bytes to go. */
  ChunkData,
  ChunkEnd,
  Trailer,
  Done,
}

export class Http1Response {
  /** Set once the head is read. */
  statusCode = 0;
  /** Whether the connection may carry another request after this response. */
  reusable = true;
  /** The body's Content-Encoding, lower case; '' when none or identity. */
  encoding = '';
  private buf: Buffer;
  private state = State.Head;
  /** End of the bytes received. */
  private end = 0;
  /** Start of the received bytes not parsed yet (≥ bodyEnd). */
  private pos = 0;
  /** The body decoded so far is buf[0, bodyEnd). */
  private bodyEnd = 0;
  /** Bytes left of the body (Length) or of the current chunk (ChunkData). */
  private left = 0;
  /** Where the search for the end of the head resumes. */
  private headScan = 0;
  /** Bytes received in all. */
  private total = 0;

  constructor(
    private readonly pool: BodyPool,
    sizeHint: number,
    private readonly maxBody: number,
  ) {
    // The last body of this node plus room for the head: most bodies then fit without growing.
    this.buf = pool.acquire(Math.max(sizeHint, 0) + HEAD_ROOM);
  }

  /** Whether anything of this response has arrived (`end` cannot tell: parsed bytes are compacted away). */
  get started(): boolean {
    return this.total > 0;
  }

  /**
   * Where the next read goes: the free end of the buffer, grown when it has less than MIN_READ
   * bytes free, or than what is left of a body of known length if that is less.
   */
  space(): Buffer {
    // (A Length body's received bytes are all parsed: `left` is what is still to come.)
    const want = this.state === State.Length ? Math.min(MIN_READ, this.left) : MIN_READ;
    if (this.buf.length - this.end < want) {
      const bigger = this.pool.acquire(Math.max(2 * this.buf.length, this.end + MIN_READ));
      this.buf.copy(bigger, 0, 0, this.end);
      this.pool.release(this.buf);
      this.buf = bigger;
    }
    return this.buf.subarray(this.end);
  }

  /** n more bytes were written at space(); true once the response is complete. Throws ResponseError. */
  received(n: number): boolean {
    this.total += n;
    this.end += n;
    return this.parse();
  }

  /** The connection ended: true if that completes the response (a body without length), false if it cut it short. */
  eof(): boolean {
    if (this.state === State.UntilClose) this.state = State.Done;
    return this.state === State.Done;
  }

  /** The body; valid until release(). */
  bytes(): Uint8Array {
    return new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.bodyEnd);
  }

  get bodyLength(): number {
    return this.bodyEnd;
  }

  /** Gives the buffer back to the pool; nothing may read or write it afterwards. */
  release(): void {
    this.pool.release(this.buf);
  }

  private parse(): boolean {
    for (;;) {
      switch (this.state) {
        case State.Head:
          if (!this.head()) return false;
          break;
        case State.Length: {
          // Raw bytes are body bytes here: pos === bodyEnd.
          const take = Math.min(this.left, this.end - this.pos);
          this.pos += take;
          this.bodyEnd = this.pos;
          this.left -= take;
          if (this.left > 0) return false;
          this.state = State.Done;
          break;
        }
        case State.UntilClose:
          this.pos = this.bodyEnd = this.end;
          if (this.bodyEnd > this.maxBody) throw this.tooLarge();
          return false;
        case State.ChunkSize: {
          const eol = this.line();
          if (eol < 0) return this.compact();
          const size = chunkSize(this.buf, this.pos, eol);
          if (size < 0) throw new ResponseError('protocol', 'malformed chunk size');
          if (this.bodyEnd + size > this.maxBody) throw this.tooLarge();
          this.pos = eol + 2;
          this.left = size;
          this.state = size === 0 ? State.Trailer : State.ChunkData;
          break;
        }
        case State.ChunkData: {
          const take = Math.min(this.left, this.end - this.pos);
          if (take > 0 && this.pos !== this.bodyEnd) this.buf.copyWithin(this.bodyEnd, this.pos, this.pos + take);
          this.bodyEnd += take;
          this.pos += take;
          this.left -= take;
          if (this.left > 0) return this.compact();
          this.state = State.ChunkEnd;
          break;
        }
        case State.ChunkEnd:
          if (this.end - this.pos < 2) return this.compact();
          if (this.buf[this.pos] !== CR || this.buf[this.pos + 1] !== LF) throw new ResponseError('protocol', 'chunk data not followed by CRLF');
          this.pos += 2;
          this.state = State.ChunkSize;
          break;
        case State.Trailer: {
          const eol = this.line();
          if (eol < 0) return this.compact();
          const empty = eol === this.pos;
          this.pos = eol + 2;
          if (empty) this.state = State.Done;
          break;
        }
        case State.Done:
          // Bytes after the response were never asked for: the connection cannot be trusted further.
          if (this.pos < this.end) this.reusable = false;
          return true;
      }
    }
  }

  /** Index of the CRLF ending the line at pos, -1 if it has not arrived (ResponseError past MAX_LINE). */
  private line(): number {
    const at = this.buf.indexOf(CRLF, this.pos);
    // The buffer is reused: a match at or past `end` is stale bytes, not this response.
    if (at >= 0 && at + 2 <= this.end) return at;
    if (this.end - this.pos > MAX_LINE) throw new ResponseError('protocol', 'line too long in chunked body');
    return -1;
  }

  /** Moves unparsed bytes down next to the body so the buffer holds only what is still needed; returns false. */
  private compact(): false {
    if (this.pos > this.bodyEnd) {
      if (this.pos < this.end) this.buf.copyWithin(this.bodyEnd, this.pos, this.end);
      this.end -= this.pos - this.bodyEnd;
      this.pos = this.bodyEnd;
    }
    return false;
  }

  /** Parses the head once it has all arrived; false until then. */
  private head(): boolean {
    const at = this.buf.indexOf(CRLF_CRLF, Math.max(this.pos, this.headScan));
    const complete = at >= 0 && at + 4 <= this.end;
    if ((complete ? at : this.end) - this.pos > MAX_HEAD) throw new ResponseError('protocol', `response head exceeds ${MAX_HEAD} bytes`);
    if (!complete) {
      this.headScan = Math.max(this.pos, this.end - 3);
      return false;
    }
    const b = this.buf;
    // The head is read as bytes: only the values of the three headers that frame the body, and the encoding's, become strings.
    const statusEnd = b.indexOf(CRLF, this.pos);
    const code = statusCode(b, this.pos, statusEnd);
    if (code < 0) throw new ResponseError('protocol', `not an HTTP/1.x status line: ${JSON.stringify(b.toString('latin1', this.pos, Math.min(statusEnd, this.pos + 80)))}`);
    const http10 = b[this.pos + 7] === 0x30;
    this.pos = this.headScan = at + 4;
    if (code >= 100 && code < 200) {
      if (code === 101) throw new ResponseError('protocol', 'unexpected 101 Switching Protocols');
      return true; // an interim response: the real one follows
    }
    this.statusCode = code;
    if (http10) this.reusable = false;
    let length = -1;
    let chunked = false;
    for (let line = statusEnd + 2; line < at + 2; ) {
      const eol = b.indexOf(CRLF, line);
      const colon = b.indexOf(COLON, line);
      if (colon <= line || colon >= eol) throw new ResponseError('protocol', 'malformed header line');
      const header = framingHeader(b, line, colon);
      if (header !== Header.Other) {
        let from = colon + 1;
        let to = eol;
        while (from < to && isSpace(b[from]!)) from++;
        while (to > from && isSpace(b[to - 1]!)) to--;
        const value = b.toString('latin1', from, to);
        if (header === Header.ContentLength) {
          if (!/^\d{1,15}$/.test(value) || (length >= 0 && Number(value) !== length)) throw new ResponseError('protocol', 'invalid Content-Length');
          length = Number(value);
        } else if (header === Header.TransferEncoding) {
          // Go writes exactly "chunked": no list to split for it.
          const codings = value === 'chunked' ? CHUNKED : value.toLowerCase().split(',').map((c) => c.trim());
          if (codings.length !== 1 || codings[0] !== 'chunked') throw new ResponseError('protocol', `unsupported Transfer-Encoding ${JSON.stringify(value)}`);
          chunked = true;
        } else if (header === Header.ContentEncoding) {
          const coding = value.toLowerCase();
          this.encoding = coding === 'identity' ? '' : coding;
        } else if (value !== 'keep-alive' && value.toLowerCase().split(',').some((t) => t.trim() === 'close')) {
          this.reusable = false;
        }
      }
      line = eol + 2;
    }
    if (chunked && length >= 0) throw new ResponseError('protocol', 'both Content-Length and chunked Transfer-Encoding');
    // The body starts at 0: what arrived after the head moves down once (at most one read's worth).
    const rest = this.end - this.pos;
    if (rest > 0) this.buf.copyWithin(0, this.pos, this.end);
    this.end = rest;
    this.pos = 0;
    this.bodyEnd = 0;
    if (code === 204 || code === 304) {
      this.state = State.Done;
    } else if (chunked) {
      this.state = State.ChunkSize;
    } else if (length >= 0) {
      if (length > this.maxBody) throw this.tooLarge(length);
      this.left = length;
      this.state = State.Length;
    } else {
      this.reusable = false;
      this.state = State.UntilClose;
    }
    return true;
  }

  private tooLarge(declared?: number): ResponseError {
    return new ResponseError('size', declared === undefined ? `response exceeds ${this.maxBody} bytes` : `response of ${declared} bytes exceeds ${this.maxBody}`);
  }
}

/** The hexadecimal size at the start of buf[from, to) (extensions after ';' ignored); -1 if malformed. */
function chunkSize(buf: Buffer, from: number, to: number): number {
  let size = 0;
  let digits = 0;
  let i = from;
  for (; i < to; i++) {
    const c = buf[i]!;
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (d < 0) break;
    if (++digits > 12) return -1;
    size = size * 16 + d;
  }
  if (digits === 0) return -1;
  // Whitespace before extensions is tolerated, as Go and Node do.
  while (i < to && (buf[i] === 32 || buf[i] === 9)) i++;
  if (i < to && buf[i] !== 59 /* ; */) return -1;
  return size;
}

/** Whitespace as String.prototype.trim() removes it from a latin1 string. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0;
}

/** Which framing header the name in buf[from, to) is (case-insensitive, surrounding whitespace ignored). */
function framingHeader(buf: Buffer, from: number, to: number): Header {
  while (from < to && isSpace(buf[from]!)) from++;
  while (to > from && isSpace(buf[to - 1]!)) to--;
  for (const [header, name] of FRAMING) {
    if (to - from !== name.length) continue;
    let i = 0;
    while (i < name.length) {
      const c = buf[from + i]!;
      if ((c >= 65 && c <= 90 ? c | 0x20 : c) !== name[i]) break;
      i++;
    }
    if (i === name.length) return header;
  }
  return Header.Other;
}

/** The status code of the line "HTTP/1.x DDD[ reason]" in buf[from, to); -1 if it is not one. */
function statusCode(buf: Buffer, from: number, to: number): number {
  if (to - from < 12) return -1;
  for (let i = 0; i < 7; i++) if (buf[from + i] !== HTTP_1[i]) return -1;
  const minor = buf[from + 7];
  if ((minor !== 0x30 && minor !== 0x31) || buf[from + 8] !== 32) return -1;
  let code = 0;
  for (let i = from + 9; i < from + 12; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return -1;
    code = code * 10 + d;
  }
  return to === from + 12 || buf[from + 12] === 32 ? code : -1;
}
