// Go's strconv.FormatFloat(v, 'g', -1, 64), the form the Prometheus text
// exposition writes sample values in (e.g. 1.253376e+07, 357.35491).

export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  // Go writes %f when the shortest digits' exponent is in [-4, 6): exactly the values whose
  // magnitude is in [1e-4, 1e6) (no shortest form of one outside rounds into it), and JS's
  // shortest decimal form has the same digits, without exponent (JS uses one only below 1e-6).
  const abs = Math.abs(v);
  if (abs >= 1e-4 && abs < 1e6) return String(v);
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
