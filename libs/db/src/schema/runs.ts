import { sql } from 'drizzle-orm';
import { check, doublePrecision, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns';
import { experiments } from './experiments';
import { sweeps } from './sweeps';

/** Every state a run can be in; terminal states are succeeded, failed, cancelled and stopped (early stopping). */
export const RUN_STATUSES = [
  'pending',
  'training',
  'evaluating',
  'succeeded',
  'failed',
  'cancelled',
  'stopped',
] as const;

/** A run's lifecycle state, mirrored by the `runs_status_check` constraint. */
export type RunStatus = (typeof RUN_STATUSES)[number];

/** One training run (one resolved RunConfig + seed); the id is derived from config hash, data hash, code version and seed. */
export const runs = pgTable(
  'runs',
  {
    id: text('id').primaryKey(),
    sweepId: text('sweep_id')
      .notNull()
      .references(() => sweeps.id),
    experiment: text('experiment')
      .notNull()
      .references(() => experiments.name, { onUpdate: 'cascade' }),
    method: text('method').notNull(),
    // Denormalised from the sweep's data spec so leaderboards can filter by training set without parsing config.
    trainDataset: text('train_dataset'),
    config: jsonb('config').$type<Record<string, unknown>>().notNull(),
    configHash: text('config_hash').notNull(),
    seed: integer('seed').notNull(),
    codeVersion: text('code_version').notNull(),
    /** Position in its sweep's plan: the sweep workflow pages through runs by it instead of planning in workflow code. */
    planIndex: integer('plan_index'),
    status: text('status').$type<RunStatus>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    error: text('error'),
    currentStep: integer('current_step').notNull().default(0),
    totalSteps: integer('total_steps'),
    lastLoss: doublePrecision('last_loss'),
    imagesPerSecond: doublePrecision('images_per_second'),
    // The validated TrainOutput once training finished: a re-launch reuses it instead of training again.
    trainOutput: jsonb('train_output').$type<Record<string, unknown>>(),
    /** The environment the training ran in (library versions, CUDA, GPU, host), from its TrainOutput. */
    environment: jsonb('environment').$type<Record<string, unknown>>(),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check('runs_status_check', sql.raw(`${t.status.name} in (${RUN_STATUSES.map((s) => `'${s}'`).join(', ')})`)),
    index('runs_sweep_idx').on(t.sweepId, t.id),
    index('runs_sweep_plan_idx').on(t.sweepId, t.planIndex),
    // Leaderboard filters: experiment and/or training set, then groups by method and seed.
    index('runs_experiment_method_idx').on(t.experiment, t.method, t.seed),
    index('runs_train_dataset_method_idx').on(t.trainDataset, t.method, t.seed),
    index('runs_status_idx').on(t.status, t.updatedAt),
  ],
);
