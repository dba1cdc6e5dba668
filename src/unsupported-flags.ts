// Upstream metrics-server flags refused with a reason rather than ignored: an
// operator who asks for audit logs, SNI certificates or plain-HTTP kubelets must
// not get a server that silently runs without them.

import { FlagError } from './flag-values.js';

const UNSUPPORTED: readonly (readonly [RegExp, string])[] = [
  [/^audit-/, 'audit logging is not supported by metrics-server-ts'],
  [/^tls-sni-cert-key$/, 'SNI serving certificates are not supported by metrics-server-ts; use --tls-cert-file and --tls-private-key-file'],
  [/^deprecated-kubelet-completely-insecure$/, 'plain-HTTP kubelet scraping is not supported by metrics-server-ts'],
];

/** Throws FlagError "flag --name: reason" for the first unsupported upstream flag in argv. */
export function rejectUnsupportedFlags(argv: readonly string[]): void {
  for (const arg of argv) {
    if (arg === '--') return; // what follows is not a flag
    const name = /^--([^=]+)/.exec(arg)?.[1];
    if (name === undefined) continue;
    const hit = UNSUPPORTED.find(([re]) => re.test(name));
    if (hit) throw new FlagError(`flag --${name}: ${hit[1]}`);
  }
}
