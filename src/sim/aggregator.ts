// kube-aggregator's proxy for an APIService: after the apiserver authenticated and
// authorized the user, the request goes to the service with the front-proxy
// client certificate and the user in X-Remote-* headers. The client's own
// credentials and any X-Remote-* it sent are removed; the query is re-encoded as
// Go's url.Values.Encode() does; the response streams back unchanged. As
// client-go's transport, it speaks HTTP/2 to a service that offers it, every
// request a stream of one connection (backend-h2.ts), else HTTP/1.1.

import https from 'node:https';
import http2, { type ClientHttp2Session } from 'node:http2';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Http2Backends, type BackendDial } from './backend-h2.js';
import type { UserInfo } from './policy.js';

export interface ServiceTarget {
  /** Base URL of the service, e.g. https://127.0.0.1:4443. */
  url: string;
  /** CA bundle (PEM) for the service's serving certificate; ignored with insecureSkipTLSVerify. */
  caBundle?: string;
  /** As the stock metrics-server APIService: do not verify the serving certificate. */
  insecureSkipTLSVerify?: boolean;
  /** SNI / name to verify, like <service>.<namespace>.svc (default: the URL's host). */
  serverName?: string;
}

export interface FrontProxyCredentials {
  cert: string;
  key: string;
}

// Hop-by-hop headers (RFC 7230 §6.1) never cross a proxy.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-authorization', 'proxy-authenticate', 'host']);

/** Go's url.QueryEscape: unreserved bytes stay, space becomes '+', the rest %XX. */
export function goQueryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (b === 0x20) out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** url.Values.Encode(): keys sorted, values in their original order. */
export function goEncodeQuery(params: URLSearchParams): string {
  const keys = [...new Set(params.keys())].sort();
  const parts: string[] = [];
  for (const k of keys) for (const v of params.getAll(k)) parts.push(`${goQueryEscape(k)}=${goQueryEscape(v)}`);
  return parts.join('&');
}

/** client-go's headerKeyEscape for X-Remote-Extra-<key>: non-token bytes and '%' become %XX. */
export function escapeExtraKey(key: string): string {
  let out = '';
  for (const b of Buffer.from(key, 'utf8')) {
    const c = String.fromCharCode(b);
    if (b < 0x80 && c !== '%' && /[A-Za-z0-9!#$&'*+\-.^_`|~]/.test(c)) out += c;
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** The request headers the service sees (lower-case names; arrays become repeated lines). */
export function proxiedHeaders(incoming: IncomingMessage, user: UserInfo, auditId: string): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, values] of Object.entries(incoming.headersDistinct)) {
    const n = name.toLowerCase();
    if (HOP_BY_HOP.has(n) || n === 'authorization' || n.startsWith('x-remote-') || n.startsWith('impersonate-') || !values) continue;
    out[n] = values.length === 1 ? values[0]! : values;
  }
  out['x-remote-user'] = user.username;
  if (user.uid) out['x-remote-uid'] = user.uid;
  if (user.groups.length) out['x-remote-group'] = [...user.groups];
  for (const [k, vs] of Object.entries(user.extra ?? {})) out[`x-remote-extra-${escapeExtraKey(k)}`] = [...vs];
  out['audit-id'] = auditId;
  const remote = incoming.socket.remoteAddress;
  if (remote) out['x-forwarded-for'] = remote.replace(/^::ffff:/, '');
  return out;
}

const DISCOVERY_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 60_000;

export interface AggregatorOptions {
  /** Offer HTTP/2 to the service (default true; false is client-go's DISABLE_HTTP2). */
  http2?: boolean;
}

/** A request on its way to the service. */
interface Outgoing {
  req: IncomingMessage;
  res: ServerResponse;
  base: URL;
  path: string;
  headers: OutgoingHttpHeaders;
  timeoutMs: number;
}

export class AggregatorProxy {
  private readonly agent: https.Agent;
  private readonly backends = new Http2Backends();
  private readonly http2: boolean;
  /** Requests proxied, by the protocol spoken to the service. */
  readonly sent = { h2: 0, 'http/1.1': 0 };

  constructor(
    private target: ServiceTarget | undefined,
    private readonly creds: FrontProxyCredentials,
    opts: AggregatorOptions = {},
  ) {
    this.agent = new https.Agent({ keepAlive: true, maxSockets: 64 });
    this.http2 = opts.http2 ?? true;
  }

  setTarget(target: ServiceTarget | undefined): void {
    this.target = target;
    this.backends.close();
  }

  get serviceUrl(): string | undefined {
    return this.target?.url;
  }

  /** Proxies req (already authenticated and authorized as user) to the service. */
  proxy(req: IncomingMessage, res: ServerResponse, url: URL, user: UserInfo): void {
    const target = this.target;
    if (!target) {
      unavailable(res);
      return;
    }
    const base = new URL(target.url);
    const query = goEncodeQuery(url.searchParams);
    const basePath = base.pathname.replace(/\/$/, '');
    const path = `${basePath}${url.pathname}${query ? `?${query}` : ''}`;
    const isDiscovery = /^\/apis\/[^/]+\/[^/]+\/?$/.test(url.pathname);
    const headers = proxiedHeaders(req, user, randomUUID());
    headers.host = base.host;
    const out: Outgoing = { req, res, base, path, headers, timeoutMs: isDiscovery ? DISCOVERY_TIMEOUT_MS : REQUEST_TIMEOUT_MS };
    if (!this.http2) {
      this.viaHttp1(target, out);
      return;
    }
    this.backends.session(this.dial(target, base)).then(
      (session) => (session ? this.viaHttp2(session, out) : this.viaHttp1(target, out)),
      () => unavailable(res),
    );
  }

  close(): void {
    this.agent.destroy();
    this.backends.close();
  }

  private tls(target: ServiceTarget) {
    return {
      cert: this.creds.cert,
      key: this.creds.key,
      ...(target.insecureSkipTLSVerify ? { rejectUnauthorized: false } : { ca: target.caBundle, rejectUnauthorized: true }),
      ...(target.serverName ? { servername: target.serverName } : {}),
    };
  }

  private dial(target: ServiceTarget, base: URL): BackendDial {
    const host = base.hostname.replace(/^\[|\]$/g, '');
    const port = Number(base.port || 443);
    const tls: ConnectionOptions = { host, port, ...this.tls(target) };
    if (!target.serverName && isIP(host) === 0) tls.servername = host; // as https.request sends SNI
    return { key: JSON.stringify([target.url, target.caBundle, target.insecureSkipTLSVerify, target.serverName]), origin: base.origin, tls };
  }

  private viaHttp1(target: ServiceTarget, o: Outgoing): void {
    this.sent['http/1.1']++;
    const { req, res } = o;
    const upstream = https.request({
      host: o.base.hostname.replace(/^\[|\]$/g, ''),
      port: o.base.port || 443,
      method: req.method,
      path: o.path,
      headers: o.headers,
      agent: this.agent,
      ...this.tls(target),
      timeout: o.timeoutMs,
    });
    upstream.on('timeout', () => upstream.destroy(new Error('timeout')));
    upstream.on('error', () => {
      if (!res.headersSent) unavailable(res);
      else res.destroy();
    });
    upstream.on('response', (up) => {
      const out: OutgoingHttpHeaders = {};
      for (const [name, values] of Object.entries(up.headersDistinct)) {
        if (HOP_BY_HOP.has(name) || !values) continue;
        out[name] = values.length === 1 ? values[0]! : values;
      }
      res.writeHead(up.statusCode ?? 502, out);
      up.pipe(res);
      up.on('error', () => res.destroy());
    });
    res.on('close', () => {
      if (!upstream.writableFinished || !res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  private viaHttp2(session: ClientHttp2Session, o: Outgoing): void {
    this.sent.h2++;
    const { req, res } = o;
    const { host, ...fields } = o.headers;
    let up: http2.ClientHttp2Stream;
    try {
      up = session.request({ ':method': req.method ?? 'GET', ':path': o.path, ':authority': String(host), ...fields });
    } catch {
      unavailable(res); // the session went away between lookup and use
      return;
    }
    up.setTimeout(o.timeoutMs, () => up.destroy(new Error('timeout')));
    up.on('error', () => {
      if (!res.headersSent) unavailable(res);
      else res.destroy();
    });
    up.on('close', () => {
      if (!res.headersSent) unavailable(res); // reset before it answered
    });
    up.on('response', (h) => {
      const out: OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(h)) {
        if (name.startsWith(':') || HOP_BY_HOP.has(name) || value === undefined) continue;
        out[name] = value;
      }
      res.writeHead(Number(h[':status']), out);
      up.pipe(res);
    });
    res.on('close', () => {
      if (!res.writableFinished && !up.closed) up.close(http2.constants.NGHTTP2_CANCEL);
    });
    req.pipe(up);
  }
}

function unavailable(res: ServerResponse): void {
  res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' }).end('service unavailable\n');
}
