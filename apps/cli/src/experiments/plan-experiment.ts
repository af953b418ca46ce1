import {
  formatIssue,
  locateInExperiment,
  planSweepRuns,
  SweepExpansionError,
  trainSelections,
  type DatasetSelection,
  type ExperimentSpec,
  type IdentifiedRun,
  type SweepValue,
} from '@mirage/contracts';
import { checkPlan, type PlanIssue, type PlannedSelection } from '@mirage/datasets';
import type { Db } from '@mirage/db';
import type { ArtifactStore } from '@mirage/storage';
import { UserError } from '../errors';
import { checkEarlyStop } from './early-stop-checks';
import { checkPerturbations } from './perturbation-checks';
import type { LoadedExperiment } from './load-experiment';
import { withIdentifiedBackbone } from './backbone-identity';
import { resolveExperiment, type ResolvedExperiment } from './resolve-datasets';
import { findStaleCells } from './stale-cells';

// Cells cached under other library versions, as a warning (null when there are none or reuse is allowed).
async function staleCellsOf(
  db: Db,
  spec: ExperimentSpec,
  runs: IdentifiedRun[],
  codeVersion: string,
): Promise<string | null> {
  if (spec.reuse_across_environments) return null;
  const found = await findStaleCells(db, runs, codeVersion, spec.video_aggregate);
  if (!found || found.stale === 0) return null;
  const e = found.environment;
  return `${found.stale} cached eval cells were computed under other library versions than the workers' torch ${e.torch}, transformers ${e.transformers}, Pillow ${e.pillow}, numpy ${e.numpy}, CUDA ${e.cuda ?? 'none'}: a launch recomputes them (reuse_across_environments: true reuses them)`;
}

/** One resolved selection as a plan prints it. */
export interface PlanSelectionSummary {
  id: string;
  dataset: string;
  split: DatasetSelection['split'];
  generators: DatasetSelection['generators'];
  classes: DatasetSelection['classes'];
  max_images: DatasetSelection['max_images'];
  /** Records of each class: images, or for a column of video frames, frames. */
  n_real: number;
  n_fake: number;
  /** Videos the frames come from (a column of video frames only). */
  n_videos?: number;
  selection_hash: string;
}

/** What `mirage plan --json` prints: every run and column, and what the checks found. */
export interface ExperimentPlan {
  experiment: string;
  file: string;
  code_version: string;
  /** The frozen backbone; a local folder is identified by the sha256 of its files. */
  backbone: { source: string; name_or_path: string | null; weights_sha256: string | null };
  runs: { index: number; method: string; seed: number; run_id: string; overrides: Record<string, SweepValue> }[];
  train: PlanSelectionSummary;
  val: PlanSelectionSummary | null;
  columns: PlanSelectionSummary[];
  errors: PlanIssue[];
  warnings: PlanIssue[];
}

/**
 * Resolves every selection of an experiment and expands its sweep without starting anything, then checks the plan.
 * `launch` runs exactly this before it starts a workflow.
 */
export async function planExperiment(
  deps: { db: Db; store: ArtifactStore },
  loaded: LoadedExperiment,
  codeVersion: string,
): Promise<{ plan: ExperimentPlan; resolved: ResolvedExperiment; runs: IdentifiedRun[]; spec: ExperimentSpec }> {
  const { file, text } = loaded;
  const spec = await withIdentifiedBackbone(loaded.spec);
  const resolved = await resolveExperiment(deps, spec);
  let runs: IdentifiedRun[];
  try {
    runs = planSweepRuns(spec, trainSelections(resolved.datasets), codeVersion);
  } catch (error) {
    if (!(error instanceof SweepExpansionError)) throw error;
    const { line, column } = error.field ? locateInExperiment(text, file, error.field) : { line: 0, column: 0 };
    throw new UserError(
      `invalid sweep:\n${formatIssue({ file, line, column, path: error.field?.join('.') ?? 'sweep', message: error.message })}`,
    );
  }
  const findings = checkPlan(resolved.selections);
  checkEarlyStop(spec, runs, findings);
  checkPerturbations(spec, findings);
  const stale = await staleCellsOf(deps.db, spec, runs, codeVersion);
  if (stale) findings.warnings.push({ code: 'stale_cells', column: 'cache', message: stale });
  if (spec.backbone.source === 'hub') {
    findings.warnings.push({
      code: 'backbone_by_name',
      column: 'backbone',
      message: `backbone ${spec.backbone.name_or_path} (source hub) is identified by its name only: other weights under that name would share runs and cells; use source: local to identify it by content`,
    });
  }
  const byRole = (role: PlannedSelection['role']) => resolved.selections.filter((s) => s.role === role);
  const summary = (s: PlannedSelection): PlanSelectionSummary => {
    const { selection } = s;
    return {
      id: s.id,
      dataset: s.dataset,
      split: selection.split,
      generators: selection.generators,
      classes: selection.classes,
      max_images: selection.max_images,
      n_real: s.selected.nReal,
      n_fake: s.selected.nFake,
      ...videoCount(s.selected.records),
      selection_hash: s.selected.sha256,
    };
  };
  const plan: ExperimentPlan = {
    experiment: spec.name,
    file,
    code_version: codeVersion,
    backbone: {
      source: spec.backbone.source,
      name_or_path: spec.backbone.name_or_path,
      weights_sha256: spec.backbone.weights_sha256,
    },
    runs: runs.map((r) => ({
      index: r.index,
      method: r.config.method,
      seed: r.config.seed,
      run_id: r.run_id,
      overrides: r.overrides,
    })),
    train: summary(byRole('train')[0] as PlannedSelection),
    val: byRole('val')[0] ? summary(byRole('val')[0] as PlannedSelection) : null,
    columns: byRole('eval').map(summary),
    errors: findings.errors,
    warnings: findings.warnings,
  };
  return { plan, resolved, runs, spec };
}

function videoCount(records: readonly { video_id: string | null }[]): { n_videos?: number } {
  const videos = new Set(records.flatMap((r) => (r.video_id === null ? [] : [r.video_id])));
  return videos.size === 0 ? {} : { n_videos: videos.size };
}
