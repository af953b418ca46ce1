import { doublePrecision, index, integer, jsonb, pgTable, serial, text, uniqueIndex } from 'drizzle-orm/pg-core';
import type { VideoMetrics } from '@mirage/contracts';
import { createdAt, updatedAt } from './columns';
import { runs } from './runs';

/**
 * Summary metrics of one run on one evaluation column (`dataset` holds the column id) under one perturbation.
 * (checkpoint bytes, the column's selection, perturbation, preprocessing, code) is the evaluation cache key: such a
 * cell never needs evaluating twice. It is not unique: a renamed column, or two columns selecting the same images,
 * get a copy of the cached row under their own id instead of a second evaluation.
 */
export const evalResults = pgTable(
  'eval_results',
  {
    id: serial('id').primaryKey(),
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    dataset: text('dataset').notNull(),
    perturbation: text('perturbation').notNull(),
    accReal: doublePrecision('acc_real'),
    accFake: doublePrecision('acc_fake'),
    acc: doublePrecision('acc'),
    ap: doublePrecision('ap'),
    auc: doublePrecision('auc'),
    // Null when the cell has only one class (AP/AUC undefined) or no images of a class.
    accCalibrated: doublePrecision('acc_calibrated'),
    threshold: doublePrecision('threshold').notNull(),
    thresholdPolicy: text('threshold_policy').notNull(),
    n: integer('n').notNull(),
    nReal: integer('n_real').notNull(),
    nFake: integer('n_fake').notNull(),
    scoresKey: text('scores_key').notNull(),
    scoresSha256: text('scores_sha256').notNull(),
    checkpointSha256: text('checkpoint_sha256').notNull(),
    /** The evaluated column's selection hash (ManifestRef.selection_hash), not the whole dataset's. */
    manifestHash: text('manifest_hash').notNull(),
    preprocessHash: text('preprocess_hash').notNull(),
    codeVersion: text('code_version').notNull(),
    /** The worker's environment (library versions, CUDA, GPU, host) and its numerics key (environmentKey). */
    environment: jsonb('environment').$type<Record<string, unknown>>(),
    environmentKey: text('environment_key'),
    /**
     * Metrics at video level (EvaluateOutput.video) when the column's records are video frames; the metric columns
     * above are then per frame. Null for still images.
     */
    video: jsonb('video').$type<VideoMetrics>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('eval_results_run_dataset_perturbation_uq').on(t.runId, t.dataset, t.perturbation),
    index('eval_results_cache_key_idx').on(
      t.checkpointSha256,
      t.manifestHash,
      t.perturbation,
      t.preprocessHash,
      t.codeVersion,
    ),
    // Leaderboard columns are (dataset, perturbation); this serves "all runs on generator X" scans.
    index('eval_results_dataset_perturbation_idx').on(t.dataset, t.perturbation, t.runId),
  ],
);
