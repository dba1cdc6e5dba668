// Small response helpers of the stand-in apiserver: JSON bodies and metav1.Status.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { StatusError } from '../api/status.js';

export function sendJson(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-cache, private' });
  res.end(text);
}

export function sendStatus(res: ServerResponse, code: number, reason: string | undefined, message: string, details?: Record<string, unknown>): void {
  sendJson(res, code, new StatusError(code, reason, message, details).status);
}

export class BodyError extends Error {}

/** Reads a JSON request body of at most limit bytes. */
export async function readJsonBody(req: IncomingMessage, limit = 1024 * 1024): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyError(`request body too large (limit ${limit} bytes)`);
    chunks.push(chunk as Buffer);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (e) {
    throw new BodyError(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new BodyError('Object \'Kind\' is missing in request body');
  return parsed as Record<string, unknown>;
}
