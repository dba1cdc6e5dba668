// Encoded single-object responses, reused while they would be encoded the same:
// same path and negotiated encoding, same revisions of the store and both
// caches, same second (creationTimestamp is the response time in whole
// seconds). A client polling one pod (the HPA, kubectl top --watch, a
// benchmark) then costs a lookup, not a build and an encode. Freshness is still
// observed per request, from the sample's own timestamp.

import type { ApiObserver } from '../observers.js';
import { noopApiObserver } from '../observers.js';
import { encodeNegotiated, type Encoded, type Negotiated, type RequestView } from './codec/index.js';
import { TimestampTally } from './list-cache.js';
import { objectGetter, type ObjectGetter } from './object-get.js';
import type { ObjectPath } from './object-path.js';
import type { MetricsApiDeps } from './routes.js';

interface Entry {
  second: number;
  metrics: number;
  nodes: number;
  pods: number;
  enc: Encoded;
  tally: TimestampTally;
}

/** Paths remembered; past this the map starts over (a scan of many objects gains nothing from it). */
const MAX_PATHS = 4096;

export class ObjectResponses {
  private readonly get: ObjectGetter;
  private readonly now: () => number;
  private readonly observer: ApiObserver;
  private readonly byPath = new Map<string, Map<string, Entry>>();

  constructor(private readonly deps: MetricsApiDeps) {
    this.get = objectGetter(deps);
    this.now = deps.now ?? Date.now;
    this.observer = deps.observer ?? noopApiObserver;
  }

  /** The response for a GET of target at path; throws the storages' NotFound StatusErrors. */
  encode(view: RequestView, path: string, target: ObjectPath, n: Negotiated): Encoded {
    const { metrics, nodes, pods } = this.deps;
    const nowMs = this.now();
    const second = Math.floor(nowMs / 1000);
    const hit = this.byPath.get(path)?.get(n.key);
    if (hit && hit.second === second && hit.metrics === metrics.revision && hit.nodes === nodes.revision && hit.pods === pods.revision) {
      hit.tally.replay(this.observer, nowMs);
      return hit.enc;
    }
    // Revisions first: an update landing while we build is caught by the next request.
    const revisions = { metrics: metrics.revision, nodes: nodes.revision, pods: pods.revision };
    const tally = new TimestampTally();
    const obj = this.get(target, tally);
    const enc = encodeNegotiated(view, obj, n);
    if (enc.status === 200) {
      let entries = this.byPath.get(path);
      if (!entries) {
        if (this.byPath.size >= MAX_PATHS) this.byPath.clear();
        this.byPath.set(path, (entries = new Map()));
      }
      // The second the object's creationTimestamp holds (the storage read the clock itself).
      entries.set(n.key, { second: Date.parse(obj.metadata.creationTimestamp!) / 1000, ...revisions, enc, tally });
    }
    return enc;
  }
}
