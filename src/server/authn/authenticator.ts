// The authenticator contract shared by the chain's links.

import type { IncomingMessage } from 'node:http';
import type { UserInfo } from './user.js';

export interface Authenticator {
  /**
   * The request's user, or undefined when this authenticator finds no credentials
   * of its kind (abstains). Credentials it rejects give an Error, returned (cheap
   * on a hot path) or thrown.
   */
  authenticate(req: IncomingMessage): Promise<UserInfo | undefined> | UserInfo | Error | undefined;
}
