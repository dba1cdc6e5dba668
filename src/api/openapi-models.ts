// OpenAPI models for metrics.k8s.io/v1beta1 and the meta types they reference,
// named and shaped as metrics-server's generated definitions (openapi-gen model
// names, required fields, x-kubernetes-* extensions). Written once, rendered for
// Swagger 2.0 (#/definitions) and OpenAPI 3 (#/components/schemas).

export type Schema = Record<string, unknown>;
/** Turns a model name into a reference for the target document version. */
export type RefFn = (model: string, extra?: Schema) => Schema;

export const METRICS = 'io.k8s.metrics.pkg.apis.metrics.v1beta1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

export const MODEL = {
  NodeMetrics: `${METRICS}.NodeMetrics`,
  NodeMetricsList: `${METRICS}.NodeMetricsList`,
  PodMetrics: `${METRICS}.PodMetrics`,
  PodMetricsList: `${METRICS}.PodMetricsList`,
  ContainerMetrics: `${METRICS}.ContainerMetrics`,
  ObjectMeta: `${META}.ObjectMeta`,
  ListMeta: `${META}.ListMeta`,
  Time: `${META}.Time`,
  Duration: `${META}.Duration`,
  OwnerReference: `${META}.OwnerReference`,
  ManagedFieldsEntry: `${META}.ManagedFieldsEntry`,
  FieldsV1: `${META}.FieldsV1`,
  APIResourceList: `${META}.APIResourceList`,
  APIResource: `${META}.APIResource`,
  APIGroup: `${META}.APIGroup`,
  GroupVersionForDiscovery: `${META}.GroupVersionForDiscovery`,
  ServerAddressByClientCIDR: `${META}.ServerAddressByClientCIDR`,
  Status: `${META}.Status`,
  StatusDetails: `${META}.StatusDetails`,
  StatusCause: `${META}.StatusCause`,
  Quantity: QUANTITY,
} as const;

const KIND_DESC =
  'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';
const API_VERSION_DESC =
  'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources';
const OBJECT_META_DESC = "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
const LIST_META_DESC = 'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';
const INTERVAL_DESC = 'The following fields define time interval from which metrics were collected from the interval [Timestamp-Window, Timestamp].';
const USAGE_DESC = 'The memory usage is the memory working set.';

const str = (description?: string, dflt?: string): Schema => ({ ...(description ? { description } : {}), ...(dflt !== undefined ? { default: dflt } : {}), type: 'string' });
const int = (format: 'int32' | 'int64', description: string): Schema => ({ description, type: 'integer', format });
const bool = (description: string): Schema => ({ description, type: 'boolean' });
const strMap = (description: string): Schema => ({ description, type: 'object', additionalProperties: { default: '', type: 'string' } });
const strList = (description: string, listType = 'atomic'): Schema => ({ description, type: 'array', items: { default: '', type: 'string' }, 'x-kubernetes-list-type': listType });
const gvk = (kind: string) => ({ 'x-kubernetes-group-version-kind': [{ group: 'metrics.k8s.io', kind, version: 'v1beta1' }] });

function typeMeta(): Record<string, Schema> {
  return { apiVersion: str(API_VERSION_DESC), kind: str(KIND_DESC) };
}

/** Every model, keyed by model name. */
export function models(ref: RefFn, quantity: Schema): Record<string, Schema> {
  const usage: Schema = { description: USAGE_DESC, type: 'object', additionalProperties: ref(MODEL.Quantity) };
  const list = (description: string, itemModel: string, itemsDesc: string, kind: string): Schema => ({
    description,
    type: 'object',
    required: ['items'],
    properties: {
      ...typeMeta(),
      items: { description: itemsDesc, type: 'array', items: ref(itemModel) },
      metadata: ref(MODEL.ListMeta, { description: LIST_META_DESC, default: {} }),
    },
    ...gvk(kind),
  });

  return {
    [MODEL.NodeMetrics]: {
      description: 'NodeMetrics sets resource usage metrics of a node.',
      type: 'object',
      required: ['timestamp', 'window', 'usage'],
      properties: {
        ...typeMeta(),
        metadata: ref(MODEL.ObjectMeta, { description: OBJECT_META_DESC, default: {} }),
        timestamp: ref(MODEL.Time, { description: INTERVAL_DESC }),
        usage,
        window: ref(MODEL.Duration),
      },
      ...gvk('NodeMetrics'),
    },
    [MODEL.NodeMetricsList]: list('NodeMetricsList is a list of NodeMetrics.', MODEL.NodeMetrics, 'List of node metrics.', 'NodeMetricsList'),
    [MODEL.PodMetrics]: {
      description: 'PodMetrics sets resource usage metrics of a pod.',
      type: 'object',
      required: ['timestamp', 'window', 'containers'],
      properties: {
        ...typeMeta(),
        containers: {
          description: 'Metrics for all containers are collected within the same time window.',
          type: 'array',
          items: ref(MODEL.ContainerMetrics, { default: {} }),
          'x-kubernetes-list-type': 'atomic',
        },
        metadata: ref(MODEL.ObjectMeta, { description: OBJECT_META_DESC, default: {} }),
        timestamp: ref(MODEL.Time, { description: INTERVAL_DESC }),
        window: ref(MODEL.Duration),
      },
      ...gvk('PodMetrics'),
    },
    [MODEL.PodMetricsList]: list('PodMetricsList is a list of PodMetrics.', MODEL.PodMetrics, 'List of pod metrics.', 'PodMetricsList'),
    [MODEL.ContainerMetrics]: {
      description: 'ContainerMetrics sets resource usage metrics of a container.',
      type: 'object',
      required: ['name', 'usage'],
      properties: {
        name: str('Container name corresponding to the one from pod.spec.containers.', ''),
        usage,
      },
    },
    [MODEL.Quantity]: quantity,
    [MODEL.Time]: {
      description: 'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON. Wrappers are provided for many of the factory methods that the time package offers.',
      type: 'string',
      format: 'date-time',
    },
    [MODEL.Duration]: {
      description: 'Duration is a wrapper around time.Duration which supports correct marshaling to YAML and JSON. In particular, it marshals into strings, which can be used as map keys in json.',
      type: 'string',
    },
    [MODEL.ListMeta]: {
      description: 'ListMeta describes metadata that synthetic resources must have, including lists and various status objects. A resource may have only one of {ObjectMeta, ListMeta}.',
      type: 'object',
      properties: {
        continue: str('continue may be set if the user set a limit on the number of items returned, and indicates that the server has more data available.'),
        remainingItemCount: int('int64', 'remainingItemCount is the number of subsequent items in the list which are not included in this list response.'),
        resourceVersion: str("String that identifies the server's internal version of this object that can be used by clients to determine when objects have changed."),
        selfLink: str('Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.'),
      },
    },
    [MODEL.ObjectMeta]: {
      description: 'ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.',
      type: 'object',
      properties: {
        annotations: strMap('Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata.'),
        creationTimestamp: ref(MODEL.Time, { description: 'CreationTimestamp is a timestamp representing the server time when this object was created. For metrics objects it is the time the response was built.' }),
        deletionGracePeriodSeconds: int('int64', 'Number of seconds allowed for this object to gracefully terminate before it will be removed from the system.'),
        deletionTimestamp: ref(MODEL.Time, { description: 'DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted.' }),
        finalizers: strList('Must be empty before the object is deleted from the registry.', 'set'),
        generateName: str('GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided.'),
        generation: int('int64', 'A sequence number representing a specific generation of the desired state.'),
        labels: strMap('Map of string keys and values that can be used to organize and categorize (scope and select) objects.'),
        managedFields: {
          description: 'ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow.',
          type: 'array',
          items: ref(MODEL.ManagedFieldsEntry, { default: {} }),
          'x-kubernetes-list-type': 'atomic',
        },
        name: str('Name must be unique within a namespace. For metrics objects it is the name of the node or pod.'),
        namespace: str('Namespace defines the space within which each name must be unique. Empty for cluster-scoped objects such as NodeMetrics.'),
        ownerReferences: {
          description: 'List of objects depended by this object.',
          type: 'array',
          items: ref(MODEL.OwnerReference, { default: {} }),
          'x-kubernetes-list-map-keys': ['uid'],
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-patch-merge-key': 'uid',
          'x-kubernetes-patch-strategy': 'merge',
        },
        resourceVersion: str("An opaque value that represents the internal version of this object that can be used by clients to determine when objects have changed."),
        selfLink: str('Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.'),
        uid: str('UID is the unique in time and space value for this object.'),
      },
    },
    [MODEL.OwnerReference]: {
      description: 'OwnerReference contains enough information to let you identify an owning object.',
      type: 'object',
      required: ['apiVersion', 'kind', 'name', 'uid'],
      properties: {
        apiVersion: str('API version of the referent.', ''),
        blockOwnerDeletion: bool('If true, AND if the owner has the "foregroundDeletion" finalizer, then the owner cannot be deleted from the key-value store until this reference is removed.'),
        controller: bool('If true, this reference points to the managing controller.'),
        kind: str('Kind of the referent.', ''),
        name: str('Name of the referent.', ''),
        uid: str('UID of the referent.', ''),
      },
      'x-kubernetes-map-type': 'atomic',
    },
    [MODEL.ManagedFieldsEntry]: {
      description: 'ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.',
      type: 'object',
      properties: {
        apiVersion: str('APIVersion defines the version of this resource that this field set applies to.'),
        fieldsType: str('FieldsType is the discriminator for the different fields format and version. There is currently only one possible value: "FieldsV1"'),
        fieldsV1: ref(MODEL.FieldsV1, { description: 'FieldsV1 holds the first JSON version format as described in the "FieldsV1" type.' }),
        manager: str('Manager is an identifier of the workflow managing these fields.'),
        operation: str("Operation is the type of operation which lead to this ManagedFieldsEntry being created. The only valid values for this field are 'Apply' and 'Update'."),
        subresource: str('Subresource is the name of the subresource used to update that object, or empty string if the object was updated through the main resource.'),
        time: ref(MODEL.Time, { description: 'Time is the timestamp of when the ManagedFields entry was added.' }),
      },
    },
    [MODEL.FieldsV1]: {
      description: 'FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format.',
      type: 'object',
    },
    [MODEL.APIResourceList]: {
      description: 'APIResourceList is a list of APIResource, it is used to expose the name of the resources supported in a specific group and version, and if the resource is namespaced.',
      type: 'object',
      required: ['groupVersion', 'resources'],
      properties: {
        ...typeMeta(),
        groupVersion: str('groupVersion is the group and version this APIResourceList is for.', ''),
        resources: { description: 'resources contains the name of the resources and if they are namespaced.', type: 'array', items: ref(MODEL.APIResource, { default: {} }), 'x-kubernetes-list-type': 'atomic' },
      },
      'x-kubernetes-group-version-kind': [{ group: '', kind: 'APIResourceList', version: 'v1' }],
    },
    [MODEL.APIResource]: {
      description: 'APIResource specifies the name of a resource and whether it is namespaced.',
      type: 'object',
      required: ['name', 'singularName', 'namespaced', 'kind', 'verbs'],
      properties: {
        categories: strList('categories is a list of the grouped resources this resource belongs to'),
        group: str('group is the preferred group of the resource.'),
        kind: str("kind is the kind for the resource (e.g. 'Foo' is the kind for a resource 'foo')", ''),
        name: str('name is the plural name of the resource.', ''),
        namespaced: { ...bool('namespaced indicates if a resource is namespaced or not.'), default: false },
        shortNames: strList('shortNames is a list of suggested short names of the resource.'),
        singularName: str('singularName is the singular name of the resource.', ''),
        storageVersionHash: str('The hash value of the storage version, the version this resource is converted to when written to the data store.'),
        verbs: { description: 'verbs is a list of supported kube verbs', type: 'array', items: { default: '', type: 'string' } },
        version: str('version is the preferred version of the resource.'),
      },
    },
    [MODEL.APIGroup]: {
      description: 'APIGroup contains the name, the supported versions, and the preferred version of a group.',
      type: 'object',
      required: ['name', 'versions'],
      properties: {
        ...typeMeta(),
        name: str('name is the name of the group.', ''),
        preferredVersion: ref(MODEL.GroupVersionForDiscovery, { description: 'preferredVersion is the version preferred by the API server, which probably is the storage version.', default: {} }),
        serverAddressByClientCIDRs: {
          description: 'a map of client CIDR to server address that is serving this group.',
          type: 'array',
          items: ref(MODEL.ServerAddressByClientCIDR, { default: {} }),
          'x-kubernetes-list-type': 'atomic',
        },
        versions: { description: 'versions are the versions supported in this group.', type: 'array', items: ref(MODEL.GroupVersionForDiscovery, { default: {} }), 'x-kubernetes-list-type': 'atomic' },
      },
      'x-kubernetes-group-version-kind': [{ group: '', kind: 'APIGroup', version: 'v1' }],
    },
    [MODEL.GroupVersionForDiscovery]: {
      description: 'GroupVersion contains the "group/version" and "version" string of a version.',
      type: 'object',
      required: ['groupVersion', 'version'],
      properties: {
        groupVersion: str('groupVersion specifies the API group and version in the form "group/version"', ''),
        version: str('version specifies the version in the form of "version".', ''),
      },
    },
    [MODEL.ServerAddressByClientCIDR]: {
      description: 'ServerAddressByClientCIDR helps the client to determine the server address that they should use, depending on the clientCIDR that they match.',
      type: 'object',
      required: ['clientCIDR', 'serverAddress'],
      properties: {
        clientCIDR: str('The CIDR with which clients can match their IP to figure out the server address that they should use.', ''),
        serverAddress: str('Address of this server, suitable for a client that matches the above CIDR.', ''),
      },
    },
    [MODEL.Status]: {
      description: 'Status is a return value for calls that don\'t return other objects.',
      type: 'object',
      properties: {
        ...typeMeta(),
        code: int('int32', 'Suggested HTTP return code for this status, 0 if not set.'),
        details: ref(MODEL.StatusDetails, { description: 'Extended data associated with the reason.' }),
        message: str('A human-readable description of the status of this operation.'),
        metadata: ref(MODEL.ListMeta, { description: LIST_META_DESC, default: {} }),
        reason: str('A machine-readable description of why this operation is in the "Failure" status.'),
        status: str('Status of the operation. One of: "Success" or "Failure".'),
      },
      'x-kubernetes-group-version-kind': [{ group: '', kind: 'Status', version: 'v1' }],
    },
    [MODEL.StatusDetails]: {
      description: 'StatusDetails is a set of additional properties that MAY be set by the server to provide additional information about a response.',
      type: 'object',
      properties: {
        causes: { description: 'The Causes array includes more details associated with the StatusReason failure.', type: 'array', items: ref(MODEL.StatusCause, { default: {} }), 'x-kubernetes-list-type': 'atomic' },
        group: str('The group attribute of the resource associated with the status StatusReason.'),
        kind: str('The kind attribute of the resource associated with the status StatusReason.'),
        name: str('The name attribute of the resource associated with the status StatusReason (when there is a single name which can be described).'),
        retryAfterSeconds: int('int32', 'If specified, the time in seconds before the operation should be retried.'),
        uid: str('UID of the resource.'),
      },
    },
    [MODEL.StatusCause]: {
      description: 'StatusCause provides more information about an api.Status failure, including cases when multiple errors are encountered.',
      type: 'object',
      properties: {
        field: str('The field of the resource that has caused this error, as named by its JSON serialization.'),
        message: str('A human-readable description of the cause of the error.'),
        reason: str('A machine-readable description of the cause of the error.'),
      },
    },
  };
}

export const QUANTITY_DESC =
  'Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors. Serialized as "<signedNumber><suffix>" in canonical form, e.g. "123456789n" (nanocores) or "11944Ki" (bytes).';
