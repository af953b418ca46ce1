/** A number with fixed decimals, or an em dash when there is none. */
export function fixed(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits);
}

/** A fraction in [0, 1] shown as a percent. */
export function percent(fraction: number | null | undefined, digits = 1): string {
  return fraction === null || fraction === undefined ? '—' : fixed(fraction * 100, digits);
}

/** A signed delta ("+1.3", "-0.4"). */
export function signed(value: number, digits = 1): string {
  const text = value.toFixed(digits);
  return value > 0 && Number(text) !== 0 ? `+${text}` : text;
}

/** A duration in seconds as "1h 02m", "3m 05s" or "42s". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/**
 * Background colour of a heat-map cell: red at the column's lowest value, green at its highest (pale, so text stays
 * readable). A column whose values are all equal stays neutral.
 */
export function heatColour(value: number, min: number, max: number): string {
  if (!(max > min)) return 'hsl(210, 20%, 97%)';
  const t = (value - min) / (max - min);
  return `hsl(${Math.round(t * 120)}, 65%, 85%)`;
}

/** Bytes in binary units. */
export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}
