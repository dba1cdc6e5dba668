// Start-up warnings about flags that were accepted but will not do what an
// operator coming from upstream metrics-server may expect: compatibility flags
// that change nothing here, and address types no node address can have.

import { ADDRESS_TYPES, type Options } from './options.js';

export interface FlagWarning {
  msg: string;
  fields: Record<string, unknown>;
}

/** The preferred address types that are not Kubernetes node address types (upstream compares them case-sensitively too). */
export function unknownAddressTypes(types: readonly string[]): string[] {
  return types.filter((t) => !(ADDRESS_TYPES as readonly string[]).includes(t));
}

function withHint(type: string): string {
  const known = ADDRESS_TYPES.find((k) => k.toLowerCase() === type.toLowerCase());
  return known ? `${type} (did you mean ${known}?)` : type;
}

export function flagWarnings(o: Pick<Options, 'ignoredFlags' | 'kubeletPreferredAddressTypes'>): FlagWarning[] {
  const out: FlagWarning[] = [];
  if (o.ignoredFlags.length > 0) {
    out.push({
      msg: `accepted for compatibility with metrics-server and ignored: ${o.ignoredFlags.join(', ')}`,
      fields: { flags: o.ignoredFlags },
    });
  }
  const unknown = unknownAddressTypes(o.kubeletPreferredAddressTypes);
  if (unknown.length > 0) {
    out.push({
      msg: `--kubelet-preferred-address-types: no node address has type ${unknown.map(withHint).join(', ')}; known types: ${ADDRESS_TYPES.join(', ')}`,
      fields: { unknownAddressTypes: unknown },
    });
  }
  return out;
}
