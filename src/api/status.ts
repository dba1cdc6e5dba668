// metav1.Status errors: the one place that builds them. Handlers throw StatusError;
// the server's error middleware encodes it with the negotiated serializer.

import { goQuote } from '../util/go-quote.js';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** Wire form of metav1.Status, fields in Go struct order. */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

export class StatusError extends Error {
  readonly status: Status;
  constructor(code: number, reason: string | undefined, message: string, details?: StatusDetails) {
    super(message);
    // Built field by field so JSON keeps Go's order: ..., message, reason, details, code.
    const status: Partial<Status> = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message };
    if (reason) status.reason = reason;
    if (details) status.details = details;
    status.code = code;
    this.status = status as Status;
  }
  get code(): number {
    return this.status.code;
  }
}

export function notFound(resource: string, name: string, group = ''): StatusError {
  const qualified = group ? `${resource}.${group}` : resource;
  const details: StatusDetails = { name };
  if (group) details.group = group;
  details.kind = resource;
  // Go formats the name with %q.
  return new StatusError(404, 'NotFound', `${qualified} ${goQuote(name)} not found`, details);
}

export function badRequest(message: string): StatusError {
  return new StatusError(400, 'BadRequest', message);
}

export function unauthorized(message = 'Unauthorized'): StatusError {
  return new StatusError(401, 'Unauthorized', message);
}

export function forbidden(message: string, details?: StatusDetails): StatusError {
  return new StatusError(403, 'Forbidden', message, details);
}

export function methodNotAllowed(message = 'the server does not allow this method on the requested resource', details?: StatusDetails): StatusError {
  return new StatusError(405, 'MethodNotAllowed', message, details);
}

export function notAcceptable(message: string): StatusError {
  return new StatusError(406, 'NotAcceptable', message);
}

export function invalid(message: string, details?: StatusDetails): StatusError {
  return new StatusError(422, 'Invalid', message, details);
}

/** The generic 404 for an unmatched path under a registered API prefix. */
export function pathNotFound(): StatusError {
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function serviceUnavailable(message: string): StatusError {
  return new StatusError(503, 'ServiceUnavailable', message);
}

/** 500 without a reason (StatusReasonUnknown is ""), and never a stack trace. */
export function internalError(message: string): StatusError {
  return new StatusError(500, undefined, message);
}
