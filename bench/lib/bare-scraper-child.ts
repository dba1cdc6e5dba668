// The bare scraper baseline, in its own process like the server under test: what
// any Node.js scraper pays to fetch every kubelet once per tick over kept-alive
// HTTPS (node:https, one keep-alive Agent) and to parse the bodies the plainest
// way: JSON.parse for /stats/summary, none for /metrics/resource (text kept as is).
// No stagger, no store, no API: the floor the server's CPU and RSS are set against.
// Ticks follow each other after a one-second pause rather than a whole resolution.
//
//   fork('dist/bench/lib/bare-scraper-child.js') ← {type:'start', ...BareScraperStart}
//   → {type:'tick', durationMs, scraped, failed} after every tick.
import https from 'node:https';

export interface BareScraperStart {
  type: 'start';
  /** The simulated apiserver, for the node list. */
  apiserver: string;
  cert: string;
  key: string;
  source: 'summary' | 'resource';
  resolutionSec: number;
  concurrency: number;
}

export interface BareScraperTick {
  type: 'tick';
  durationMs: number;
  scraped: number;
  failed: number;
}

/** Pause between ticks. */
const PAUSE_MS = 1000;

interface NodeList {
  items: { metadata: { name: string }; status: { addresses?: { type: string; address: string }[]; daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } } }[];
}

function get(agent: https.Agent, url: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { agent, rejectUnauthorized: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`${url}: HTTP ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

async function run(cfg: BareScraperStart): Promise<void> {
  const agent = new https.Agent({ keepAlive: true, keepAliveMsecs: 60_000, cert: cfg.cert, key: cfg.key, rejectUnauthorized: false, timeout: 120_000 });
  const list = JSON.parse((await get(agent, `${cfg.apiserver}/api/v1/nodes`)).toString('utf8')) as NodeList;
  const path = cfg.source === 'summary' ? '/stats/summary?only_cpu_and_memory=true' : '/metrics/resource';
  const urls = list.items.map((n) => {
    const ip = n.status.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '127.0.0.1';
    return `https://${ip}:${n.status.daemonEndpoints?.kubeletEndpoint?.Port ?? 10250}${path}`;
  });
  for (;;) {
    const start = performance.now();
    let next = 0;
    let scraped = 0;
    let failed = 0;
    const worker = async () => {
      while (next < urls.length) {
        const url = urls[next++]!;
        try {
          const body = await get(agent, url);
          if (cfg.source === 'summary') JSON.parse(body.toString('utf8'));
          else body.toString('utf8');
          scraped++;
        } catch {
          failed++;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(cfg.concurrency, urls.length) }, worker));
    const durationMs = performance.now() - start;
    process.send!({ type: 'tick', durationMs, scraped, failed } satisfies BareScraperTick);
    // Idle time costs no CPU and changes no figure measured here: a short pause, not the whole
    // resolution, keeps the baseline's run short (connections stay open, as between real ticks).
    await new Promise((r) => setTimeout(r, Math.min(PAUSE_MS, Math.max(0, cfg.resolutionSec * 1000 - durationMs))));
  }
}

process.on('disconnect', () => process.exit(0));
process.on('message', (m: BareScraperStart | { type: 'stop' }) => {
  if (m.type === 'stop') process.exit(0);
  else
    run(m).catch((e: Error) => {
      process.stderr.write(`bare scraper: ${e.stack ?? e.message}\n`);
      process.exit(1);
    });
});
