// Chain verification is shared across connections presenting the same
// certificates, per CA bundle, and never across different certificates.
import { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import t from 'tap';
import { parseCABundle } from '../../../src/server/authn/ca-bundle.js';
import { checkPeer, peerChain } from '../../../src/server/authn/peer-certificates.js';
import { createCA, issueCert } from '../../../src/util/pki.js';

function request(pem: string): IncomingMessage {
  const raw = new X509Certificate(pem).raw;
  return { socket: { getPeerCertificate: () => ({ raw }), isSessionReused: () => false } } as unknown as IncomingMessage;
}

t.test('shared by digest, per bundle', async (t) => {
  const [ca, rogueCA] = await Promise.all([createCA('front-proxy-ca'), createCA('front-proxy-ca')]);
  const [proxy, rogue] = await Promise.all([issueCert(ca, { cn: 'front-proxy-client', clientAuth: true }), issueCert(rogueCA, { cn: 'front-proxy-client', clientAuth: true })]);
  const bundle = parseCABundle(ca.cert, 'test');
  const first = peerChain(request(proxy.cert))!;
  const second = peerChain(request(proxy.cert))!;
  t.not(first.leaf, second.leaf, 'each connection parses its own certificate');
  t.equal(first.digest, second.digest);
  const a = checkPeer(first, bundle);
  t.ok(Array.isArray(a));
  t.equal(checkPeer(second, bundle), a, 'the second connection reuses the first verification');

  const r = checkPeer(peerChain(request(rogue.cert))!, bundle);
  t.ok(r instanceof Error, 'the same subject from another CA is still rejected');
  t.match((r as Error).message, /unknown authority/);

  const other = parseCABundle(rogueCA.cert, 'other');
  t.ok(checkPeer(second, other) instanceof Error, 'another bundle verifies anew');

  const later = Date.now() + 10 * 365 * 86_400_000;
  const expired = checkPeer(peerChain(request(proxy.cert))!, bundle, later);
  t.ok(expired instanceof Error, 'past the chain expiry the result is not reused');
  t.match((expired as Error).message, /expired/);
});

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

t.test('a cached failure keeps nothing of the request that found it', async (t) => {
  const [ca, rogueCA] = await Promise.all([createCA('front-proxy-ca'), createCA('other-ca')]);
  const rogue = await issueCert(rogueCA, { cn: 'someone', clientAuth: true });
  const bundle = parseCABundle(ca.cert, 'test');
  const peer = peerChain(request(rogue.cert))!;
  let context: WeakRef<object> | undefined;
  let failure: unknown;
  // As a request handler calls it: with the request's context as receiver and in a closure.
  (() => {
    const ctx = { body: Buffer.alloc(4 << 20) };
    context = new WeakRef(ctx);
    const dispatch = function (this: typeof ctx): unknown {
      return this.body.length > 0 ? checkPeer(peer, bundle) : undefined;
    };
    failure = dispatch.call(ctx);
  })();
  await new Promise((r) => setImmediate(r));
  gc();
  t.ok(failure instanceof Error);
  t.match((failure as Error).message, /unknown authority/);
  t.ok(context!.deref() === undefined, 'the context (and its body) is collected while the failure stays cached');
  const again = checkPeer(peerChain(request(rogue.cert))!, bundle);
  t.equal(again, failure, 'another connection with the same certificate gets the cached failure');
});
