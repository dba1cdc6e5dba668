// The pod watch's events read straight from their bytes: type, and the
// object's metadata name, namespace, resourceVersion and labels; everything
// else (uid, creationTimestamp, ownerReferences, annotations, managedFields)
// is skipped unbuilt. A pod churn streams tens of thousands of these lines,
// and JSON.parse built a whole object tree of each only for four fields.
//
// Only the common case is read here: an ADDED, MODIFIED, DELETED or BOOKMARK
// event with well-typed metadata. Anything else (ERROR events, unknown types,
// a field of an unexpected type, malformed JSON) returns undefined and the
// reflector parses that line with JSON.parse, so both paths end the same way.

import { DecodeError } from '../scrape/decode-error.js';
import { JsonScanner, Keys } from '../scrape/decode-json.js';
import { NameInterner } from '../scrape/name-interner.js';
import type { PodMeta } from '../api/sources.js';
import type { WatchEvent } from './reflector.js';

const OBJECT_END = 0x7d;

const EVENT = new Keys(['type', 'object']);
const OBJECT = new Keys(['metadata']);
const METADATA = new Keys(['name', 'namespace', 'resourceVersion', 'labels']);

/** Events between two ticks of the string table: strings unread for two such spans are dropped. */
const EVENTS_PER_TICK = 4096;

export class PodMetadataEventDecoder {
  /** Namespaces and label keys and values: the same few strings event after event. */
  private readonly strings = new NameInterner();
  private events = 0;

  /** One watch line of PartialObjectMetadata (or full Pod) events; undefined: leave it to JSON.parse. */
  decode(line: Buffer): WatchEvent<PodMeta> | undefined {
    if (++this.events === EVENTS_PER_TICK) {
      this.events = 0;
      this.strings.nextTick();
    }
    try {
      return this.read(new JsonScanner(line, 'watch event JSON'));
    } catch (e) {
      if (e instanceof DecodeError) return undefined;
      throw e;
    }
  }

  private read(s: JsonScanner): WatchEvent<PodMeta> | undefined {
    let type: string | undefined;
    let name: string | undefined;
    let namespace: string | undefined;
    let resourceVersion = '';
    let labels: Record<string, string> = {};
    if (!s.objectStart('event')) return undefined;
    for (let e = s.member(EVENT, true); e >= 0; e = s.member(EVENT, false)) {
      if (e === 0) {
        type = s.string('type', this.strings);
        continue;
      }
      // A repeated "object", or "metadata", replaces the first, as in JSON.parse.
      name = namespace = undefined;
      resourceVersion = '';
      labels = {};
      if (!s.objectStart('object')) return undefined;
      for (let o = s.member(OBJECT, true); o >= 0; o = s.member(OBJECT, false)) {
        name = namespace = undefined;
        resourceVersion = '';
        labels = {};
        if (!s.objectStart('metadata')) return undefined;
        for (let m = s.member(METADATA, true); m >= 0; m = s.member(METADATA, false)) {
          if (m === 0) name = s.string('name');
          else if (m === 1) namespace = s.string('namespace', this.strings);
          else if (m === 2) resourceVersion = s.string('resourceVersion');
          else if (!this.readLabels(s, (labels = {}))) return undefined;
        }
      }
    }
    s.end();
    if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED' && type !== 'BOOKMARK') return undefined;
    if (type === 'BOOKMARK' || !name || !namespace) return { type, decoded: undefined, resourceVersion };
    return { type, decoded: { key: `${namespace}/${name}`, item: { namespace, name, labels } }, resourceVersion };
  }

  /** map[string]string into out; false for what stringMap() would treat otherwise ("__proto__"). */
  private readLabels(s: JsonScanner, out: Record<string, string>): boolean {
    if (!s.objectStart('labels') || s.emptyNext(OBJECT_END)) return true;
    do {
      const key = s.keyText(this.strings);
      if (key === '__proto__') return false;
      out[key] = s.string('labels', this.strings);
    } while (s.moreNext(OBJECT_END));
    return true;
  }
}
