// Go's strconv.FormatFloat(v, 'g', -1, 64), the form the Prometheus text
// exposition writes sample values in (e.g. 1.253376e+07, 357.35491).

export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  // toExponential() without digits gives the shortest round-tripping mantissa.
  const [mant, expText] = v.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    const abs = Math.abs(exp);
    return `${mant}e${sign}${abs < 10 ? '0' : ''}${abs}`;
  }
  // In this range JS's shortest decimal form has the same digits, without exponent.
  return String(v);
}
