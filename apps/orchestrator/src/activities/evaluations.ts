import { EvaluateOutput } from '@mirage/contracts';
import { listCachedEvalCells, upsertEvalResult } from '@mirage/db';
import type { ControlActivities } from '@mirage/workflows';
import type { ActivityDeps } from './deps';

// `acc` is always at the fixed 0.5 threshold; the calibrated accuracy has its own column (acc_calibrated).
const FIXED_POLICY = 'fixed';

/** The evaluation cache: a cell whose (checkpoint, manifest, perturbation, preprocessing, code) is stored is never recomputed. */
export function evaluationActivities({ db }: ActivityDeps): Pick<ControlActivities, 'planEvalCells' | 'recordEvalResult'> {
  return {
    async planEvalCells({ checkpoint, preprocess_hash, code_version, cells }) {
      const cached = await listCachedEvalCells(db, { checkpointSha256: checkpoint.sha256, preprocessHash: preprocess_hash, codeVersion: code_version });
      const done = new Set(cached.map((c) => `${c.manifestHash}|${c.perturbation}`));
      const missing = cells.filter((cell) => !done.has(`${cell.manifest_hash}|${cell.perturbation_id}`));
      return { missing, reused: cells.length - missing.length };
    },

    async recordEvalResult({ run_id, checkpoint, preprocess_hash, code_version, manifest_hash, output }) {
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
        manifestHash: manifest_hash,
        preprocessHash: preprocess_hash,
        codeVersion: code_version,
      });
    },
  };
}
