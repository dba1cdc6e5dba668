// Inflating gzipped kubelet bodies: the reused native inflater and the
// zlib.gunzipSync fallback give the same bytes and the same errors, never write
// past the limit, and recover from bad data.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { Gunzipper, GunzipError } from '../../src/scrape/gunzip.js';
import { fixturePath } from '../helpers/paths.js';

const resource = readFileSync(fixturePath('kubelet', 'resource', 'metrics-server-kind-1.txt'));
const MAX = 1024 * 1024;

function reason(fn: () => unknown): string {
  try {
    fn();
    return 'none';
  } catch (e) {
    return e instanceof GunzipError ? e.reason : `not a GunzipError: ${String(e)}`;
  }
}

for (const native of [true, false]) {
  const variant = native ? 'reused inflater' : 'zlib.gunzipSync';

  t.test(`${variant}: bodies come back byte for byte, at any level and size`, async (t) => {
    const g = new Gunzipper(native);
    for (const level of [1, 6, 9]) {
      t.ok(Buffer.from(g.inflate(gzipSync(resource, { level }), MAX)).equals(resource), `level ${level}`);
    }
    // Larger than the first output buffer (64 KiB): it grows.
    const big = Buffer.concat(Array.from({ length: 12 }, () => resource));
    t.ok(big.length > 64 * 1024);
    t.ok(Buffer.from(g.inflate(gzipSync(big), MAX)).equals(big), `${big.length} bytes`);
    t.equal(g.inflate(gzipSync(Buffer.alloc(0)), MAX).length, 0, 'an empty body');
    // Go's gzip reader reads concatenated members as one stream.
    const two = Buffer.concat([gzipSync('first\n'), gzipSync('second\n')]);
    t.equal(Buffer.from(g.inflate(two, MAX)).toString(), 'first\nsecond\n', 'two members');
  });

  t.test(`${variant}: the limit is on the inflated size`, async (t) => {
    const g = new Gunzipper(native);
    const body = Buffer.alloc(100_000, 'x');
    t.equal(g.inflate(gzipSync(body), 100_000).length, 100_000, 'exactly the limit is accepted');
    t.equal(reason(() => g.inflate(gzipSync(body), 99_999)), 'size', 'one byte more is not');
    // 64 MiB of zeros compress to 64 KB: refused at the limit, not inflated whole.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
    t.ok(bomb.length < 100_000);
    const started = process.hrtime.bigint();
    t.equal(reason(() => g.inflate(bomb, MAX)), 'size', 'a gzip bomb');
    if (native) t.ok(process.hrtime.bigint() - started < 2_000_000_000n, 'stops early');
    t.ok(Buffer.from(g.inflate(gzipSync(resource), MAX)).equals(resource), 'the next body inflates');
  });

  t.test(`${variant}: bad data is an error, and the next body still inflates`, async (t) => {
    const g = new Gunzipper(native);
    const good = gzipSync(resource);
    const corrupt = Buffer.from(good);
    corrupt.writeUInt32LE(corrupt.readUInt32LE(corrupt.length - 8) ^ 1, corrupt.length - 8); // the CRC
    const cases: [string, Buffer][] = [
      ['not gzip', Buffer.from('# HELP plain text\n')],
      ['truncated', good.subarray(0, good.length - 20)],
      ['wrong checksum', corrupt],
      ['garbage after the body', Buffer.concat([good, Buffer.from('trailing')])],
      // zlib.gunzipSync alone passes over these quietly; Go's reader refuses them.
      ['zero bytes after the body', Buffer.concat([good, Buffer.alloc(3)])],
      ['empty', Buffer.alloc(0)],
    ];
    for (const [what, body] of cases) {
      t.equal(reason(() => g.inflate(body, MAX)), 'data', what);
      t.ok(Buffer.from(g.inflate(good, MAX)).equals(resource), `${what}: the next body inflates`);
    }
  });
}

t.test('the reused inflater writes every body into the same buffer', async (t) => {
  const g = new Gunzipper();
  const a = g.inflate(gzipSync(resource), MAX);
  const b = g.inflate(gzipSync(resource.subarray(0, 1000)), MAX);
  t.equal(a.buffer, b.buffer, 'one output buffer, no new memory per body');
  t.equal(b.length, 1000);
});
