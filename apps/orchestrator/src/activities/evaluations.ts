import { environmentKey, EvaluateOutput } from '@mirage/contracts';
import { listCachedEvalCells, upsertEvalResult } from '@mirage/db';
import type { ControlActivities, EvalCell } from '@mirage/workflows';
import type { ActivityDeps } from './deps';

// `acc` is always at the fixed 0.5 threshold; the calibrated accuracy has its own column (acc_calibrated).
const FIXED_POLICY = 'fixed';

/**
 * The evaluation cache: a cell whose (checkpoint, column selection, perturbation, preprocessing, code) is stored is
 * never recomputed. A hit recorded under another column id or run (a renamed column, two columns selecting the same
 * images) is copied under this run's column id, so the table finds it by the name the experiment file uses now.
 */
export function evaluationActivities({
  db,
}: ActivityDeps): Pick<ControlActivities, 'planEvalCells' | 'recordEvalResult'> {
  return {
    async planEvalCells({ run_id, checkpoint, preprocess_hash, code_version, environment_key, cells }) {
      const cached = await listCachedEvalCells(db, {
        checkpointSha256: checkpoint.sha256,
        preprocessHash: preprocess_hash,
        codeVersion: code_version,
      });
      const missing: EvalCell[] = [];
      let copied = 0;
      let stale = 0;
      for (const cell of cells) {
        const same = cached.filter(
          (r) => r.manifestHash === cell.selection_hash && r.perturbation === cell.perturbation_id,
        );
        // A cell computed under other libraries (another environment key) is stale: recomputed, never reused.
        const hits = environment_key === null ? same : same.filter((r) => r.environmentKey === environment_key);
        if (hits.length === 0) {
          if (same.length > 0) stale++;
          missing.push(cell);
          continue;
        }
        if (hits.some((r) => r.runId === run_id && r.dataset === cell.eval_id)) continue;
        const source = hits.reduce((a, b) => (b.id < a.id ? b : a));
        const { id: _id, createdAt: _created, updatedAt: _updated, ...fields } = source;
        await upsertEvalResult(db, { ...fields, runId: run_id, dataset: cell.eval_id });
        copied++;
      }
      return { missing, reused: cells.length - missing.length, copied, stale };
    },

    async recordEvalResult({ run_id, checkpoint, preprocess_hash, code_version, selection_hash, output }) {
      const o = EvaluateOutput.parse(output);
      await upsertEvalResult(db, {
        runId: run_id,
        dataset: o.eval_id,
        perturbation: o.perturbation_id,
        accReal: o.acc_real,
        accFake: o.acc_fake,
        acc: o.acc,
        ap: o.ap,
        auc: o.auc,
        accCalibrated: o.acc_calibrated,
        threshold: o.threshold,
        thresholdPolicy: FIXED_POLICY,
        n: o.n,
        nReal: o.n_real,
        nFake: o.n_fake,
        scoresKey: o.scores_key,
        scoresSha256: o.scores_sha256,
        checkpointSha256: checkpoint.sha256,
        manifestHash: selection_hash,
        environment: o.environment,
        environmentKey: environmentKey(o.environment),
        preprocessHash: preprocess_hash,
        codeVersion: code_version,
        video: o.video,
      });
    },
  };
}
