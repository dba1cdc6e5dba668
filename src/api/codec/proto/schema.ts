// The protobuf messages this server writes, in proto2 with upstream's field numbers
// (k8s.io/apimachinery pkg/runtime, pkg/api/resource, pkg/apis/meta/v1 and
// k8s.io/metrics pkg/apis/metrics/v1beta1 generated.proto). Only the messages and
// fields our objects use are declared; Go decoders skip nothing we leave out.

import protobuf from 'protobufjs';

const PROTO = `
syntax = "proto2";

package k8s.io.apimachinery.pkg.runtime;
message TypeMeta {
  optional string apiVersion = 1;
  optional string kind = 2;
}
message Unknown {
  optional TypeMeta typeMeta = 1;
  optional bytes raw = 2;
  optional string contentEncoding = 3;
  optional string contentType = 4;
}
`;

const RESOURCE = `
syntax = "proto2";
package k8s.io.apimachinery.pkg.api.resource;
message Quantity {
  optional string string = 1;
}
`;

const META = `
syntax = "proto2";
package k8s.io.apimachinery.pkg.apis.meta.v1;
message Time {
  optional int64 seconds = 1;
  optional int32 nanos = 2;
}
message Duration {
  optional int64 duration = 1;
}
message OwnerReference {
  optional string kind = 1;
  optional string name = 3;
  optional string uid = 4;
  optional string apiVersion = 5;
  optional bool controller = 6;
  optional bool blockOwnerDeletion = 7;
}
// map<string, string> as gogo writes it: entries in the order given (sorted by the builder),
// key and value always written. A protobufjs map would follow JS key order (integer-like keys first).
message StringEntry {
  optional string key = 1;
  optional string value = 2;
}
message ObjectMeta {
  optional string name = 1;
  optional string generateName = 2;
  optional string namespace = 3;
  optional string selfLink = 4;
  optional string uid = 5;
  optional string resourceVersion = 6;
  optional int64 generation = 7;
  optional Time creationTimestamp = 8;
  optional Time deletionTimestamp = 9;
  optional int64 deletionGracePeriodSeconds = 10;
  repeated StringEntry labels = 11;
  repeated StringEntry annotations = 12;
  repeated OwnerReference ownerReferences = 13;
  repeated string finalizers = 14;
}
message ListMeta {
  optional string selfLink = 1;
  optional string resourceVersion = 2;
  optional string continue = 3;
  optional int64 remainingItemCount = 4;
}
message StatusCause {
  optional string reason = 1;
  optional string message = 2;
  optional string field = 3;
}
message StatusDetails {
  optional string name = 1;
  optional string group = 2;
  optional string kind = 3;
  repeated StatusCause causes = 4;
  optional int32 retryAfterSeconds = 5;
  optional string uid = 6;
}
message Status {
  optional ListMeta metadata = 1;
  optional string status = 2;
  optional string message = 3;
  optional string reason = 4;
  optional StatusDetails details = 5;
  optional int32 code = 6;
}
message GroupVersionForDiscovery {
  optional string groupVersion = 1;
  optional string version = 2;
}
message ServerAddressByClientCIDR {
  optional string clientCIDR = 1;
  optional string serverAddress = 2;
}
message APIGroup {
  optional string name = 1;
  repeated GroupVersionForDiscovery versions = 2;
  optional GroupVersionForDiscovery preferredVersion = 3;
  repeated ServerAddressByClientCIDR serverAddressByClientCIDRs = 4;
}
message APIGroupList {
  repeated APIGroup groups = 1;
}
message Verbs {
  repeated string items = 1;
}
message APIResource {
  optional string name = 1;
  optional bool namespaced = 2;
  optional string kind = 3;
  optional Verbs verbs = 4;
  repeated string shortNames = 5;
  optional string singularName = 6;
  repeated string categories = 7;
  optional string group = 8;
  optional string version = 9;
  optional string storageVersionHash = 10;
}
message APIResourceList {
  optional string groupVersion = 1;
  repeated APIResource resources = 2;
}
message PartialObjectMetadata {
  optional ObjectMeta metadata = 1;
}
message PartialObjectMetadataList {
  optional ListMeta metadata = 1;
  repeated PartialObjectMetadata items = 2;
}
`;

const METRICS = `
syntax = "proto2";
package k8s.io.metrics.pkg.apis.metrics.v1beta1;
// map<string, Quantity> written as its entries (see StringEntry).
message QuantityEntry {
  optional string key = 1;
  optional k8s.io.apimachinery.pkg.api.resource.Quantity value = 2;
}
message ContainerMetrics {
  optional string name = 1;
  repeated QuantityEntry usage = 2;
}
message NodeMetrics {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time timestamp = 2;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Duration window = 3;
  repeated QuantityEntry usage = 4;
}
message NodeMetricsList {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ListMeta metadata = 1;
  repeated NodeMetrics items = 2;
}
message PodMetrics {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time timestamp = 2;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Duration window = 3;
  repeated ContainerMetrics containers = 4;
}
message PodMetricsList {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ListMeta metadata = 1;
  repeated PodMetrics items = 2;
}
`;

/** The proto2 sources, for tests and for anyone decoding our responses. */
export const PROTO_SOURCES: Readonly<Record<string, string>> = {
  'k8s.io/apimachinery/pkg/runtime/generated.proto': PROTO,
  'k8s.io/apimachinery/pkg/api/resource/generated.proto': RESOURCE,
  'k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto': META,
  'k8s.io/metrics/pkg/apis/metrics/v1beta1/generated.proto': METRICS,
};

function buildRoot(): protobuf.Root {
  const root = new protobuf.Root();
  for (const src of Object.values(PROTO_SOURCES)) protobuf.parse(src, root, { keepCase: true });
  root.resolveAll();
  return root;
}

export const protoRoot = buildRoot();

export const RUNTIME = 'k8s.io.apimachinery.pkg.runtime';
export const META_V1 = 'k8s.io.apimachinery.pkg.apis.meta.v1';
export const METRICS_V1BETA1 = 'k8s.io.metrics.pkg.apis.metrics.v1beta1';

export function protoType(fullName: string): protobuf.Type {
  return protoRoot.lookupType(fullName);
}
