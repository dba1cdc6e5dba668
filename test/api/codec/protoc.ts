// `protoc --decode_raw` as an independent protobuf decoder: runs it on a body
// (without the k8s magic) and parses its text output into a field-number tree.

import { spawnSync } from 'node:child_process';

export type RawValue = string | number | RawMessage;
export interface RawMessage {
  [field: string]: RawValue[];
}

/** Why protoc cannot be used here, or undefined when it can. */
export function protocUnavailable(): string | undefined {
  const r = spawnSync('protoc', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return 'protoc not installed (Debian package protobuf-compiler); skipping the independent-decoder check';
  return undefined;
}

export function decodeRaw(bytes: Uint8Array): RawMessage {
  const r = spawnSync('protoc', ['--decode_raw'], { input: bytes, encoding: 'utf8', timeout: 10_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`protoc --decode_raw failed: ${r.stderr}`);
  return parseDecodeRaw(r.stdout);
}

// protoc prints C-style escapes (octal \NNN of UTF-8 bytes, \n, \", \\ …).
function unescapeC(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch !== '\\') {
      bytes.push(...Buffer.from(ch, 'utf8'));
      continue;
    }
    const next = s[++i]!;
    if (/[0-7]/.test(next)) {
      let oct = next;
      while (oct.length < 3 && /[0-7]/.test(s[i + 1] ?? '')) oct += s[++i];
      bytes.push(parseInt(oct, 8));
    } else {
      const map: Record<string, number> = { n: 10, r: 13, t: 9, '"': 34, "'": 39, '\\': 92 };
      bytes.push(map[next] ?? next.charCodeAt(0));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

export function parseDecodeRaw(text: string): RawMessage {
  const root: RawMessage = {};
  const stack: RawMessage[] = [root];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '') continue;
    const top = stack[stack.length - 1]!;
    if (line === '}') {
      stack.pop();
      continue;
    }
    const open = /^(\d+) \{$/.exec(line);
    if (open) {
      const child: RawMessage = {};
      (top[open[1]!] ??= []).push(child);
      stack.push(child);
      continue;
    }
    const scalar = /^(\d+): (.*)$/.exec(line);
    if (!scalar) throw new Error(`unexpected protoc line: ${line}`);
    const v = scalar[2]!;
    const value: RawValue = v.startsWith('"') ? unescapeC(v.slice(1, -1)) : Number(v);
    (top[scalar[1]!] ??= []).push(value);
  }
  return root;
}
