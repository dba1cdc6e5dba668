// The bare node:https baseline in its own process, like the server under test:
//   fork('dist/bench/lib/bare-child.js', [certFile, keyFile, bodyFile, contentType, 'h2'?]) → {type:'ready', url}
import { readFileSync } from 'node:fs';
import { startBareServer } from './bare-server.js';

const [certFile, keyFile, bodyFile, contentType, protocol] = process.argv.slice(2) as [string, string, string, string, string | undefined];
const bare = await startBareServer({ cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') }, readFileSync(bodyFile), contentType, protocol === 'h2');
process.send!({ type: 'ready', url: bare.url });
const stop = () => void bare.close().then(() => process.exit(0));
process.on('disconnect', stop);
process.on('message', (m: { type: string }) => m.type === 'stop' && stop());
