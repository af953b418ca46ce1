import {
  getRun,
  listCheckpoints,
  listEvalResults,
  listTrainMetrics,
  type Checkpoint,
  type Db,
  type EvalResult,
  type Run,
  type TrainMetric,
} from '@mirage/db';
import { PRESIGN_TTL_SECONDS, type ArtifactReader } from '../deps';

/** A checkpoint with a download link signed for this request only. */
export interface CheckpointLink extends Pick<Checkpoint, 'step' | 'key' | 'sha256' | 'bytes'> {
  url: string | null;
  /** Why no link could be signed (the key is unsafe, the store refused). */
  urlError: string | null;
}

/** Everything the run view shows. */
export interface RunDetail {
  run: Run;
  evalResults: EvalResult[];
  trainMetrics: TrainMetric[];
  checkpoints: CheckpointLink[];
  /** Presigned links to each evaluation's per-image scores, by eval result id. */
  scoreUrls: Record<number, string>;
}

async function sign(store: ArtifactReader, key: string): Promise<{ url: string | null; urlError: string | null }> {
  try {
    return { url: await store.presignGet(key, PRESIGN_TTL_SECONDS), urlError: null };
  } catch (error) {
    return { url: null, urlError: (error as Error).message };
  }
}

// Clean results first, then perturbations, each by dataset: the perturbed rows read as extra rows under the clean ones.
function byPerturbationThenDataset(a: EvalResult, b: EvalResult): number {
  const clean = Number(b.perturbation === 'none') - Number(a.perturbation === 'none');
  return clean || a.perturbation.localeCompare(b.perturbation) || a.dataset.localeCompare(b.dataset);
}

/** Loads a run and signs fresh links to its checkpoints and scores (TTL 300 s); null when the run is unknown. */
export async function loadRunDetail(db: Db, store: ArtifactReader, runId: string): Promise<RunDetail | null> {
  const run = await getRun(db, runId);
  if (!run) return null;
  const [evalResults, trainMetrics, checkpoints] = await Promise.all([
    listEvalResults(db, { runId }),
    listTrainMetrics(db, runId),
    listCheckpoints(db, runId),
  ]);
  const links = await Promise.all(
    checkpoints.map(async (c) => ({
      step: c.step,
      key: c.key,
      sha256: c.sha256,
      bytes: c.bytes,
      ...(await sign(store, c.key)),
    })),
  );
  const scoreUrls: Record<number, string> = {};
  await Promise.all(
    evalResults.map(async (r) => {
      const signed = await sign(store, r.scoresKey);
      if (signed.url !== null) scoreUrls[r.id] = signed.url;
    }),
  );
  return { run, evalResults: evalResults.sort(byPerturbationThenDataset), trainMetrics, checkpoints: links, scoreUrls };
}
