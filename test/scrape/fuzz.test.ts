// Differential fuzzing of what reads a kubelet's bytes. A kubelet is outside our
// trust: whatever it sends, the decoders and the HTTP/1.1 reader must answer or
// fail with their own error, never another exception. And the answer must not
// depend on state the server carries between bodies: a mutated body decodes the
// same with the shared name interner and scrape recycler as without them, and
// after other bodies; a response reads the same whatever its read boundaries
// and whatever earlier bytes its pooled buffer still holds; a gzipped body
// inflates the same through the reused inflater as through zlib.gunzipSync.
//
// Deterministic (fixed seeds, counted iterations) in `npm test`. For a longer
// campaign: FUZZ_SECONDS=300 npx tap dist/test/scrape/fuzz.test.js
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import t, { type Test } from 'tap';
import { BodyPool } from '../../src/scrape/body-pool.js';
import { DecodeError } from '../../src/scrape/decode-error.js';
import { decodeResource } from '../../src/scrape/decode-resource.js';
import { decodeSummary } from '../../src/scrape/decode-summary.js';
import { GunzipError, Gunzipper } from '../../src/scrape/gunzip.js';
import { Http1Response, ResponseError } from '../../src/scrape/http1-response.js';
import { NameInterner, type NodeNames } from '../../src/scrape/name-interner.js';
import { ScrapeRecycler } from '../../src/scrape/scrape-recycler.js';
import type { NodeScrape } from '../../src/scrape/types.js';
import { UsageModel } from '../../src/sim/model.js';
import { renderResourceMetrics } from '../../src/sim/render-resource.js';
import { renderSummary } from '../../src/sim/render-summary.js';
import { fixturePath } from '../helpers/paths.js';
import { random, type Random } from '../helpers/random.js';

const SECONDS = Number(process.env['FUZZ_SECONDS'] ?? 0);
const NOW = Date.UTC(2026, 0, 2, 3, 4, 5, 678);


/** Runs body `count` times, or for FUZZ_SECONDS when that is set. */
function repeat(count: number, body: () => void): number {
  const until = Date.now() + SECONDS * 1000;
  let n = 0;
  while (SECONDS > 0 ? Date.now() < until : n < count) {
    body();
    n++;
  }
  return n;
}

const cat = (...parts: Uint8Array[]) => Buffer.concat(parts);
const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;

// Bytes that matter to the grammars: quotes, escapes, braces, separators, number parts.
const INTERESTING = Buffer.from('"\\\n{},=. -+e0123456789#\t:NaInf[]');
const SPECIAL = ['NaN', '+Inf', '-Inf', '1e308', '1e309', '-0', '99999999999999999999', '4.9e-324', '0x10', '1_0', '""', 'null', 'true', '[]', '{}', '1e-400'];

/** One to four mutations: flips, insertions, deletions, cuts, lines duplicated or dropped, numbers replaced, chunks copied. */
function mutate(rnd: Random, src: Uint8Array): Buffer {
  let b = Buffer.from(src);
  for (let k = 1 + rnd.int(4); k > 0; k--) {
    const at = rnd.int(b.length + 1);
    const lineStart = b.indexOf(10, at);
    const lineEnd = lineStart < 0 ? -1 : b.indexOf(10, lineStart + 1);
    switch (rnd.int(9)) {
      case 0:
        if (b.length) b[rnd.int(b.length)] = rnd.int(256);
        break;
      case 1:
        b = cat(b.subarray(0, at), Buffer.of(INTERESTING[rnd.int(INTERESTING.length)]!), b.subarray(at));
        break;
      case 2:
        b = cat(b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + rnd.int(20))));
        break;
      case 3:
        b = b.subarray(0, at);
        break;
      case 4:
        if (lineEnd > lineStart) b = cat(b.subarray(0, lineEnd + 1), b.subarray(lineStart + 1, lineEnd + 1), b.subarray(lineEnd + 1));
        break;
      case 5: {
        let s = at;
        while (s < b.length && !isDigit(b[s])) s++;
        let e = s;
        while (e < b.length && (isDigit(b[e]) || b[e] === 0x2e || b[e] === 0x65)) e++;
        if (s < b.length) b = cat(b.subarray(0, s), Buffer.from(SPECIAL[rnd.int(SPECIAL.length)]!), b.subarray(e));
        break;
      }
      case 6: {
        const from = rnd.int(b.length);
        b = cat(b.subarray(0, at), Buffer.from(b.subarray(from, from + 1 + rnd.int(60))), b.subarray(at));
        break;
      }
      case 7:
        if (lineEnd > lineStart) b = cat(b.subarray(0, lineStart + 1), b.subarray(lineEnd + 1));
        break;
      default:
        if (b.length) b[rnd.int(b.length)] = 0x80 + rnd.int(128);
    }
  }
  return b;
}

type Decode = (body: Uint8Array, requestTimeMs: number, names?: NodeNames, recycler?: ScrapeRecycler) => NodeScrape;

/** Real payloads of `kind` and simulated ones of a few shapes. */
function seeds(kind: 'resource' | 'summary'): Buffer[] {
  const dir = fixturePath('kubelet', kind);
  const out = readdirSync(dir)
    .filter((f) => !f.endsWith('.md'))
    .map((f) => readFileSync(`${dir}/${f}`));
  for (const [pods, containers] of [[1, 1], [2, 1], [5, 3], [30, 2]] as const) {
    const model = new UsageModel({ nodes: 1, podsPerNode: pods, containersPerPod: containers, nowMs: NOW - 3_600_000 });
    const node = model.nodes[0]!;
    out.push(Buffer.from(kind === 'resource' ? renderResourceMetrics(model, node, NOW) : renderSummary(model, node, NOW)));
  }
  return out;
}

function fuzzDecoder(t: Test, decode: Decode, kind: 'resource' | 'summary', seed: number, count: number): void {
  const rnd = random(seed);
  const bodies = seeds(kind);
  const pick = () => bodies[rnd.int(bodies.length)]!;
  const interner = new NameInterner();
  const recycler = new ScrapeRecycler();
  const nodes = [interner.forNode(), interner.forNode(), interner.forNode()];
  // The outcome as text: the scrape, or the DecodeError's message; anything else is a crash.
  const run = (body: Uint8Array, shared: boolean): string => {
    try {
      if (!shared) return `ok ${JSON.stringify(decode(body, NOW))}`;
      const names = nodes[rnd.int(nodes.length)]!;
      names.rewind();
      const s = decode(body, NOW, names, recycler);
      const out = `ok ${JSON.stringify(s)}`;
      recycler.release(s);
      return out;
    } catch (e) {
      return e instanceof DecodeError ? `error ${e.message}` : `CRASH ${e instanceof Error ? e.stack : String(e)}`;
    }
  };
  let decoded = 0;
  const failures: string[] = [];
  const n = repeat(count, () => {
    const body = mutate(rnd, rnd.next() < 0.2 ? mutate(rnd, pick()) : pick());
    const alone = run(body, false);
    if (alone.startsWith('ok')) decoded++;
    run(mutate(rnd, pick()), rnd.next() < 0.5); // another node's body in between
    const shared = run(body, true);
    run(pick(), true);
    const again = run(body, rnd.next() < 0.5);
    if (rnd.next() < 0.01) interner.nextTick();
    for (const [what, outcome] of [['shared', shared], ['again', again]] as const) {
      if ((outcome !== alone || alone.startsWith('CRASH')) && failures.length < 3) {
        failures.push(`${what}: ${outcome.slice(0, 300)}\n alone: ${alone.slice(0, 300)}\n body: ${JSON.stringify(body.toString('latin1').slice(0, 300))}`);
      }
    }
  });
  t.same(failures, [], `${n} mutated ${kind} bodies: the same outcome alone, with shared state and after others; no other exception`);
  // The harness would prove nothing if every mutation broke the body.
  t.ok(decoded > n / 20, `a share of them still decode (${decoded})`);
}

t.test('/metrics/resource decoder', async (t) => {
  fuzzDecoder(t, decodeResource, 'resource', 12345, 4000);
});

t.test('/stats/summary decoder', async (t) => {
  fuzzDecoder(t, decodeSummary, 'summary', 999, 2000);
});

/** A response as Go's net/http frames it: Content-Length, or chunked with extensions and trailers; sometimes after a 100 Continue. */
function response(rnd: Random): Buffer {
  const len = rnd.int(4) === 0 ? rnd.int(20) : rnd.int(60000);
  const body = Buffer.alloc(len);
  for (let i = 0; i < len; i++) body[i] = rnd.int(4) === 0 ? [13, 10, 0x30, 0x3b][rnd.int(4)]! : 32 + rnd.int(90);
  const headers = ['Content-Type: text/plain'];
  if (rnd.int(3) === 0) headers.push('Content-Encoding: gzip');
  if (rnd.int(5) === 0) headers.push('Connection: close');
  const parts: Buffer[] = [];
  if (rnd.int(6) === 0) parts.push(Buffer.from('HTTP/1.1 100 Continue\r\n\r\n'));
  if (rnd.int(2) === 0) {
    headers.push(`Content-Length: ${len}`);
    parts.push(Buffer.from(`HTTP/1.1 200 OK\r\n${headers.join('\r\n')}\r\n\r\n`), body);
  } else {
    headers.push('Transfer-Encoding: chunked');
    parts.push(Buffer.from(`HTTP/1.1 200 OK\r\n${headers.join('\r\n')}\r\n\r\n`));
    for (let at = 0; at < len; ) {
      const n = 1 + rnd.int(Math.min(9000, len - at));
      parts.push(Buffer.from(`${n.toString(16)}${rnd.int(6) === 0 ? ';x=1' : ''}\r\n`), body.subarray(at, at + n), Buffer.from('\r\n'));
      at += n;
    }
    parts.push(Buffer.from(rnd.int(4) === 0 ? '0\r\nX-T: 1\r\n\r\n' : '0\r\n\r\n'));
  }
  return cat(...parts);
}

const FRAMING_BYTES = Buffer.from('\r\n:;0fF -\t');

/** Up to two small mutations (a flip, a framing byte inserted, a few bytes dropped, a cut): for responses and gzip bodies. */
function mutateFew(rnd: Random, src: Buffer): Buffer {
  let b = Buffer.from(src);
  for (let k = rnd.int(3); k > 0; k--) {
    const at = rnd.int(b.length + 1);
    const op = rnd.int(4);
    if (op === 0 && b.length) b[rnd.int(b.length)] = rnd.int(256);
    else if (op === 1) b = cat(b.subarray(0, at), Buffer.of(FRAMING_BYTES[rnd.int(FRAMING_BYTES.length)]!), b.subarray(at));
    else if (op === 2) b = cat(b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + rnd.int(10))));
    else b = b.subarray(0, at);
  }
  return b;
}

t.test('HTTP/1.1 response reader', async (t) => {
  const rnd = random(5);
  const MAX = 1 << 20;
  // The outcome: status, encoding and body once complete; "incomplete"; or the ResponseError.
  // (Whether the connection may be reused is left out: bytes past a response are read only
  // when one read takes them with it, and the connection drops them either way.)
  const read = (raw: Buffer, pool: BodyPool, readSize: () => number): string => {
    const r = new Http1Response(pool, rnd.int(3) === 0 ? 0 : rnd.int(70000), MAX);
    try {
      let at = 0;
      let done = false;
      while (at < raw.length && !done) {
        const space = r.space();
        const n = Math.min(readSize(), raw.length - at, space.length);
        raw.copy(space, 0, at, at + n);
        at += n;
        done = r.received(n);
      }
      done ||= r.eof();
      return done ? `done ${r.statusCode} ${r.encoding} ${Buffer.from(r.bytes()).toString('latin1')}` : 'incomplete';
    } catch (e) {
      return e instanceof ResponseError ? `error ${e.reason} ${e.message}` : `CRASH ${e instanceof Error ? e.stack : String(e)}`;
    } finally {
      r.release();
    }
  };
  // Its buffers come back full of line ends, chunk ends and heads from earlier use.
  const dirty = new BodyPool(8);
  const STALE = ['\r\n', '\r\n\r\n', '0\r\n\r\n', '5\r\nabcde\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx'];
  const soil = () => {
    const held = Array.from({ length: 8 }, () => dirty.acquire(1 + rnd.int(80000)));
    for (const b of held) b.fill(STALE[rnd.int(STALE.length)]!, 'latin1');
    for (const b of held) dirty.release(b);
  };
  let complete = 0;
  const failures: string[] = [];
  const n = repeat(6000, () => {
    const raw = rnd.int(3) === 0 ? mutateFew(rnd, response(rnd)) : response(rnd);
    const whole = read(raw, new BodyPool(0), () => Infinity);
    if (whole.startsWith('done')) complete++;
    const sizes = [1 + rnd.int(5), 1 + rnd.int(100), 1 + rnd.int(20000)];
    const split = read(raw, dirty, () => sizes[rnd.int(3)]!);
    soil();
    if ((split !== whole || whole.startsWith('CRASH')) && failures.length < 3) {
      failures.push(`split: ${split.slice(0, 200)}\n whole: ${whole.slice(0, 200)}\n head: ${JSON.stringify(raw.subarray(0, 200).toString('latin1'))}`);
    }
  });
  t.same(failures, [], `${n} responses: the same outcome in one read and in reads of 1 byte to 20 KB into soiled buffers; no other exception`);
  t.ok(complete > n / 2, `most of them complete (${complete})`);
});

t.test('gzip inflater', async (t) => {
  const rnd = random(31);
  const plain = [...seeds('resource'), ...seeds('summary')];
  const gz = (b: Uint8Array) => gzipSync(b, { level: [1, 6, 9][rnd.int(3)]! });
  // The outcome: the bytes, or the GunzipError's reason (the two paths word zlib's errors differently).
  const inflate = (g: Gunzipper, body: Uint8Array, max: number): string => {
    try {
      return `ok ${Buffer.from(g.inflate(body, max)).toString('latin1')}`;
    } catch (e) {
      return e instanceof GunzipError ? `error ${e.reason}` : `CRASH ${e instanceof Error ? e.stack : String(e)}`;
    }
  };
  const reused = new Gunzipper();
  let inflated = 0;
  const failures: string[] = [];
  const n = repeat(3000, () => {
    const source = plain[rnd.int(plain.length)]!;
    const second = rnd.int(8) === 0 ? plain[rnd.int(plain.length)]! : undefined;
    const inflatedLength = source.length + (second?.length ?? 0);
    let body: Buffer = second ? cat(gz(source), gz(second)) : gz(source);
    if (rnd.int(8) === 0) body = cat(body, Buffer.alloc(1 + rnd.int(4)));
    if (rnd.int(2) === 0) body = mutateFew(rnd, body);
    const max = rnd.int(5) === 0 ? rnd.int(2 * inflatedLength) : 1 << 20;
    const once = inflate(new Gunzipper(false), body, max);
    if (once.startsWith('ok')) inflated++;
    // The reused inflater, after another body (which may have failed half-way).
    inflate(reused, rnd.int(2) === 0 ? gz(plain[rnd.int(plain.length)]!) : mutateFew(rnd, gz(source)), 1 << 20);
    const again = inflate(reused, body, max);
    // Over the limit and corrupt past it: the reused inflater stops at the limit ("size"), while
    // zlib.gunzipSync inflates 16 KB at a time and may meet the corruption first ("data").
    const bothRefused = max < inflatedLength && again.startsWith('error') && once.startsWith('error');
    if (((again !== once && !bothRefused) || once.startsWith('CRASH')) && failures.length < 3) {
      failures.push(`reused: ${again.slice(0, 200)}\n once: ${once.slice(0, 200)}\n max ${max}, ${body.length} bytes`);
    }
  });
  t.same(failures, [], `${n} gzipped bodies, some mutated: the reused inflater answers as zlib.gunzipSync; no other exception`);
  t.ok(inflated > n / 3, `a share of them inflate (${inflated})`);
});
