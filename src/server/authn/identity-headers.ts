// The identity header names of a request-header configuration (user, uid,
// groups, extra prefixes), lowercased once per configuration object instead of
// once per request and header: authentication reads them and strips them from
// every request.

import type { RequestHeaderConfig } from './request-header.js';

export type IdentityHeaderConfig = Pick<RequestHeaderConfig, 'usernameHeaders' | 'uidHeaders' | 'groupHeaders' | 'extraHeaderPrefixes'>;

export interface IdentityHeaderNames {
  usernameHeaders: readonly string[];
  uidHeaders: readonly string[];
  groupHeaders: readonly string[];
  extraHeaderPrefixes: readonly string[];
  /** Whether a header name (any case) carries identity. */
  matches(name: string): boolean;
  /** The lowercased name if it carries identity, else undefined (matches() and the name in one). */
  identityKey(name: string): string | undefined;
}

function lower(list: readonly string[]): string[] {
  return list.map((h) => h.trim().toLowerCase()).filter((h) => h !== '');
}

function compile(cfg: IdentityHeaderConfig): IdentityHeaderNames {
  const usernameHeaders = lower(cfg.usernameHeaders);
  const uidHeaders = lower(cfg.uidHeaders);
  const groupHeaders = lower(cfg.groupHeaders);
  const extraHeaderPrefixes = lower(cfg.extraHeaderPrefixes);
  const exact = new Set([...usernameHeaders, ...uidHeaders, ...groupHeaders]);
  // Most headers (host, accept, user-agent…) are told apart by their first letter, without lowercasing them.
  const firsts = new Set([...exact, ...extraHeaderPrefixes].map((h) => h.charCodeAt(0)));
  const identityKey = (name: string): string | undefined => {
    let c = name.charCodeAt(0);
    if (c >= 65 && c <= 90) c += 32;
    if (!firsts.has(c)) return undefined;
    const n = name.toLowerCase();
    if (exact.has(n)) return n;
    for (const p of extraHeaderPrefixes) if (n.startsWith(p)) return n;
    return undefined;
  };
  const matches = (name: string): boolean => identityKey(name) !== undefined;
  return { usernameHeaders, uidHeaders, groupHeaders, extraHeaderPrefixes, matches, identityKey };
}

const compiled = new WeakMap<IdentityHeaderConfig, IdentityHeaderNames>();

/** The lowercased names of a configuration, remembered per configuration object. */
export function identityHeaderNames(cfg: IdentityHeaderConfig): IdentityHeaderNames {
  let names = compiled.get(cfg);
  if (!names) {
    names = compile(cfg);
    compiled.set(cfg, names);
  }
  return names;
}
