// The decoders' object recycler: a released scrape's objects come back, a pod
// still in use never does, and what waits for reuse is bounded.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { decodeResource } from '../../src/scrape/decode-resource.js';
import { decodeSummary } from '../../src/scrape/decode-summary.js';
import { NameInterner } from '../../src/scrape/name-interner.js';
import type { NodeScrape } from '../../src/scrape/types.js';
import { ScrapeRecycler } from '../../src/scrape/scrape-recycler.js';
import { fixturePath } from '../helpers/paths.js';

const summary = readFileSync(fixturePath('kubelet', 'summary', 'nri-k8s-1.35.json'));

t.test('decoding with a recycler gives what a fresh decode gives, again and again', async (t) => {
  const want = decodeSummary(summary, 0);
  const r = new ScrapeRecycler();
  const first = decodeSummary(summary, 0, undefined, r);
  t.same(first, want);
  const firstPod = first.pods[0]!;
  const firstNode = first.node;
  t.ok(firstNode, 'the fixture has a node point');
  r.release(first);
  t.equal(first.pods.length, 0, 'a released scrape is emptied (a second release is harmless)');
  r.release(first);
  const again = decodeSummary(summary, 0, undefined, r);
  t.same(again, want);
  t.ok(again.pods.includes(firstPod), 'pod objects are reused');
  t.equal(again, first, 'so is the scrape object');
  t.equal(again.node, firstNode, 'and its node point');
  t.equal(new Set(again.pods).size, again.pods.length, 'no pod object handed out twice');
  const points = again.pods.flatMap((p) => p.containers);
  t.equal(new Set(points).size, points.length, 'no container point handed out twice');
});

t.test('a pod whose "containers" appears twice keeps the last list, and its object is not freed while in use', async (t) => {
  const container = (name: string) =>
    `{"name":"${name}","startTime":"2026-01-01T00:00:00Z","cpu":{"time":"2026-01-01T00:01:00Z","usageCoreNanoSeconds":5},"memory":{"workingSetBytes":7}}`;
  const body = Buffer.from(
    `{"node":{"nodeName":"n"},"pods":[{"podRef":{"name":"p","namespace":"ns"},"containers":[${container('first')},${container('second')}],"containers":[${container('last')}]}]}`,
  );
  const r = new ScrapeRecycler();
  const s1 = decodeSummary(body, 0, undefined, r);
  t.same(s1.pods[0]!.containers.map((c) => c.name), ['last']);
  t.same(decodeSummary(body, 0), s1, 'same as a fresh decode');
  const s2 = decodeSummary(body, 0, undefined, r);
  t.not(s1.pods[0], s2.pods[0], 'two live scrapes never share a pod object');
});

t.test('a reused scrape carries nothing of its last node: no node point, no pods from an earlier "pods" member', async (t) => {
  const r = new ScrapeRecycler();
  const full = decodeSummary(summary, 0, undefined, r);
  r.release(full);
  const point = `"startTime":"2026-01-01T00:00:00Z","cpu":{"time":"2026-01-01T00:01:00Z","usageCoreNanoSeconds":5},"memory":{"workingSetBytes":7}`;
  const pod = (name: string) => `{"podRef":{"name":"${name}","namespace":"ns"},"containers":[{"name":"c",${point}}]}`;
  // The node point lacks CPU: dropped. The first "pods" member is replaced by the second.
  const body = Buffer.from(`{"node":{"nodeName":"n","memory":{"workingSetBytes":1}},"pods":[${pod('a')},${pod('b')}],"pods":[${pod('c')}]}`);
  const s = decodeSummary(body, 0, undefined, r);
  t.equal(s, full, 'the released scrape object');
  t.equal(s.node, undefined, 'no node point');
  t.same(s.pods.map((p) => p.name), ['c']);
  t.same(s, decodeSummary(body, 0), 'same as a fresh decode');
});

t.test('what waits for reuse is bounded', async (t) => {
  const r = new ScrapeRecycler();
  const held = Array.from({ length: 3000 }, () => decodeSummary(summary, 0, undefined, r));
  for (const s of held) r.release(s);
  t.ok(r.free.containers <= 65_536, `${r.free.containers} container points kept`);
  t.ok(r.free.pods <= 32_768, `${r.free.pods} pods kept`);
  t.equal(r.free.scrapes, 256, 'scrape objects kept');
  t.equal(r.free.nodePoints, 256, 'node points kept');
});

t.test('/metrics/resource decoding with a recycler and interner gives what a fresh decode gives, round after round', async (t) => {
  const kind = readFileSync(fixturePath('kubelet', 'resource', 'metrics-server-kind-1.txt'));
  // A second node: one complete pod, and one whose container lacks memory (dropped, its objects recycled).
  const other = Buffer.from(
    [
      'container_cpu_usage_seconds_total{container="app",namespace="ns",pod="full"} 12.5 1700000000000',
      'container_memory_working_set_bytes{container="app",namespace="ns",pod="full"} 1024 1700000000000',
      'container_start_time_seconds{container="app",namespace="ns",pod="full"} 1.6e+09 1700000000000',
      'container_cpu_usage_seconds_total{container="app",namespace="ns",pod="partial"} 3 1700000000000',
      '',
    ].join('\n'),
  );
  const now = 1_700_000_000_500;
  const wantKind = decodeResource(kind, now);
  const wantOther = decodeResource(other, now);
  t.same(wantOther.pods.map((p) => p.name), ['full']);
  const r = new ScrapeRecycler();
  const names = new NameInterner();
  let held: NodeScrape[] = [];
  for (let round = 0; round < 5; round++) {
    const a = decodeResource(kind, now, names, r);
    for (const s of held) r.release(s);
    const b = decodeResource(other, now, names, r);
    t.same(a, wantKind, `round ${round}: kind`);
    t.same(b, wantOther, `round ${round}: the other node`);
    held = [a, b];
  }
});
