import t from 'tap';
import { caBundleKey, KubeAuthConfigMapReader, parseRequestHeaderNames } from '../../src/kube/auth-configmap.js';
import { StandInApiServer } from '../server/authn/harness.js';

const PATH = '/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication';

t.test('the keys kube-apiserver writes: two CA keys read on their own, the request-header lists', async (t) => {
  const data = {
    'client-ca-file': 'CA1',
    'requestheader-client-ca-file': 'CA2',
    'requestheader-allowed-names': '["front-proxy-client"]',
    'requestheader-username-headers': '["X-Remote-User"]',
    'requestheader-group-headers': '["X-Remote-Group"]',
    'requestheader-extra-headers-prefix': '["X-Remote-Extra-"]',
    'requestheader-uid-headers': '[]',
  };
  t.equal(caBundleKey(data, 'client-ca-file'), 'CA1');
  t.equal(caBundleKey(data, 'requestheader-client-ca-file'), 'CA2');
  t.same(parseRequestHeaderNames(data), {
    requestHeaderAllowedNames: ['front-proxy-client'],
    requestHeaderUsernameHeaders: ['X-Remote-User'],
    requestHeaderGroupHeaders: ['X-Remote-Group'],
    requestHeaderExtraHeadersPrefix: ['X-Remote-Extra-'],
    requestHeaderUidHeaders: [],
  });
  t.equal(caBundleKey({ 'client-ca-file': ' \n' }, 'client-ca-file'), undefined, 'a blank CA key is no CA');
  t.equal(caBundleKey({}, 'requestheader-client-ca-file'), undefined, 'an absent CA key is no CA');
  t.same(parseRequestHeaderNames({ 'client-ca-file': '', 'requestheader-allowed-names': '' }), {
    requestHeaderAllowedNames: [],
    requestHeaderUsernameHeaders: [],
    requestHeaderGroupHeaders: [],
    requestHeaderExtraHeadersPrefix: [],
    requestHeaderUidHeaders: [],
  }, 'empty strings mean unset');
  t.throws(() => parseRequestHeaderNames({ 'requestheader-allowed-names': 'front-proxy-client' }), /requestheader-allowed-names/);
  t.throws(() => parseRequestHeaderNames({ 'requestheader-group-headers': '[1]' }), /expected a JSON array of strings/);
});

t.test('reading the ConfigMap', async (t) => {
  const api = await StandInApiServer.start();
  t.teardown(() => api.close());
  const reader = new KubeAuthConfigMapReader(api.kubeConfig(), 300);
  t.equal(await reader.read(), undefined, 'NotFound reads as no ConfigMap');
  api.on(`GET ${PATH}`, () => ({ body: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'extension-apiserver-authentication', namespace: 'kube-system' }, data: { 'client-ca-file': 'PEM' } } }));
  t.same(await reader.read(), { 'client-ca-file': 'PEM' });
  api.on(`GET ${PATH}`, () => ({ body: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'extension-apiserver-authentication' } } }));
  t.same(await reader.read(), {}, 'no data');
  api.on(`GET ${PATH}`, () => ({ status: 403, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403 } }));
  await t.rejects(reader.read(), /extension-apiserver-authentication-reader/, 'forbidden names the Role to bind');
  api.on(`GET ${PATH}`, () => ({ status: 500, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 500 } }));
  await t.rejects(reader.read());
});
