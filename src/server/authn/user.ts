// user.Info of the generic API server: who made the request. Put on ctx.state.user.

export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  extra: Record<string, string[]>;
}

export const ANONYMOUS_USER = 'system:anonymous';
export const ALL_UNAUTHENTICATED = 'system:unauthenticated';
export const ALL_AUTHENTICATED = 'system:authenticated';
export const PRIVILEGED_GROUP = 'system:masters';

export function anonymousUser(): UserInfo {
  return { name: ANONYMOUS_USER, groups: [ALL_UNAUTHENTICATED], extra: {} };
}

/**
 * GAS AuthenticatedGroupAdder: every authenticated user is in system:authenticated,
 * except one named system:anonymous (a front proxy or token may name it), as upstream.
 */
export function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.name === ANONYMOUS_USER || user.groups.includes(ALL_AUTHENTICATED) || user.groups.includes(ALL_UNAUTHENTICATED)) return user;
  return { ...user, groups: [...user.groups, ALL_AUTHENTICATED] };
}

/** Thrown by an authenticator that recognised credentials it could not accept. */
export class AuthenticationError extends Error {
  override name = 'AuthenticationError';
}
