// Checks the store's packed storage from the inside (test helper): every slot
// in use is owned by exactly one live node, listed by it, indexed under its
// name, and its records lie inside that node's storage without overlapping
// another's; the running counts match, and no namespace or name list is kept
// without a pod. Returns what is wrong.
import type { LRUCache } from 'lru-cache';
import type { MetricsStore } from '../../src/store/index.js';
import { hasPrev } from '../../src/store/layout.js';
import { containerBase, type NodeEntries, type NodeEntry } from '../../src/store/node-entry.js';
import type { NodePods } from '../../src/store/node-pods.js';
import type { PodIndex } from '../../src/store/pod-index.js';
import { NO_NODE, type PodTable } from '../../src/store/pod-table.js';

export function problems(store: MetricsStore): string[] {
  const out: string[] = [];
  const cache = store['cache'] as LRUCache<string, NodeEntry>;
  const table = store['table'] as PodTable;
  const index = store['pods'] as PodIndex;
  const nodePods = store['nodePods'] as NodePods;
  const tick = store['tick'] as number;
  let owned = 0;
  let containers = 0;
  let withPrev = 0;
  const entries = store['nodeEntries'] as NodeEntries;
  for (const [name, e] of cache.entries()) {
    if (!e.live) out.push(`${name}: cached but not live`);
    if (entries.byId[e.id] !== e) out.push(`${name}: not found by its id ${e.id}`);
    if (e.data.length < containerBase(e.series)) out.push(`${name}: ${e.series} containers do not fit its data`);
    const covered = new Uint8Array(e.series);
    const listed = new Set<number>();
    let next = 0;
    for (let i = 0; i < e.podCount; i++) {
      const s = e.pods[i]!;
      if (listed.has(s)) out.push(`${name}: slot ${s} listed twice`);
      listed.add(s);
      if (table.owner[s] !== e.id) {
        if (e.seenTick === tick) out.push(`${name}: stored this tick but lists slot ${s} it does not own`);
        continue;
      }
      owned++;
      const pod = `${table.namespaceOf(s)}/${table.name[s]}`;
      if (index.get(table.namespaceOf(s), table.name[s]!) !== s) out.push(`${name}: ${pod} (slot ${s}) not indexed`);
      const first = table.first[s]!;
      const n = table.containersOf(s).length;
      if (n < 1 || first < 0 || first + n > e.series) out.push(`${name}: ${pod} containers [${first}, ${first + n}) outside [0, ${e.series})`);
      if (e.seenTick === tick && first !== next) out.push(`${name}: ${pod} starts at ${first}, not ${next}, after the pods listed before it`);
      next = first + n;
      let prev = 0;
      for (let c = first; c < first + n && c < e.series; c++) {
        if (covered[c]++) out.push(`${name}: container ${c} held by two pods`);
        if (hasPrev(e.data, containerBase(c))) prev++;
      }
      if (prev !== table.withPrev[s]) out.push(`${name}: ${pod} counts ${table.withPrev[s]} containers with a previous point, has ${prev}`);
      containers += n;
      withPrev += prev;
    }
    if (e.seenTick === tick && next !== e.series) out.push(`${name}: pods hold ${next} of its ${e.series} containers`);
  }
  if (owned !== table.size) out.push(`${owned} slots owned by live nodes, ${table.size} in use`);
  const ids = entries.byId.filter((e) => e !== undefined).length;
  if (ids !== cache.size) out.push(`${ids} node ids in use for ${cache.size} nodes`);
  const inUse = new Set<string>();
  for (let s = 0; s < table.extent; s++) if (table.owner[s] !== NO_NODE) inUse.add(table.namespaceOf(s));
  const lists = new Set<number>();
  for (let s = 0; s < table.extent; s++) if (table.owner[s] !== NO_NODE) lists.add(table.list[s]!);
  if (lists.size !== table.lists.size) out.push(`${table.lists.size} name lists kept, ${lists.size} in use`);
  if (inUse.size !== table.namespaces.size) out.push(`${table.namespaces.size} namespaces kept, ${inUse.size} in use`);
  if (containers !== nodePods.containers) out.push(`${containers} containers held, ${nodePods.containers} counted`);
  if (withPrev !== nodePods.containersWithPrev) out.push(`${withPrev} containers with a previous point, ${nodePods.containersWithPrev} counted`);
  if (containers !== store.seriesCount().containers) out.push('seriesCount() disagrees');
  return out;
}
