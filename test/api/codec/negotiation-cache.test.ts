// The remembered negotiation gives what negotiation gives, for every header.
import t from 'tap';
import { negotiateCached } from '../../../src/api/codec/negotiation-cache.js';
import { DEFAULT_RESTRICTIONS, negotiateMediaType, RESOURCE_RESTRICTIONS } from '../../../src/api/codec/negotiate.js';

const HEADERS = [
  undefined,
  '',
  'application/json',
  'application/vnd.kubernetes.protobuf',
  'application/vnd.kubernetes.protobuf, */*',
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json',
  'application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io',
  'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io',
  'application/json;q=0, */*',
  'text/html',
  'application/yaml;pretty=1',
];

t.test('the same result as negotiateMediaType, first and second time', async (t) => {
  for (const endpoint of [RESOURCE_RESTRICTIONS, DEFAULT_RESTRICTIONS]) {
    for (const h of HEADERS) {
      const expected = negotiateMediaType(h, endpoint);
      t.same(negotiateCached(h, endpoint), expected, `${h}`);
      t.same(negotiateCached(h, endpoint), expected, `${h} again`);
    }
  }
});

t.test('bounded: many distinct headers keep working', async (t) => {
  for (let i = 0; i < 1000; i++) {
    const h = `application/json;x=${i}`;
    t.same(negotiateCached(h, RESOURCE_RESTRICTIONS), negotiateMediaType(h, RESOURCE_RESTRICTIONS));
  }
});
