// Every printed number goes through formatFixed, so tables never depend on the locale (no toLocaleString) nor on
// Number.prototype.toFixed, which rounds the exact binary value (1.005.toFixed(2) is "1.00").

/** Significant digits a value is snapped to before rounding: removes binary noise such as 83.14999999999999. */
export const SNAP_SIGNIFICANT_DIGITS = 12;

/**
 * Formats `value` with exactly `digits` decimals. The value is first snapped to 12 significant digits (so float
 * noise from summation or from fraction*100 cannot flip a rounding), then rounded half away from zero in decimal
 * arithmetic: 0.05 -> "0.1", 83.15 -> "83.2", -0.05 -> "-0.1", 1.005 at 2 digits -> "1.01". A result that rounds
 * to zero is printed unsigned ("-0.04" -> "0.0", -0 -> "0.0").
 */
export function formatFixed(value: number, digits: number): string {
  if (!Number.isFinite(value)) throw new Error(`formatFixed: value must be finite; got ${value}`);
  if (!Number.isInteger(digits) || digits < 0) throw new Error(`formatFixed: digits must be a non-negative integer`);
  const scaled = roundedScaledMagnitude(Math.abs(value), digits);
  const text = scaled.toString().padStart(digits + 1, '0');
  const body = digits === 0 ? text : `${text.slice(0, text.length - digits)}.${text.slice(text.length - digits)}`;
  return value < 0 && scaled !== 0n ? `-${body}` : body;
}

/** The number formatFixed prints, as a number: what a reader sees, for deltas and ties that must add up. */
export function roundHalfAwayFromZero(value: number, digits: number): number {
  return Number(formatFixed(value, digits));
}

// round(magnitude * 10^digits) as an exact integer, halves rounded up (away from zero, the sign being separate).
function roundedScaledMagnitude(magnitude: number, digits: number): bigint {
  const [mantissa, exponentText] = magnitude.toPrecision(SNAP_SIGNIFICANT_DIGITS).split('e');
  const [whole = '', fraction = ''] = (mantissa ?? '').split('.');
  // magnitude == integerDigits * 10^exponent
  const integerDigits = BigInt(whole + fraction);
  const exponent = Number(exponentText ?? '0') - fraction.length + digits;
  if (exponent >= 0) return integerDigits * 10n ** BigInt(exponent);
  const divisor = 10n ** BigInt(-exponent);
  const quotient = integerDigits / divisor;
  const remainder = integerDigits % divisor;
  return remainder * 2n >= divisor ? quotient + 1n : quotient;
}

/** Formats a signed difference: "+1.3", "-0.4", and "0.0" when it rounds to zero. */
export function formatSigned(value: number, digits: number): string {
  const text = formatFixed(value, digits);
  return text.startsWith('-') || roundHalfAwayFromZero(value, digits) === 0 ? text : `+${text}`;
}
