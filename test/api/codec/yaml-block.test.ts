// The direct YAML writer must write what the yaml library writes (encodeYaml),
// or decline: scalars in every context, elements of every shape the API makes,
// and strings chosen to sit on the edges of YAML 1.1's implicit types.
import t from 'tap';
import '../../helpers/yaml-as-served.js';
import { parse } from 'yaml';
import { yamlScalar, yamlSeqElement } from '../../../src/api/codec/yaml-block.js';
import { encodeYaml } from '../../../src/api/codec/yaml.js';

/** A seeded generator, so a failure repeats. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

// Words and forms YAML 1.1 gives a type, and near misses.
const EDGES = [
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'yEs', 'n', 'N', 'no', 'No', 'NO', 'nO', 'true', 'True', 'TRUE', 'tRue', 'false', 'False', 'FALSE'],
  ...['on', 'On', 'ON', 'oN', 'off', 'Off', 'OFF', 'null', 'Null', 'NULL', 'nULL', 'yess', 'nope', 'onn'],
  ...['0', '00', '07', '08', '09', '0123', '0128', '10', '1_000', '1__', '0b101', '0b2', '0x1f', '0xg', '0x', '0o7', '1e3', '1E3', '1e', '1e+3', '1e-3', '1.5e3'],
  ...['1.', '1.5', '1.5.5', '1_0.5', '1.5Gi', '100m', '1234567n', '123456Ki', '1E', '5Ei', '1k', '2M', '0.5', '.5', '5.', '1:30', '190:20:30', '1:30.5', '1:60'],
  ...['2026-11-23', '2026-11-23T03:00:00Z', '2026-1-2', '2026-11-23t03:00:00z', '2026-11-23T03:00:00', '2026-11-23T03:00:00.5Z', '2026-11-23T03:00:00+01:00', '12026-11-23'],
  ...['15.012s', '1m0s', '1h0m0s', '0s', '500ms', '15s', 'inf', 'nan', 'NaN', '.inf', '.nan', 'a', 'A', 'Z', 'x', 'e', 'E'],
  ...['web-7f9c4b5d6-x2k9p', 'kube-system', 'app.kubernetes.io/name', 'example.com/a_b', 'a-', 'a.', 'a/', 'a_', 'a--b', 'a..b', 'a//b'],
  ...['', ' ', 'a b', 'a:b', 'a: b', 'a#b', 'a #b', '-a', '- a', '-', '?', '?a', ':', 'a:', '#', '~', '<<', '=', '"', "'", 'a"b', "a'b", '\\', 'a\\b'],
  ...['---', '...', '--- a', 'a\nb', 'a\n', '\n', '\ta', 'é', 'ü-x', '\u2028', '\u0000', 'x'.repeat(300), '9'.repeat(300), 'a'.repeat(80) + ' ' + 'b'.repeat(80)],
];

const ALPHABET = 'aAbeEfnNoOsStTxXyYzZ0123456789._/-:+ ';
function randomString(r: () => number): string {
  const len = 1 + Math.floor(r() * 8);
  let s = '';
  for (let i = 0; i < len; i++) s += ALPHABET[Math.floor(r() * ALPHABET.length)];
  return s;
}

/** What the library writes for a string as a map value and as a map key, inside a sequence element. */
function library(s: string): { value: string; key: string } {
  const value = encodeYaml([{ k: s }]);
  const key = encodeYaml([{ [s]: 'v' }]);
  return { value: value.slice('- k: '.length, -1), key: key.slice('- '.length, -': v\n'.length) };
}

t.test('the library as the server runs it: timestamps quoted', async (t) => {
  t.equal(encodeYaml({ k: '2026-11-23T03:00:00Z' }), 'k: "2026-11-23T03:00:00Z"\n');
});

t.test('a scalar is written as the library writes it, as a value and as a key, or declined', async (t) => {
  const r = rng(9);
  const strings = [...EDGES, ...Array.from({ length: 3000 }, () => randomString(r))];
  let written = 0;
  for (const s of strings) {
    const mine = yamlScalar(s);
    if (mine === undefined) continue;
    written++;
    const lib = library(s);
    if (mine !== lib.value || mine !== lib.key) t.fail(`${JSON.stringify(s)}: ${mine} vs value ${lib.value}, key ${lib.key}`);
    t.equal(parse(`k: ${mine}`, { version: '1.1' }).k, s, `${JSON.stringify(s)} reads back as the string`);
  }
  // The writer must cover the strings the API is made of, not decline everything.
  for (const s of ['web-7f9c4b5d6-x2k9p', 'kube-system', '1234567n', '123456Ki', '15.012s', '2026-11-23T03:00:00Z', '0', '', 'app.kubernetes.io/name', 'true']) {
    t.not(yamlScalar(s), undefined, `${JSON.stringify(s)} written directly`);
  }
  t.equal(yamlScalar('true'), '"true"');
  t.equal(yamlScalar('2026-11-23T03:00:00Z'), '"2026-11-23T03:00:00Z"');
  t.equal(yamlScalar('1234567n'), '1234567n');
  t.ok(written > 1000, `${written} of ${strings.length} written directly`);
});

t.test('an element is the library\'s one-element sequence, or declined', async (t) => {
  const r = rng(4);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const value = (depth: number): unknown => {
    const roll = r();
    if (depth > 3 || roll < 0.45) return r() < 0.5 ? pick(EDGES) : randomString(r);
    if (roll < 0.55) return r() < 0.5 ? {} : [];
    if (roll < 0.75) return Array.from({ length: 1 + Math.floor(r() * 3) }, () => value(depth + 1));
    if (roll < 0.8) return pick([1, 0, -2.5, true, false, null]);
    const m: Record<string, unknown> = {};
    for (let i = 0, n = 1 + Math.floor(r() * 4); i < n; i++) m[r() < 0.7 ? randomString(r) : pick(EDGES)] = value(depth + 1);
    if (r() < 0.1) m['skipped'] = undefined;
    return m;
  };
  let written = 0;
  for (let i = 0; i < 3000; i++) {
    const e = value(0);
    const mine = yamlSeqElement(e);
    if (mine === undefined) continue;
    written++;
    const lib = encodeYaml([e]);
    if (mine !== lib) t.fail(`${JSON.stringify(e)}:\n${mine}\nvs\n${lib}`);
  }
  t.ok(written > 600, `${written} of 3000 written directly`);
  // Shapes the API makes, written directly.
  const pod = {
    metadata: { name: 'web-1', namespace: 'team-a', creationTimestamp: '2026-11-23T03:00:00Z', labels: { '2': 'x', '10': 'y', app: 'web', n: 'yes' } },
    timestamp: '2026-11-23T02:59:58Z',
    window: '15.012s',
    containers: [{ name: 'main', usage: { cpu: '1234567n', memory: '123456Ki' } }, { name: 'sidecar', usage: { cpu: '0', memory: '0' } }],
  };
  const row = { cells: ['web-1', '2m', '121Mi', '15s'], object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: pod.metadata } };
  for (const e of [pod, row, { metadata: {}, containers: [] }]) t.equal(yamlSeqElement(e), encodeYaml([e]), JSON.stringify(e).slice(0, 60));
  t.equal(yamlSeqElement({ a: '1', b: [{ c: 'd' }] }, '  '), '  - a: "1"\n    b:\n    - c: d\n', 'at an indentation');
  // Declined: what the library might write otherwise.
  for (const e of [{ a: 1 }, { a: null }, { a: [['x']] }, { a: 'x y' }, ['x']]) t.equal(yamlSeqElement(e), undefined, JSON.stringify(e));
});
