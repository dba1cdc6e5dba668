import t from 'tap';
import { KubeAuthConfigMapReader, parseAuthConfigMap } from '../../src/kube/auth-configmap.js';
import { StandInApiServer } from '../server/authn/harness.js';

const PATH = '/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication';

t.test('parseAuthConfigMap reads the keys kube-apiserver writes', async (t) => {
  t.same(
    parseAuthConfigMap({
      'client-ca-file': 'CA1',
      'requestheader-client-ca-file': 'CA2',
      'requestheader-allowed-names': '["front-proxy-client"]',
      'requestheader-username-headers': '["X-Remote-User"]',
      'requestheader-group-headers': '["X-Remote-Group"]',
      'requestheader-extra-headers-prefix': '["X-Remote-Extra-"]',
      'requestheader-uid-headers': '[]',
    }),
    {
      clientCA: 'CA1',
      requestHeaderClientCA: 'CA2',
      requestHeaderAllowedNames: ['front-proxy-client'],
      requestHeaderUsernameHeaders: ['X-Remote-User'],
      requestHeaderGroupHeaders: ['X-Remote-Group'],
      requestHeaderExtraHeadersPrefix: ['X-Remote-Extra-'],
      requestHeaderUidHeaders: [],
    },
  );
  t.same(parseAuthConfigMap({ 'client-ca-file': '', 'requestheader-allowed-names': '' }), {
    requestHeaderAllowedNames: [],
    requestHeaderUsernameHeaders: [],
    requestHeaderGroupHeaders: [],
    requestHeaderExtraHeadersPrefix: [],
    requestHeaderUidHeaders: [],
  }, 'empty strings mean unset');
  t.throws(() => parseAuthConfigMap({ 'requestheader-allowed-names': 'front-proxy-client' }), /requestheader-allowed-names/);
  t.throws(() => parseAuthConfigMap({ 'requestheader-group-headers': '[1]' }), /expected a JSON array of strings/);
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
