import t from 'tap';
import { notFound, StatusError, internalError, methodNotAllowed } from '../../src/api/status.js';

t.test('NotFound names are quoted like Go %q, details as upstream', async (t) => {
  t.same(notFound('nodemetrics', 'node-1', 'metrics.k8s.io').status, {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
    message: 'nodemetrics.metrics.k8s.io "node-1" not found', reason: 'NotFound',
    details: { name: 'node-1', group: 'metrics.k8s.io', kind: 'nodemetrics' }, code: 404,
  });
  t.equal(notFound('pods', 'a"b\\c\n').status.message, 'pods "a\\"b\\\\c\\n" not found');
  t.same(Object.keys(notFound('node', 'n').status), ['kind', 'apiVersion', 'metadata', 'status', 'message', 'reason', 'details', 'code'], 'Go field order');
});

t.test('a 500 has no reason; every builder is a StatusError', async (t) => {
  const e = internalError('boom');
  t.ok(e instanceof StatusError);
  t.equal(e.code, 500);
  t.notOk('reason' in e.status);
  t.equal(methodNotAllowed().status.reason, 'MethodNotAllowed');
});
