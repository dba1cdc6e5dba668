// system:authenticated is added as upstream's AuthenticatedGroupAdder adds it.
import t from 'tap';
import { anonymousUser, withAuthenticatedGroup } from '../../../src/server/authn/user.js';

t.test('every authenticated user is in system:authenticated, once', async (t) => {
  t.same(withAuthenticatedGroup({ name: 'alice', groups: ['devs'], extra: {} }).groups, ['devs', 'system:authenticated']);
  t.same(withAuthenticatedGroup({ name: 'alice', groups: ['system:authenticated', 'devs'], extra: {} }).groups, ['system:authenticated', 'devs']);
  t.same(withAuthenticatedGroup({ name: 'alice', groups: ['system:unauthenticated'], extra: {} }).groups, ['system:unauthenticated']);
});

t.test('a user named system:anonymous is not added to system:authenticated', async (t) => {
  t.same(withAuthenticatedGroup({ name: 'system:anonymous', groups: [], extra: {} }).groups, []);
  t.same(withAuthenticatedGroup({ name: 'system:anonymous', groups: ['devs'], extra: {} }).groups, ['devs']);
  t.same(withAuthenticatedGroup(anonymousUser()), anonymousUser());
});
