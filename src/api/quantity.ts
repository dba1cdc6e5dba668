// resource.Quantity canonical strings (apimachinery pkg/api/resource), for the
// values metrics-server emits: CPU as DecimalSI at scale -9 (nanocores) and memory
// as BinarySI at scale 0 (bytes). Pure functions; the Table encoder may import them.
//
// A quantity here is mantissa × 10^scale with an exact bigint mantissa, so uint64
// counters beyond 2^53 keep every digit.

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

const INT64_MAX = 2n ** 63n - 1n;
const NANO_SCALE = -9;

const DECIMAL_SUFFIXES = new Map<number, string>([
  [-9, 'n'],
  [-6, 'u'],
  [-3, 'm'],
  [0, ''],
  [3, 'k'],
  [6, 'M'],
  [9, 'G'],
  [12, 'T'],
  [15, 'P'],
  [18, 'E'],
]);
const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

const pow10 = (n: number): bigint => 10n ** BigInt(n);

/** Divides away from zero so that no amount is lost, like Quantity's rounding to nano. */
function divRoundUp(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b === 0n ? q : a < 0n ? q - 1n : q + 1n;
}

/** Strip trailing zeros, then lower the exponent to a multiple of 3 (AsCanonicalBytes). */
function canonicalDecimal(mantissa: bigint, exponent: number): [bigint, number] {
  let m = mantissa;
  let e = exponent;
  while (m % 10n === 0n) {
    m /= 10n;
    e++;
  }
  const r = ((e % 3) + 3) % 3;
  return [m * pow10(r), e - r];
}

function decimalString(mantissa: bigint, exponent: number, format: QuantityFormat): string {
  const [m, e] = canonicalDecimal(mantissa, exponent);
  const suffix = format === 'DecimalSI' ? DECIMAL_SUFFIXES.get(e) : undefined;
  if (suffix !== undefined) return `${m}${suffix}`;
  return e === 0 ? `${m}` : `${m}e${e}`;
}

/**
 * Canonical text of mantissa × 10^scale in the given format, as Quantity.String()
 * and its JSON/protobuf forms print it.
 */
export function formatQuantity(mantissa: bigint, scale: number, format: QuantityFormat): string {
  if (!Number.isInteger(scale)) throw new RangeError(`quantity scale must be an integer, got ${scale}`);
  if (mantissa === 0n) return '0';
  let m = mantissa;
  let s = scale;
  // Quantities keep at most nano precision; finer amounts round up.
  if (s < NANO_SCALE) {
    m = divRoundUp(m, pow10(NANO_SCALE - s));
    s = NANO_SCALE;
    if (m === 0n) return '0';
  }
  let fmt = format;
  if (fmt === 'BinarySI') {
    const integral = s >= 0 || m % pow10(-s) === 0n;
    const abs = m < 0n ? -m : m;
    // |value| < 1024 prints as DecimalSI ("1000" → "1k"); so does a non-integer.
    const small = s >= 0 ? abs * pow10(s) < 1024n : abs < 1024n * pow10(-s);
    if (small || !integral) fmt = 'DecimalSI';
  }
  if (fmt !== 'BinarySI') return decimalString(m, s, fmt);
  let value = s >= 0 ? m * pow10(s) : m / pow10(-s);
  let power = 0;
  while (power < BINARY_SUFFIXES.length - 1 && value % 1024n === 0n) {
    value /= 1024n;
    power++;
  }
  return `${value}${BINARY_SUFFIXES[power]}`;
}

function toBigInt(n: number | bigint, what: string): bigint {
  if (typeof n === 'bigint') return n;
  if (!Number.isFinite(n)) throw new RangeError(`${what} must be finite, got ${n}`);
  return BigInt(Math.trunc(n));
}

/**
 * metrics-server's uint64Quantity: a value above int64 is divided by 10 and the
 * scale raised by one, losing the last digit rather than overflowing.
 */
function uint64Scaled(v: bigint, scale: number): [bigint, number] {
  return v > INT64_MAX ? [v / 10n, scale + 1] : [v, scale];
}

// Fast paths for the hot list-encoding loop: integers below 2^53 are exact in
// doubles, so the same rules run without bigint allocations.

/** DecimalSI text of the integer m × 10^e (|m| < 2^53, e ≥ -9). */
function decimalSIFast(mantissa: number, exponent: number): string {
  let m = mantissa;
  let e = exponent;
  while (m % 10 === 0) {
    m /= 10;
    e++;
  }
  const r = ((e % 3) + 3) % 3;
  m *= r === 0 ? 1 : r === 1 ? 10 : 100; // never above the input, so still exact
  e -= r;
  return `${m}${DECIMAL_SUFFIXES.get(e)!}`;
}

/** CPU usage in nanocores as metrics-server emits it: "123456789n", "50m", "1". */
export function cpuQuantity(nanocores: number | bigint): string {
  if (typeof nanocores === 'number' && Number.isSafeInteger(Math.trunc(nanocores))) {
    const n = Math.trunc(nanocores);
    return n === 0 ? '0' : decimalSIFast(n, NANO_SCALE);
  }
  const [m, s] = uint64Scaled(toBigInt(nanocores, 'nanocores'), NANO_SCALE);
  return formatQuantity(m, s, 'DecimalSI');
}

/** Memory working set in bytes as metrics-server emits it: "11944Ki", "12345678", "1k". */
export function memoryQuantity(bytes: number | bigint): string {
  if (typeof bytes === 'number' && Number.isSafeInteger(Math.trunc(bytes))) {
    let v = Math.trunc(bytes);
    if (v === 0) return '0';
    if (v > -1024 && v < 1024) return decimalSIFast(v, 0);
    let power = 0;
    while (power < BINARY_SUFFIXES.length - 1 && v % 1024 === 0) {
      v /= 1024;
      power++;
    }
    return `${v}${BINARY_SUFFIXES[power]}`;
  }
  const [m, s] = uint64Scaled(toBigInt(bytes, 'bytes'), 0);
  return formatQuantity(m, s, 'BinarySI');
}
