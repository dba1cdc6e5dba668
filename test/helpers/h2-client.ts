// An HTTP/2 client for tests (node:http2): sessions with an optional client
// certificate, requests with repeated header fields, answers with their header
// fields in wire order, and the GOAWAY frames a session received.

import http2, { type ClientHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';

export interface H2Session {
  session: ClientHttp2Session;
  /** The GOAWAY codes received, in order. */
  goaways: number[];
  /** The peer's SETTINGS, once received. */
  settings: Promise<http2.Settings>;
  close(): Promise<void>;
}

export interface H2Tls {
  cert?: string;
  key?: string;
  /** Verify the server against this CA (default: no verification). */
  ca?: string;
}

export function h2Connect(port: number, tls: H2Tls = {}): H2Session {
  const session = http2.connect(`https://127.0.0.1:${port}`, {
    cert: tls.cert,
    key: tls.key,
    ca: tls.ca,
    rejectUnauthorized: tls.ca !== undefined,
  });
  const goaways: number[] = [];
  session.on('goaway', (code) => goaways.push(code));
  session.on('error', () => {}); // surfaces on the streams
  const settings = new Promise<http2.Settings>((resolve) => session.once('remoteSettings', resolve));
  return {
    session,
    goaways,
    settings,
    close: () => new Promise<void>((resolve) => (session.closed ? resolve() : session.close(() => resolve()))),
  };
}

export interface H2Response {
  status: number;
  /** [name, value] in the order received, pseudo-headers left out. */
  headers: [string, string][];
  body: Buffer;
}

/** One request on a session; header arrays become repeated fields. */
export function h2Request(s: H2Session, path: string, headers: OutgoingHttpHeaders = {}, method = 'GET'): Promise<H2Response> {
  return new Promise((resolve, reject) => {
    const req = s.session.request({ ':method': method, ':path': path, ...headers }, { endStream: true });
    let status = 0;
    const fields: [string, string][] = [];
    req.on('response', (h: IncomingHttpHeaders, _flags: number, raw: string[]) => {
      status = Number(h[':status']);
      for (let i = 0; i + 1 < raw.length; i += 2) if (!raw[i]!.startsWith(':')) fields.push([raw[i]!, raw[i + 1]!]);
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve({ status, headers: fields, body: Buffer.concat(chunks) }));
    req.on('error', reject);
  });
}

/** One request on its own session, closed afterwards. */
export async function h2Once(port: number, path: string, headers: OutgoingHttpHeaders = {}, tls: H2Tls = {}, method = 'GET'): Promise<H2Response> {
  const s = h2Connect(port, tls);
  try {
    return await h2Request(s, path, headers, method);
  } finally {
    s.session.destroy();
  }
}
