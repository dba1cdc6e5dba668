// The per-node kubelet families render exactly what prom-client's Histogram and
// Gauge export for the same observations (the series they replaced), and drop
// nodes as the self-metrics observer asks.
import t from 'tap';
import { Gauge, Histogram, Registry } from 'prom-client';
import { KubeletNodeSeries } from '../../src/server/kubelet-node-series.js';
import { DEF_BUCKETS, SELF_METRICS } from '../../src/server/self-metrics.js';
import { TimeSlicer } from '../../src/util/time-slice.js';

const duration = SELF_METRICS.kubeletRequestDuration;
const lastRequest = SELF_METRICS.kubeletLastRequestTime;

/** prom-client's rendering of the same two families. */
function reference(): { registry: Registry; observe(node: string, sec: number, at: number): void; remove(node: string): void } {
  const registry = new Registry();
  const gauge = new Gauge({ name: lastRequest.name, help: lastRequest.help, labelNames: ['node'], registers: [registry] });
  const histogram = new Histogram({ name: duration.name, help: duration.help, labelNames: ['node'], buckets: [...DEF_BUCKETS], registers: [registry] });
  return {
    registry,
    observe(node, sec, at) {
      histogram.observe({ node }, sec);
      gauge.set({ node }, at);
    },
    remove(node) {
      histogram.remove({ node });
      gauge.remove({ node });
    },
  };
}

t.test('same text as prom-client for the same observations', async (t) => {
  const ours = new KubeletNodeSeries({ duration, lastRequest, buckets: DEF_BUCKETS });
  const theirs = reference();
  const observations: [string, number, number][] = [
    ['node-a', 0.0123, 1_700_000_000],
    ['node-b', 0.005, 1_700_000_001], // on a bound: counted in that bucket
    ['node-a', 0.2, 1_700_000_015],
    ['node-c', 42, 1_700_000_016], // above every bound: only +Inf
    ['we"ird\\name\nx', 0.7, 1_700_000_017], // escaped like prom-client
    ['node-b', 0.1 + 0.2, 1_700_000_030], // a sum that is not a short decimal
  ];
  for (const [node, sec, at] of observations) {
    ours.observe(node, sec, at, 0);
    theirs.observe(node, sec, at);
  }
  t.equal(`${ours.render()}\n`, await theirs.registry.metrics());
  ours.remove('node-b');
  theirs.remove('node-b');
  t.equal(`${ours.render()}\n`, await theirs.registry.metrics(), 'and after a node is removed');
  t.equal(ours.size, 3);
});

t.test('no nodes: both families with their HELP and TYPE lines only', async (t) => {
  const ours = new KubeletNodeSeries({ duration, lastRequest, buckets: DEF_BUCKETS });
  t.equal(`${ours.render()}\n`, await reference().registry.metrics());
});

t.test('sweep drops nodes last requested before the given tick, and names them', async (t) => {
  const s = new KubeletNodeSeries({ duration, lastRequest, buckets: [1] });
  s.observe('a', 0.1, 1, 0);
  s.observe('b', 0.1, 1, 1);
  s.observe('c', 0.1, 1, 2);
  s.observe('a', 0.1, 2, 2);
  t.same(s.sweep(2), ['b']);
  t.equal(s.size, 2);
  t.notMatch(s.render(), /node="b"/);
  t.match(s.render(), /_count\{node="a"\} 2$/m, 'a kept both observations');
  t.same(s.sweep(3), ['a', 'c']);
  t.equal(s.size, 0);
});

t.test('written a time slice at a time: the same text as prom-client, for the nodes present when it started', async (t) => {
  const ours = new KubeletNodeSeries({ duration, lastRequest, buckets: DEF_BUCKETS });
  const theirs = reference();
  for (let i = 0; i < 700; i++) {
    const node = i % 50 === 0 ? `nöde-"${i}"` : `node-${i}`;
    ours.observe(node, (i % 13) * 0.01, 1_700_000_000 + i, 0);
    theirs.observe(node, (i % 13) * 0.01, 1_700_000_000 + i);
  }
  let yields = 0;
  const slicer = new TimeSlicer(0);
  const next = slicer.next.bind(slicer);
  // A node requested while the text is written waits for the next scrape of /metrics.
  slicer.next = () => (yields++ === 0 && ours.observe('node-late', 0.1, 1_800_000_000, 1), next());
  const body = await ours.renderBuffer(slicer);
  t.ok(yields >= 4, `yielded ${yields} times`);
  t.equal(`${body.toString('utf8')}\n`, await theirs.registry.metrics());
  t.ok(ours.render().includes('node-late'), 'in the next rendering');
});
