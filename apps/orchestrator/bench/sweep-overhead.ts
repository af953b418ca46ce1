// Benchmark (not a test): what the orchestration itself costs per run. The real orchestrator worker (every
// workflow plus the real control activities on Postgres and S3) drives sweeps whose GPU activities are no-op
// TypeScript stand-ins on a private task queue, so the figure is the sweep/run workflows, the control activities,
// the progress mirror and Temporal's round trips, nothing else. It runs a reference sweep of REFERENCE runs and
// then one of RUNS runs in the same process, and prints wall time and ms per run for both, and their ratio.
// Postgres writes go to a scratch database (created, migrated and dropped here); the stack's own data is untouched.
// Target (/work/shared/PERFORMANCE.md): <= 50 ms per run for 1,000 runs on the 2-core machine.
// Run: apps/cli/bin/mirage up --core && source .mirage/stack.env && npx nx run orchestrator:bench-sweep
//      (or npx tsx apps/orchestrator/bench/sweep-overhead.ts [runs] [max_concurrent] [reference_runs] [runs_per_group]
//      [design]); design is `both` (default: the per-run design, a run workflow per run, then run groups of
//      runs_per_group runs, default 25, each with its reference sweep, so one invocation prints both figures),
//      `per-run` or `grouped`.
// Scale mode (`... sweep-overhead.ts scale [runs=100000] [max_concurrent=50]`): the cost of a 100k-run plan outside workflow history
// (plan, record, page reads, the table's query), launch-to-first-run, the largest workflow task and history
// events per run of the sweep's first execution, with the old in-workflow plan's JSON size for comparison.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  ExperimentSpec,
  WORKFLOW_NAMES,
  planSweepRuns,
  sha256Hex,
  trainSelections,
  versionedTaskQueue,
  type EvaluateInput,
  type EvaluateOutput,
  type ManifestRef,
  type RunEnvironment,
  type SweepProgress,
  type SweepWorkflowInput,
  type TrainInput,
  type TrainOutput,
} from '@mirage/contracts';
import { createDb, listEvalResults, listPlannedRuns, recordSweepPlan, runMigrations } from '@mirage/db';
import { readPidFile, REPO_ROOT } from '@mirage/local-stack';
import { createArtifactStore } from '@mirage/storage';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import pg from 'pg';
import { readEnv } from '../src/env';
import { createOrchestratorWorker } from '../src/worker';

const SCALE = process.argv[2] === 'scale';
const SCALE_RUNS = Number(process.argv[3] ?? 100_000);
const RUNS = SCALE ? 0 : Number(process.argv[2] ?? 1000);
const MAX_CONCURRENT = Number((SCALE ? process.argv[4] : process.argv[3]) ?? 50);
const REFERENCE = Number(process.argv[4] ?? 100);
const RUNS_PER_GROUP = Number(process.argv[5] ?? 25);
const DESIGN = process.argv[6] ?? 'both';
if (!['both', 'per-run', 'grouped'].includes(DESIGN)) throw new Error(`design ${DESIGN}: both, per-run or grouped`);
const TARGET_MS_PER_RUN = 50;

// Figures only: the SDK's per-worker INFO lines, and core's WARN for each progress mirror that completes after its
// run workflow closed (the mirror is cancelled with TRY_CANCEL, by design), would bury them.
Runtime.install({
  logger: new DefaultLogger('ERROR'),
  telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } },
});

const env = readEnv();
const stamp = `${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
const controlQueue = `bench-control-${stamp}`;
const gpuQueue = `bench-gpu-${stamp}`;
const metricsKey = `bench/${stamp}/train-metrics.jsonl`;
const manifest = (dataset: string): ManifestRef => ({
  dataset,
  version: '1',
  content_hash: sha256Hex(`${stamp}/${dataset}`),
  selection: { split: null, generators: null, classes: null, max_images: null, sample_seed: null },
  key: `bench/${stamp}/${dataset}.jsonl`,
  selection_hash: sha256Hex(`${stamp}/${dataset}/all`),
  root: '/bench',
  n_real: 1,
  n_fake: 1,
});

// The Temporal server's CPU share, when its pid is known: TEMPORAL_PID, else the pid file `mirage up` wrote.
const temporalPid = Number(
  process.env['TEMPORAL_PID'] ??
    readPidFile(join(process.env['MIRAGE_HOME'] ?? join(REPO_ROOT, '.mirage'), 'pids', 'temporal.pid'))?.pid ??
    0,
);
const CLOCK_TICKS_PER_MS = 100 / 1000; // USER_HZ is 100 on Linux

/** utime + stime of a process in ms, or null when it cannot be read. */
function processCpuMs(pid: number): number | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_MS;
  } catch {
    return null;
  }
}

const ENVIRONMENT: RunEnvironment = {
  python: '3.11.7',
  torch: '2.13.0',
  transformers: '5.0.0',
  numpy: '2.0.0',
  pillow: '11.0.0',
  lock_sha256: null,
  cuda: null,
  cudnn: null,
  gpu: null,
  driver: null,
  host: 'test',
};

/** GPU stand-ins: answer at once with outputs that pass the contracts and keep every run's cache key distinct. */
const noopGpu = {
  async train(input: TrainInput): Promise<TrainOutput> {
    const checkpoint = {
      key: `${input.checkpoint_prefix}/step-00000001.safetensors`,
      sha256: sha256Hex(input.run_id),
      bytes: 0,
      step: 1,
    };
    return {
      run_id: input.run_id,
      checkpoint,
      checkpoints: [checkpoint],
      steps: 1,
      final_loss_terms: { total: 0.5 },
      images_per_second: 0,
      calibrated_threshold: null,
      // One shared metrics file: recordTrainOutput really reads and records it, without a write per run here.
      train_metrics_key: metricsKey,
      n_train: 0,
      resumed_from_step: null,
      attempt: 1,
      skipped: [],
      skipped_total: 0,
      skipped_key: null,
      environment: ENVIRONMENT,
      val_metrics: null,
    };
  },
  async evaluate(input: EvaluateInput): Promise<EvaluateOutput> {
    return {
      run_id: input.run_id,
      eval_id: input.eval_id,
      perturbation_id: input.perturbation.name,
      n: 2,
      n_real: 1,
      n_fake: 1,
      acc_real: 1,
      acc_fake: 1,
      acc: 1,
      ap: 1,
      auc: 1,
      threshold: 0.5,
      acc_calibrated: null,
      calibrated_threshold: null,
      scores_key: input.scores_key,
      scores_sha256: sha256Hex(input.scores_key),
      skipped: [],
      skipped_total: 0,
      skipped_key: null,
      environment: ENVIRONMENT,
      video: null,
    };
  },
  async environment(): Promise<RunEnvironment> {
    return ENVIRONMENT;
  },
};

function sweepInput(runs: number, runsPerGroup = 1): SweepWorkflowInput {
  const spec = ExperimentSpec.parse({
    // A name per sweep: run ids hash the config, so two sweeps never share (and reuse) a run.
    name: `bench-overhead-${runs}-g${runsPerGroup}-${stamp}`,
    synthetic: true,
    backbone: {
      source: 'config',
      name_or_path: null,
      config: {
        vision: {
          hidden_size: 32,
          num_hidden_layers: 1,
          num_attention_heads: 2,
          intermediate_size: 64,
          image_size: 32,
          patch_size: 8,
        },
        text: {
          hidden_size: 32,
          num_hidden_layers: 1,
          num_attention_heads: 2,
          intermediate_size: 64,
          max_position_embeddings: 32,
        },
        projection_dim: 32,
      },
    },
    train: { name: 'bench-train' },
    eval: [{ name: 'bench-eval' }],
    seeds: Array.from({ length: runs }, (_, seed) => seed),
    sweep: { grid: {}, max_concurrent: MAX_CONCURRENT },
    resources: { task_queue: gpuQueue },
  });
  return {
    sweep_id: `bench-sweep-${runs}-g${runsPerGroup}-${stamp}`,
    spec,
    datasets: {
      train: manifest('bench-train'),
      val: null,
      eval: [{ id: 'bench-eval', manifest: manifest('bench-eval') }],
    },
    code_version: 'bench',
    bucket: env.S3_BUCKET,
    total_runs: runs,
    next_index: 0,
    succeeded: 0,
    failed: 0,
    stopped: 0,
    running: [],
    runs_per_execution: 200,
    ...(runsPerGroup > 1 ? { runs_per_group: runsPerGroup } : {}),
  };
}

async function timeSweep(client: Client, runs: number, runsPerGroup = 1): Promise<number> {
  const input = sweepInput(runs, runsPerGroup);
  // What `mirage launch` does before it starts a sweep: record its plan (not part of the orchestration timed here).
  const planned = planSweepRuns(input.spec, trainSelections(input.datasets), input.code_version);
  await recordSweepPlan(dbHandle.db, {
    sweepId: input.sweep_id,
    spec: input.spec,
    runs: planned,
    codeVersion: input.code_version,
  });
  const start = performance.now();
  const cpu = process.cpuUsage();
  const serverCpu = processCpuMs(temporalPid);
  const progress = await client.workflow.execute<(i: SweepWorkflowInput) => Promise<SweepProgress>>(
    WORKFLOW_NAMES.sweep,
    {
      taskQueue: controlQueue,
      workflowId: input.sweep_id,
      args: [input],
    },
  );
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  if (progress.succeeded !== runs)
    throw new Error(`sweep of ${runs}: ${progress.succeeded} succeeded, ${progress.failed} failed`);
  // The worker's own CPU per run separates its share (workflow replay, activities, pg, S3) from the server's.
  const workerCpuMs = (used.user + used.system) / 1000 / runs;
  const serverCpuEnd = processCpuMs(temporalPid);
  const server =
    serverCpu !== null && serverCpuEnd !== null
      ? `${((serverCpuEnd - serverCpu) / runs).toFixed(1)} ms/run`
      : 'n/a (set TEMPORAL_PID)';
  console.log(
    `${String(runs).padStart(5)} runs  ${(ms / 1000).toFixed(1).padStart(6)} s wall  ${(ms / runs).toFixed(1).padStart(6)} ms/run  ` +
      `(CPU: worker process ${workerCpuMs.toFixed(1)} ms/run, Temporal server ${server})`,
  );
  return ms / runs;
}

const timed = async <T>(what: () => Promise<T> | T): Promise<[T, number]> => {
  const start = performance.now();
  const value = await what();
  return [value, performance.now() - start];
};

// Runs of the scale sweep that actually start before it is cancelled: enough to cross one continue-as-new.
const SCALE_STARTED = 250;

async function measureScale(client: Client, runs: number): Promise<void> {
  const input = sweepInput(runs);
  console.log(
    `sweep plan at scale: ${runs} runs, no-op GPU activities, max_concurrent ${MAX_CONCURRENT}, Temporal ${env.TEMPORAL_ADDRESS}`,
  );
  const [planned, planMs] = await timed(() =>
    planSweepRuns(input.spec, trainSelections(input.datasets), input.code_version),
  );
  const planMb = Buffer.byteLength(JSON.stringify(planned)) / 2 ** 20;
  console.log(
    `plan (CLI, once per launch): ${(planMs / 1000).toFixed(1)} s; as JSON ${planMb.toFixed(0)} MB (what the old design computed inside workflow code)`,
  );
  const [, recordMs] = await timed(() =>
    recordSweepPlan(dbHandle.db, {
      sweepId: input.sweep_id,
      spec: input.spec,
      runs: planned,
      codeVersion: input.code_version,
    }),
  );
  console.log(`record plan in Postgres: ${(recordMs / 1000).toFixed(1)} s`);
  const [, firstPageMs] = await timed(() => listPlannedRuns(dbHandle.db, input.sweep_id, 0, 50));
  const [, lastPageMs] = await timed(() => listPlannedRuns(dbHandle.db, input.sweep_id, runs - 50, 50));
  console.log(`plan page of 50 runs: first ${firstPageMs.toFixed(1)} ms, last ${lastPageMs.toFixed(1)} ms`);
  const started = performance.now();
  const handle = await client.workflow.start(WORKFLOW_NAMES.sweep, {
    taskQueue: controlQueue,
    workflowId: input.sweep_id,
    args: [input],
  });
  let firstRunMs: number | null = null;
  for (;;) {
    const progress = await handle.query<SweepProgress>('progress').catch(() => null);
    if (firstRunMs === null && progress && progress.next_index > 0) firstRunMs = performance.now() - started;
    if (progress && progress.succeeded >= SCALE_STARTED) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  console.log(`launch to first run started: ${firstRunMs?.toFixed(0)} ms`);
  await handle.cancel();
  await handle.result().catch(() => undefined);
  const history = await client.workflow.getHandle(input.sweep_id, handle.firstExecutionRunId).fetchHistory();
  const events = history.events ?? [];
  const taskMs: number[] = [];
  let startedAt: number | null = null;
  let children = 0;
  for (const event of events) {
    const at = Number(event.eventTime?.seconds ?? 0) * 1000 + Number(event.eventTime?.nanos ?? 0) / 1e6;
    if (event.workflowTaskStartedEventAttributes) startedAt = at;
    if (event.workflowTaskCompletedEventAttributes && startedAt !== null) taskMs.push(at - startedAt);
    if (event.startChildWorkflowExecutionInitiatedEventAttributes) children++;
  }
  console.log(
    `first execution: ${events.length} history events for ${children} runs (${(events.length / Math.max(children, 1)).toFixed(1)} per run), ` +
      `largest workflow task ${Math.max(...taskMs).toFixed(0)} ms`,
  );
  const [, tableMs] = await timed(() => listEvalResults(dbHandle.db, { runIds: planned.map((r) => r.run_id) }));
  console.log(
    `table query over all ${runs} planned run ids: ${tableMs.toFixed(0)} ms (the old query bound one parameter per run and failed above 65,535)`,
  );
}

const dbName = `orch_bench_${stamp.replace(/-/g, '_')}`;
const admin = new pg.Client({ connectionString: env.DATABASE_URL });
await admin.connect();
await admin.query(`create database "${dbName}"`);
const url = new URL(env.DATABASE_URL);
url.pathname = `/${dbName}`;
const dbHandle = createDb(url.toString());
// Dropping the scratch database at the end terminates idle pooled connections; that is expected, not a crash.
dbHandle.pool.on('error', () => undefined);
const store = createArtifactStore({
  endpoint: env.S3_ENDPOINT,
  region: env.S3_REGION,
  accessKeyId: env.S3_ACCESS_KEY_ID,
  secretAccessKey: env.S3_SECRET_ACCESS_KEY,
  bucket: env.S3_BUCKET,
});
const clientConnection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
const client = new Client({ connection: clientConnection, namespace: env.TEMPORAL_NAMESPACE });
try {
  await runMigrations(url.toString());
  await store.put(
    metricsKey,
    JSON.stringify({ step: 1, loss_terms: { total: 0.5 }, lr: 0.001, images_per_second: 0 }) + '\n',
  );
  const { worker: control, connection } = await createOrchestratorWorker({
    address: env.TEMPORAL_ADDRESS,
    namespace: env.TEMPORAL_NAMESPACE,
    deps: { db: dbHandle.db, store, temporal: client },
    taskQueue: controlQueue,
  });
  const gpu = await Worker.create({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: versionedTaskQueue(gpuQueue, 'bench'),
    activities: noopGpu,
  });
  const serving = Promise.all([control.run(), gpu.run()]);
  try {
    if (SCALE) await measureScale(client, SCALE_RUNS);
    else {
      console.log(
        `sweep overhead: no-op GPU activities, real control activities, max_concurrent ${MAX_CONCURRENT}, Temporal ${env.TEMPORAL_ADDRESS}`,
      );
      const designs = [
        ...(DESIGN === 'grouped' ? [] : [{ label: 'per-run design (a run workflow per run)', group: 1 }]),
        ...(DESIGN === 'per-run'
          ? []
          : [{ label: `grouped design (run groups of ${RUNS_PER_GROUP} runs)`, group: RUNS_PER_GROUP }]),
      ];
      const figures: number[] = [];
      for (const design of designs) {
        console.log(design.label);
        const reference = await timeSweep(client, REFERENCE, design.group);
        const measured = await timeSweep(client, RUNS, design.group);
        figures.push(measured);
        console.log(`ratio ${RUNS}/${REFERENCE} (ms per run): ${(measured / reference).toFixed(2)}`);
      }
      if (figures.length === 2)
        console.log(`grouped / per-run (ms per run at ${RUNS} runs): ${(figures[1]! / figures[0]!).toFixed(2)}`);
      const measured = figures.at(-1)!;
      console.log(
        `target <= ${TARGET_MS_PER_RUN} ms/run at ${RUNS} runs: ${measured <= TARGET_MS_PER_RUN ? 'met' : 'NOT met'}`,
      );
    }
  } finally {
    gpu.shutdown();
    control.shutdown();
    await serving;
    await connection.close();
  }
} finally {
  await clientConnection.close();
  await store.delete(metricsKey);
  store.close();
  await dbHandle.close();
  await admin.query(`drop database if exists "${dbName}" with (force)`);
  await admin.end();
}
