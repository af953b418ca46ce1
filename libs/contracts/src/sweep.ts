import type { ExperimentSpec } from './experiment';
import { runId } from './identity';
import { RunConfig, type METHODS } from './run-config';

/** The objective each method is defined with (used when a sweep varies `method`). */
export const METHOD_LOSS: Record<(typeof METHODS)[number], 'mirage' | 'ce'> = {
  mirage: 'mirage',
  maple: 'ce',
  coop: 'ce',
  univfd: 'ce',
};

/** A value a sweep may assign to a RunConfig path. */
export type SweepValue = string | number | boolean | null;

/** One resolved point of a sweep: its position, the overrides that made it, and the resolved config. */
export interface PlannedRun {
  index: number;
  overrides: Record<string, SweepValue>;
  config: RunConfig;
}

/**
 * A sweep that resolves to an invalid RunConfig; names the sweep point and the config path. `field` is the
 * experiment-file path of the sweep entry at fault (`sweep.grid.optimizer.lrr`) when one is.
 */
export class SweepExpansionError extends Error {
  constructor(
    message: string,
    readonly field: readonly string[] | null = null,
  ) {
    super(message);
    this.name = 'SweepExpansionError';
  }
}

/** The RunConfig the spec describes before any sweep override. */
export function baseRunConfig(spec: ExperimentSpec, seed: number): Record<string, unknown> {
  return {
    experiment: spec.name,
    method: spec.method,
    backbone: spec.backbone,
    prompt: spec.prompt,
    loss: spec.loss,
    optimizer: spec.optimizer,
    schedule: spec.schedule,
    preprocess: spec.preprocess,
    augment: spec.augment,
    seed,
    device: spec.resources.device,
    precision: spec.resources.precision,
    num_workers: spec.resources.num_workers,
    // only when on: an absent key is eager, so runs planned before the field existed keep their ids
    ...(spec.resources.compile === true ? { compile: true } : {}),
  };
}

/**
 * Expands grid x random samples x seeds into resolved run configs, deterministically (same spec, same list,
 * same order), so it can run inside a workflow.
 */
export function expandSweep(spec: ExperimentSpec): PlannedRun[] {
  const points = cartesian(spec.sweep.grid).flatMap((gridPoint) =>
    randomPoints(spec).map((randomPoint) => ({ ...gridPoint, ...randomPoint })),
  );
  const runs: PlannedRun[] = [];
  for (const overrides of points) {
    for (const seed of spec.seeds) {
      const raw = structuredCloneJson(baseRunConfig(spec, seed));
      for (const [path, value] of Object.entries(overrides)) {
        try {
          setPath(raw, path, value);
        } catch (err) {
          const where = path in spec.sweep.grid ? ['sweep', 'grid', path] : ['sweep', 'random', 'space', path];
          throw new SweepExpansionError(`${where.join('.')}: ${(err as Error).message}`, where);
        }
      }
      // Sweeping over `method` compares methods, each with its own objective: the baselines are defined by
      // cross-entropy, MiraGe by its loss. An explicit `loss.name` in the sweep wins.
      if ('method' in overrides && !('loss.name' in overrides)) {
        (raw['loss'] as Record<string, unknown>)['name'] =
          METHOD_LOSS[overrides['method'] as keyof typeof METHOD_LOSS] ?? 'ce';
      }
      applyMethodOverrides(raw, spec, overrides);
      const parsed = RunConfig.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue ? issue.path.map(String).join('.') : '';
        const swept = where in spec.sweep.grid ? ['sweep', 'grid', where] : null;
        throw new SweepExpansionError(
          `sweep point ${JSON.stringify(overrides)} (seed ${seed}) gives an invalid run config at ${where}: ${issue?.message}`,
          swept,
        );
      }
      runs.push({ index: runs.length, overrides, config: parsed.data });
    }
  }
  return runs;
}

// A method's own settings (ExperimentSpec.method_overrides) apply under every sweep point of that method; a path the
// sweep point sets itself is left as the point set it.
function applyMethodOverrides(
  raw: Record<string, unknown>,
  spec: ExperimentSpec,
  overrides: Record<string, SweepValue>,
): void {
  const own = spec.method_overrides[raw['method'] as keyof ExperimentSpec['method_overrides']];
  if (!own) return;
  for (const [path, value] of flattenPaths(own as Record<string, unknown>)) {
    if (!(path in overrides)) setPath(raw, path, value);
  }
}

function flattenPaths(value: Record<string, unknown>, prefix = ''): [string, unknown][] {
  return Object.entries(value).flatMap(([key, child]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    const nested = child !== null && typeof child === 'object' && !Array.isArray(child);
    return nested ? flattenPaths(child as Record<string, unknown>, path) : [[path, child] as [string, unknown]];
  });
}

function cartesian(grid: Record<string, SweepValue[]>): Record<string, SweepValue>[] {
  let points: Record<string, SweepValue>[] = [{}];
  for (const [path, values] of Object.entries(grid)) {
    points = points.flatMap((p) => values.map((v) => ({ ...p, [path]: v })));
  }
  return points;
}

function randomPoints(spec: ExperimentSpec): Record<string, SweepValue>[] {
  const random = spec.sweep.random;
  if (!random) return [{}];
  const next = mulberry32(random.seed);
  return Array.from({ length: random.samples }, () => {
    const point: Record<string, SweepValue> = {};
    for (const [path, dist] of Object.entries(random.space)) {
      const u = next();
      if ('choice' in dist) point[path] = dist.choice[Math.floor(u * dist.choice.length)] ?? null;
      else if ('uniform' in dist) point[path] = dist.uniform[0] + u * (dist.uniform[1] - dist.uniform[0]);
      else
        point[path] = Math.exp(Math.log(dist.log_uniform[0]) + u * Math.log(dist.log_uniform[1] / dist.log_uniform[0]));
    }
    return point;
  });
}

// A small seeded PRNG: Math.random is neither reproducible nor allowed to differ between workflow replays.
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Sets `a.b.c` in a plain object; every segment but the last must already exist (catches misspelt paths). */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node: Record<string, unknown> = target;
  for (const [i, part] of parts.entries()) {
    if (i === parts.length - 1) {
      if (!(part in node)) throw new SweepExpansionError(`unknown config path "${path}" (no field "${part}")`);
      node[part] = value;
      return;
    }
    const child = node[part];
    if (child === null || typeof child !== 'object' || Array.isArray(child)) {
      throw new SweepExpansionError(
        `unknown config path "${path}" (no object at "${parts.slice(0, i + 1).join('.')}")`,
      );
    }
    node = child as Record<string, unknown>;
  }
}

function structuredCloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** A planned run with its identity. */
export interface IdentifiedRun extends PlannedRun {
  run_id: string;
}

/**
 * Every run of a spec with its run id, given the train/val selection hashes and the code version: what the sweep
 * CLI records before the sweep workflow starts, and exactly the rows a table of this spec shows.
 */
export function planSweepRuns(
  spec: ExperimentSpec,
  selections: { trainHash: string; valHash: string | null },
  codeVersion: string,
): IdentifiedRun[] {
  return expandSweep(spec).map((run) => ({
    ...run,
    run_id: runId({
      config: run.config,
      trainSelectionHash: selections.trainHash,
      valSelectionHash: selections.valHash,
      codeVersion,
    }),
  }));
}
