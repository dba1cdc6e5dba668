// The simulated apiserver's event history: exactly the last `historySize`
// events replay to a watch from an older resourceVersion, however many events
// went by (the dead prefix is cut in bulk); anything older is 410 Expired.
import t from 'tap';
import { UsageModel } from '../../src/sim/model.js';
import { ResourceStore, type WatcherSpec } from '../../src/sim/resource-store.js';
import type { Json } from '../../src/sim/objects.js';

function watcher(got: string[]): WatcherSpec {
  return {
    kind: 'pods',
    matches: () => true,
    send: (type, object) => got.push(`${type} ${String((object.metadata as Json).name)}`),
  };
}

t.test('a bounded history: the last events replay, older resourceVersions expire', async (t) => {
  const model = new UsageModel({ nodes: 1, podsPerNode: 0, containersPerPod: 1 });
  const store = new ResourceStore(model, 5);
  const node = model.nodes[0]!.name;
  // 23 events: the history overflows more than four times over.
  for (let i = 0; i < 23; i++) model.addPod(node, { namespace: 'default', name: `p${i}` });
  const last = store.rv;
  t.ok(store.retains(last - 5), 'the last five events are held');
  t.notOk(store.retains(last - 6), 'the one before them is not');
  const got: string[] = [];
  const stop = store.watch(watcher(got), last - 5);
  t.same(got, ['ADDED p18', 'ADDED p19', 'ADDED p20', 'ADDED p21', 'ADDED p22'], 'replayed in order, each once');
  model.addPod(node, { namespace: 'default', name: 'p23' });
  t.equal(got.at(-1), 'ADDED p23', 'then live events');
  stop();
  t.throws(() => store.watch(watcher([]), last - 5), { message: /too old resource version/ }, 'one more event expired the oldest of them');
  const again: string[] = [];
  store.watch(watcher(again), last - 4);
  t.same(again, ['ADDED p19', 'ADDED p20', 'ADDED p21', 'ADDED p22', 'ADDED p23']);
});
