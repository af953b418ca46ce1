import { z } from 'zod';
import { ManifestRef } from './dataset';
import { DEFAULT_VIDEO_AGGREGATE, VideoAggregate } from './activities';
import { EarlyStopSpec } from './early-stop';
import { ExperimentSpec } from './experiment';
import { Perturbation } from './perturbation';
import { RunConfig } from './run-config';

/** An evaluation column resolved to its manifest. */
export const ResolvedEvalTarget = z.strictObject({ id: z.string().min(1), manifest: ManifestRef });
export type ResolvedEvalTarget = z.infer<typeof ResolvedEvalTarget>;

/** Every dataset an experiment uses, resolved to content-hashed manifests before the sweep starts. */
export const ResolvedDatasets = z.strictObject({
  train: ManifestRef,
  val: ManifestRef.nullable(),
  eval: z.array(ResolvedEvalTarget).min(1),
});
export type ResolvedDatasets = z.infer<typeof ResolvedDatasets>;

/** The train and val selection hashes a run id is computed from. */
export function trainSelections(datasets: ResolvedDatasets): { trainHash: string; valHash: string | null } {
  return { trainHash: datasets.train.selection_hash, valHash: datasets.val?.selection_hash ?? null };
}

/** Input of the sweep workflow (its id is the sweep id; launching the same spec twice attaches to it). */
export const SweepWorkflowInput = z.strictObject({
  sweep_id: z.string().min(1),
  spec: ExperimentSpec,
  datasets: ResolvedDatasets,
  code_version: z.string().min(1),
  bucket: z.string().min(1),
  /** How many runs the recorded plan holds (`mirage launch` records them before it starts the workflow). */
  total_runs: z.number().int().min(0),
  /** Continue-as-new bookkeeping: index of the next planned run and counts so far. */
  next_index: z.number().int().min(0).default(0),
  succeeded: z.number().int().min(0).default(0),
  failed: z.number().int().min(0).default(0),
  stopped: z.number().int().min(0).default(0),
  /** Run ids still in flight when the previous execution continued as new; they report back by signal. */
  running: z.array(z.string().min(1)).default([]),
  /** Runs started per execution before it continues as new (keeps each history small); tests lower it. */
  runs_per_execution: z.number().int().positive().default(200),
  /**
   * Runs per child workflow. 1 (or absent): a run workflow per run, id `<sweep_id>/<run_id>`. More: a run group
   * workflow (id `<sweep_id>/group-<first plan index>`) runs up to this many runs side by side, so the per-workflow
   * costs (start, close, visibility, workflow sandbox set-up, the report signal) are shared by its runs.
   */
  runs_per_group: z.number().int().positive().optional(),
  /** Continue-as-new bookkeeping of run groups: each group in flight and its runs still in flight (also in `running`). */
  running_groups: z.array(z.strictObject({ id: z.string().min(1), runs: z.array(z.string().min(1)) })).optional(),
});
export type SweepWorkflowInput = z.infer<typeof SweepWorkflowInput>;

/** Input of one run: train, then evaluate every (eval column x perturbation), then record. */
export const RunWorkflowInput = z.strictObject({
  sweep_id: z.string().min(1),
  run_id: z.string().min(1),
  config: RunConfig,
  datasets: ResolvedDatasets,
  perturbations: z.array(Perturbation).min(1),
  code_version: z.string().min(1),
  bucket: z.string().min(1),
  task_queue: z.string().min(1),
  reuse_across_environments: z.boolean().default(false),
  early_stop: EarlyStopSpec.nullable().default(null),
  video_aggregate: VideoAggregate.default(DEFAULT_VIDEO_AGGREGATE),
  /** Temporal priority key of this run's GPU tasks (ExperimentSpec.resources.priority); null is the default. */
  priority: z.number().int().min(1).max(5).nullable().default(null),
});
export type RunWorkflowInput = z.infer<typeof RunWorkflowInput>;

/** What `mirage watch` and the dashboard learn from the sweep's `progress` query. */
export interface SweepProgress {
  sweep_id: string;
  total: number;
  succeeded: number;
  failed: number;
  /** Runs early stopping ended at a rung (sweep.early_stop). */
  stopped: number;
  running: string[];
  next_index: number;
  done: boolean;
}

/** What a run tells its sweep when it ends (the `runFinished` signal). */
export interface RunFinished {
  run_id: string;
  status: 'succeeded' | 'failed' | 'stopped' | 'cancelled';
}

/** What a run group tells its sweep when some of its runs end (the `runsFinished` signal). */
export interface RunsFinished {
  group_id: string;
  runs: RunFinished[];
}

/** Result of one run workflow. */
export interface RunWorkflowResult {
  run_id: string;
  status: 'succeeded' | 'failed' | 'stopped';
  trained: boolean;
  evaluated: number;
  reused: number;
  error: string | null;
}
