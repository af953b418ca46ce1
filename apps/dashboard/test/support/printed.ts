/**
 * A leaderboard page as a reader sees it (printed cells, colours, notes) with the full-precision sort keys of the
 * `data-value` attributes taken out. Those keys carry a mean to the last bit, and the last bit of a folded mean depends
 * on summation order (Postgres' avg over a scan adds in heap order, the summary table adds exactly), so two correct
 * paths may differ there; compare them with sortKeys and firstDifference instead.
 */
export function printedPage(html: string): string {
  return html.replace(/data-value="[^"]*"/g, 'data-value');
}

/** The page's `data-value` sort keys in document order (null where a cell has none). */
export function sortKeys(html: string): (number | null)[] {
  return [...html.matchAll(/data-value="([^"]*)"/g)].map((m) => (m[1] === '' ? null : Number(m[1])));
}

/**
 * The path of the first place where two JSON-like values differ, numbers compared to a relative tolerance; null when
 * they agree. A mean folded two ways differs by a few ulps, never by 1e-12 of itself.
 */
export function firstDifference(a: unknown, b: unknown, tolerance = 1e-12, path = '$'): string | null {
  if (typeof a === 'number' && typeof b === 'number') {
    return Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b)) ? null : `${path}: ${a} vs ${b}`;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}: length ${a.length} vs ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const difference = firstDifference(a[i], b[i], tolerance, `${path}[${i}]`);
      if (difference !== null) return difference;
    }
    return null;
  }
  if (
    a !== null &&
    b !== null &&
    typeof a === 'object' &&
    typeof b === 'object' &&
    !Array.isArray(a) &&
    !Array.isArray(b)
  ) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) {
      const difference = firstDifference(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        tolerance,
        `${path}.${key}`,
      );
      if (difference !== null) return difference;
    }
    return null;
  }
  return Object.is(a, b) ? null : `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
}

/** Where two renderings of the leaderboard page differ for a reader (text or sort keys beyond tolerance), or null. */
export function pageDifference(a: string, b: string): string | null {
  if (printedPage(a) !== printedPage(b)) return 'printed text differs';
  return firstDifference(sortKeys(a), sortKeys(b));
}
