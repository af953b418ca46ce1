/** A config flattened to dotted paths (`optimizer.lr`, `eval.0.name`) and leaf values. */
export function flattenConfig(
  value: unknown,
  prefix = '',
  out: Map<string, unknown> = new Map(),
): Map<string, unknown> {
  if (value !== null && typeof value === 'object' && Object.keys(value).length > 0) {
    for (const [key, child] of Object.entries(value)) flattenConfig(child, prefix ? `${prefix}.${key}` : key, out);
  } else {
    out.set(prefix, value);
  }
  return out;
}

/** One path whose value differs between two configs; undefined means the path is absent on that side. */
export interface ConfigDifference {
  path: string;
  a: unknown;
  b: unknown;
}

/** The paths whose values differ, in path order. */
export function diffConfigs(a: unknown, b: unknown): ConfigDifference[] {
  const left = flattenConfig(a);
  const right = flattenConfig(b);
  const paths = [...new Set([...left.keys(), ...right.keys()])].sort();
  return paths
    .filter((path) => JSON.stringify(left.get(path)) !== JSON.stringify(right.get(path)))
    .map((path) => ({ path, a: left.get(path), b: right.get(path) }));
}
