// One-off HTTPS requests to the server under test, authenticated with a client certificate.
import { Agent, request } from 'undici';

export interface ClientTls {
  cert: string;
  key: string;
}

export interface Fetched {
  status: number;
  contentType: string;
  body: Buffer;
  ms: number;
}

export class Client {
  private readonly agent: Agent;
  constructor(tls: ClientTls) {
    // The bench talks to 127.0.0.1 while the serving certificate names the service; identity is not what is measured.
    this.agent = new Agent({ connections: 4, allowH2: false, connect: { cert: tls.cert, key: tls.key, rejectUnauthorized: false }, bodyTimeout: 120_000, headersTimeout: 120_000 });
  }

  async get(url: string, accept = 'application/json'): Promise<Fetched> {
    const t = performance.now();
    const res = await request(url, { dispatcher: this.agent, headers: { accept } });
    const body = Buffer.from(await res.body.arrayBuffer());
    return { status: res.statusCode, contentType: String(res.headers['content-type'] ?? ''), body, ms: performance.now() - t };
  }

  /** Sample values of a Prometheus text exposition, by exact series name (no labels). */
  async metrics(base: string, names: string[]): Promise<Record<string, number>> {
    const r = await this.get(`${base}/metrics`, 'text/plain');
    if (r.status !== 200) throw new Error(`/metrics: HTTP ${r.status}: ${r.body.toString('utf8').slice(0, 200)}`);
    const out: Record<string, number> = {};
    for (const line of r.body.toString('utf8').split('\n')) {
      const sp = line.indexOf(' ');
      if (sp < 0 || line.startsWith('#')) continue;
      const name = line.slice(0, sp);
      const brace = name.indexOf('{');
      // Exact names, or every labelled series of a name given as "name{".
      if (names.includes(name) || (brace > 0 && names.includes(name.slice(0, brace + 1)))) out[name] = Number(line.slice(sp + 1));
    }
    return out;
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
