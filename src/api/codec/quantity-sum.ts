// resource.Quantity parsing and addition, for Table cells that sum container
// usage (metrics-server pkg/api/table.go uses Quantity.Add). Formatting is
// src/api/quantity.ts's formatQuantity; this file only reads and adds.

import { formatQuantity, type QuantityFormat } from '../quantity.js';

export interface ParsedQuantity {
  /** value = mantissa × 10^scale, exactly. */
  mantissa: bigint;
  scale: number;
  format: QuantityFormat;
}

export class QuantityParseError extends Error {}

const BINARY_POWER: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL_EXP: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const SYNTAX = /^([+-]?)(\d*)(?:\.(\d*))?(.*)$/;

/** resource.ParseQuantity: "<signed number><suffix>", suffix binary, decimal SI or e<exp>. */
export function parseQuantity(s: string): ParsedQuantity {
  const m = SYNTAX.exec(s);
  const whole = m?.[2] ?? '';
  const frac = m?.[3] ?? '';
  if (!m || (whole === '' && frac === '')) throw new QuantityParseError(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': ${JSON.stringify(s)}`);
  const suffix = m[4]!;
  let mantissa = BigInt((whole || '0') + frac);
  if (m[1] === '-') mantissa = -mantissa;
  let scale = -frac.length;
  let format: QuantityFormat;
  if (Object.hasOwn(BINARY_POWER, suffix)) {
    mantissa *= 1024n ** BigInt(BINARY_POWER[suffix]!);
    format = 'BinarySI';
  } else if (Object.hasOwn(DECIMAL_EXP, suffix)) {
    scale += DECIMAL_EXP[suffix]!;
    format = 'DecimalSI';
  } else if (/^[eE][+-]?\d+$/.test(suffix)) {
    scale += Number(suffix.slice(1));
    format = 'DecimalExponent';
  } else {
    throw new QuantityParseError(`unable to parse quantity's suffix: ${JSON.stringify(s)}`);
  }
  return { mantissa, scale, format };
}

/** An accumulator with Quantity.Add's rule: a zero sum takes the next addend's format. */
export class QuantitySum {
  private mantissa = 0n;
  private scale = 0;
  private format: QuantityFormat = 'DecimalSI';

  add(q: ParsedQuantity): void {
    if (this.mantissa === 0n) this.format = q.format;
    if (q.scale < this.scale) {
      this.mantissa *= 10n ** BigInt(this.scale - q.scale);
      this.scale = q.scale;
      this.mantissa += q.mantissa;
    } else {
      this.mantissa += q.mantissa * 10n ** BigInt(q.scale - this.scale);
    }
  }

  toString(): string {
    return formatQuantity(this.mantissa, this.scale, this.format);
  }
}
