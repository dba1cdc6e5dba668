// Every row of protocol §3.3/§3.4 plus apimachinery's TestQuantityString cases.
import t from 'tap';
import { cpuQuantity, formatQuantity, memoryQuantity } from '../../src/api/quantity.js';
import { random } from '../helpers/random.js';

t.test('CPU nanocores → DecimalSI at scale -9 (protocol §3.3)', async (t) => {
  const rows: [number | bigint, string][] = [
    [0, '0'],
    [1, '1n'],
    [999, '999n'],
    [1000, '1u'],
    [1001, '1001n'],
    [1500, '1500n'],
    [999999, '999999n'],
    [1000000, '1m'],
    [1234567, '1234567n'],
    [50000000, '50m'],
    [100000000, '100m'],
    [123456789, '123456789n'],
    [999999999, '999999999n'],
    [1000000000, '1'],
    [1000000001, '1000000001n'],
    [1500000000, '1500m'],
    [2000000000, '2'],
    [12345678901, '12345678901n'],
    [4000000000000, '4k'],
    [18446744073709551615n, '18446744073709551610n'], // uint64 max: scaled by 10 like uint64Quantity
    [9223372036854775807n, '9223372036854775807n'], // int64 max fits as it is
  ];
  for (const [input, want] of rows) t.equal(cpuQuantity(input), want, String(input));
});

t.test('memory bytes → BinarySI at scale 0 (protocol §3.4)', async (t) => {
  const rows: [number, string][] = [
    [0, '0'],
    [1, '1'],
    [999, '999'],
    [1000, '1k'],
    [1023, '1023'],
    [1024, '1Ki'],
    [1025, '1025'],
    [1536, '1536'],
    [2048, '2Ki'],
    [999424, '976Ki'],
    [1000000, '1000000'],
    [1048576, '1Mi'],
    [1572864, '1536Ki'],
    [5000000, '5000000'],
    [12230656, '11944Ki'],
    [12345678, '12345678'],
    [1073741824, '1Gi'],
    [1073741825, '1073741825'],
    [1610612736, '1536Mi'],
    [2147483648, '2Gi'],
    [3221225472, '3Gi'],
    [16777216000, '16000Mi'],
    [123456789012, '123456789012'],
    [2 ** 50, '1Pi'],
    [2 ** 52, '4Pi'],
  ];
  for (const [input, want] of rows) t.equal(memoryQuantity(input), want, String(input));
  t.equal(memoryQuantity(2n ** 60n), '1Ei');
  t.equal(memoryQuantity(2n ** 62n), '4Ei', 'Ei is the largest suffix');
});

t.test('apimachinery TestQuantityString cases', async (t) => {
  const rows: [bigint, number, 'DecimalSI' | 'BinarySI' | 'DecimalExponent', string][] = [
    [1024n * 1024n * 1024n, 0, 'BinarySI', '1Gi'],
    [300n * 1024n * 1024n, 0, 'BinarySI', '300Mi'],
    [6n * 1024n, 0, 'BinarySI', '6Ki'],
    [1001n * 1024n * 1024n * 1024n, 0, 'BinarySI', '1001Gi'],
    [1024n * 1024n * 1024n * 1024n, 0, 'BinarySI', '1Ti'],
    [5n, 0, 'BinarySI', '5'],
    [500n, -3, 'BinarySI', '500m'],
    [1n, 9, 'DecimalSI', '1G'],
    [1000n, 6, 'DecimalSI', '1G'],
    [1000000n, 3, 'DecimalSI', '1G'],
    [1000000000n, 0, 'DecimalSI', '1G'],
    [1n, -3, 'DecimalSI', '1m'],
    [80n, -3, 'DecimalSI', '80m'],
    [1080n, -3, 'DecimalSI', '1080m'],
    [108n, -2, 'DecimalSI', '1080m'],
    [10800n, -4, 'DecimalSI', '1080m'],
    [300n, 6, 'DecimalSI', '300M'],
    [1n, 12, 'DecimalSI', '1T'],
    [1234567n, 6, 'DecimalSI', '1234567M'],
    [1234567n, -3, 'BinarySI', '1234567m'],
    [3n, 3, 'DecimalSI', '3k'],
    [1025n, 0, 'BinarySI', '1025'],
    [0n, 0, 'DecimalSI', '0'],
    [0n, 0, 'BinarySI', '0'],
    [1n, 9, 'DecimalExponent', '1e9'],
    [1n, -3, 'DecimalExponent', '1e-3'],
    [1n, -9, 'DecimalExponent', '1e-9'],
    [80n, -3, 'DecimalExponent', '80e-3'],
    [300n, 6, 'DecimalExponent', '300e6'],
    [1n, 12, 'DecimalExponent', '1e12'],
    [1n, 3, 'DecimalExponent', '1e3'],
    [3n, 3, 'DecimalExponent', '3e3'],
    [0n, 0, 'DecimalExponent', '0'],
    [1n, -9, 'DecimalSI', '1n'],
    [80n, -9, 'DecimalSI', '80n'],
    [1080n, -9, 'DecimalSI', '1080n'],
    [108n, -9, 'DecimalSI', '108n'],
    [10800n, -10, 'DecimalSI', '1080n'],
    [1n, -6, 'DecimalSI', '1u'],
    [80n, -6, 'DecimalSI', '80u'],
    [1080n, -6, 'DecimalSI', '1080u'],
  ];
  for (const [m, s, f, want] of rows) t.equal(formatQuantity(m, s, f), want, `${m}e${s} ${f}`);
});

t.test('negative values, sub-nano rounding and exponents past E', async (t) => {
  t.equal(formatQuantity(-1500n, -9, 'DecimalSI'), '-1500n');
  t.equal(formatQuantity(-2048n, 0, 'BinarySI'), '-2Ki');
  t.equal(formatQuantity(-1000n, 0, 'BinarySI'), '-1k', '|v| < 1024 prints DecimalSI');
  t.equal(formatQuantity(1n, -10, 'DecimalSI'), '1n', 'finer than nano rounds up');
  t.equal(formatQuantity(11n, -10, 'DecimalSI'), '2n');
  t.equal(formatQuantity(-11n, -10, 'DecimalSI'), '-2n', 'rounds away from zero');
  t.equal(formatQuantity(1n, 21, 'DecimalSI'), '1e21', 'no suffix past E: exponent form');
  t.equal(formatQuantity(15361n, -1, 'BinarySI'), '1536100m', 'non-integer binary ≥ 1024 falls back to DecimalSI');
  t.equal(formatQuantity(20480n, -1, 'BinarySI'), '2Ki', 'integral value at negative scale stays binary');
  t.throws(() => cpuQuantity(Number.NaN), RangeError);
  t.throws(() => memoryQuantity(Infinity), RangeError);
  t.equal(cpuQuantity(1500.7), '1500n', 'fractions of a nanocore are truncated');
});

t.test('the number fast path agrees with the exact bigint path', async (t) => {
  // Seeded, so a failure reproduces: 32-bit unsigned draws.
  const r = random(0x2545f491);
  const next = () => r.int(2 ** 32);
  let mismatches = 0;
  for (let i = 0; i < 5000; i++) {
    // Mix magnitudes, trailing zeros and multiples of 1024.
    const base = next() * 2 ** (next() % 22);
    const shaped = [base, Math.floor(base / 1000) * 1000, Math.floor(base / 1024) * 1024, next() % 2048, Math.floor(base / 1e6) * 1e6];
    for (const v of shaped) {
      if (!Number.isSafeInteger(v)) continue;
      if (cpuQuantity(v) !== formatQuantity(BigInt(v), -9, 'DecimalSI')) mismatches++;
      if (memoryQuantity(v) !== formatQuantity(BigInt(v), 0, 'BinarySI')) mismatches++;
      if (memoryQuantity(-v) !== formatQuantity(BigInt(-v), 0, 'BinarySI')) mismatches++;
    }
  }
  t.equal(mismatches, 0);
  t.equal(cpuQuantity(Number.MAX_SAFE_INTEGER), formatQuantity(BigInt(Number.MAX_SAFE_INTEGER), -9, 'DecimalSI'));
  t.equal(cpuQuantity(2 ** 60), '1152921504606846976n', 'beyond 2^53 the bigint path takes the double as it is');
});
