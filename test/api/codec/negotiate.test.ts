import t from 'tap';
import {
  DEFAULT_RESTRICTIONS,
  negotiateMediaType,
  notAcceptableMessage,
  parseAccept,
  RESOURCE_RESTRICTIONS,
} from '../../../src/api/codec/negotiate.js';

const KUBECTL_GET = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

function pick(header: string | undefined, resource = true): string | undefined {
  const r = negotiateMediaType(header, resource ? RESOURCE_RESTRICTIONS : DEFAULT_RESTRICTIONS);
  if (!r) return undefined;
  return r.convert ? `${r.serializer.name} as=${r.convert.kind} g=${r.convert.group} v=${r.convert.version}` : r.serializer.name;
}

t.test('parseAccept orders clauses exactly as goautoneg does', async (t) => {
  const c = parseAccept('*/*;q=0.8, application/json;q=0.5, application/vnd.kubernetes.protobuf, application/*');
  // goautoneg's Less puts a concrete type before */* whatever their q; insertion sort keeps it there.
  t.same(
    c.map((x) => `${x.type}/${x.subType};q=${x.q.toFixed(1)}`),
    ['application/vnd.kubernetes.protobuf;q=1.0', 'application/*;q=1.0', 'application/json;q=0.5', '*/*;q=0.8'],
  );
  t.same(
    parseAccept('text/plain;q=0.2, application/json;q=0.9, application/vnd.kubernetes.protobuf;q=0.9').map((x) => x.subType),
    ['json', 'vnd.kubernetes.protobuf', 'plain'],
    'equal q keeps header order',
  );
  t.same(parseAccept('application/json; as=Table ;g=meta.k8s.io;v=v1')[0]!.params, { as: 'Table', g: 'meta.k8s.io', v: 'v1' });
  t.equal(parseAccept('application/json;q=abc')[0]!.q, 0, 'an unparsable q counts as 0, as strconv errors do upstream');
  t.equal(parseAccept('application/json;q= 0.5')[0]!.q, 0, 'q values are not trimmed upstream');
  t.same(parseAccept('bogus, ,application/json').length, 1, 'ranges without a subtype are dropped');
  t.equal(parseAccept('*')[0]!.subType, '*', 'a bare * means */*');
});

t.test('serializer choice', async (t) => {
  t.equal(pick(undefined), 'json', 'no Accept: the first serializer, JSON');
  t.equal(pick(''), 'json');
  t.equal(pick('application/json'), 'json');
  t.equal(pick('application/vnd.kubernetes.protobuf, */*'), 'protobuf', 'client-go with protobuf content type');
  t.equal(pick('application/json, */*'), 'json', 'client-go default');
  t.equal(pick('*/*'), 'json');
  t.equal(pick('application/*'), 'json');
  t.equal(pick('application/yaml'), 'yaml');
  t.equal(pick('application/json;q=0.5, application/vnd.kubernetes.protobuf'), 'protobuf', 'higher q wins over order');
  t.equal(pick('application/json;charset=utf-8'), 'json', 'unknown parameters are ignored');
  t.equal(pick('text/html'), undefined);
  t.equal(pick('application/xml, text/plain;q=0.9'), undefined);
  t.equal(pick('application/json;stream=watch'), undefined, 'no watch stream here');
});

t.test('q=0 rejects a type, even when a wildcard would accept it', async (t) => {
  t.equal(pick('application/json;q=0'), undefined);
  t.equal(pick('application/json;q=0, */*'), 'yaml', 'json rejected, the wildcard falls to the next serializer');
  t.equal(pick('application/*;q=0, */*'), undefined, 'all application types rejected by the more specific clause');
  t.equal(pick('*/*;q=0'), undefined);
  t.equal(pick('application/vnd.kubernetes.protobuf;q=0, application/*'), 'json');
});

t.test('Table and PartialObjectMetadata on resource endpoints', async (t) => {
  t.equal(pick(KUBECTL_GET), 'json as=Table g=meta.k8s.io v=v1', 'kubectl get header');
  t.equal(pick('application/json;as=Table;v=v1beta1;g=meta.k8s.io'), 'json as=Table g=meta.k8s.io v=v1beta1');
  t.equal(pick('application/yaml;as=Table;v=v1;g=meta.k8s.io'), 'yaml as=Table g=meta.k8s.io v=v1');
  t.equal(
    pick('application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io, application/json'),
    'json',
    'a protobuf Table clause is skipped, not refused',
  );
  t.equal(pick('application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io'), undefined);
  t.equal(pick('application/json;as=Table;v=v2;g=meta.k8s.io'), undefined, 'unknown Table version');
  t.equal(pick('application/json;as=Table;v=v1;g=example.com, application/vnd.kubernetes.protobuf'), 'protobuf');
  t.equal(pick('application/json;as=Foo;v=v1;g=meta.k8s.io'), undefined);
  t.equal(pick('application/vnd.kubernetes.protobuf;as=PartialObjectMetadata;v=v1;g=meta.k8s.io'), 'protobuf as=PartialObjectMetadata g=meta.k8s.io v=v1');
  t.equal(pick('*/*;as=Table;v=v1;g=meta.k8s.io'), 'json as=Table g=meta.k8s.io v=v1', 'a wildcard Table clause lands on JSON');
});

t.test('discovery and errors accept no transform', async (t) => {
  t.equal(pick(KUBECTL_GET, false), 'json', 'only the plain third clause applies');
  t.equal(pick('application/json;as=Table;v=v1;g=meta.k8s.io', false), undefined);
  t.equal(pick('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList', false), undefined);
  t.equal(pick('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json', false), 'json');
});

t.test('pretty media type parameter', async (t) => {
  t.equal(negotiateMediaType('application/json;pretty=1', DEFAULT_RESTRICTIONS)?.pretty, true);
  t.equal(negotiateMediaType('application/json', DEFAULT_RESTRICTIONS)?.pretty, false);
});

t.test('406 message names every serializer', async (t) => {
  t.equal(notAcceptableMessage(), 'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf');
});
