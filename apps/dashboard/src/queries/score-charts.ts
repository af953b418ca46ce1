import { createHash } from 'node:crypto';
import type { EvalResult } from '@mirage/db';
import { scoreHistogram, type ScoreHistogram } from '../charts/histogram';
import { rocCurve, type RocCurve } from '../charts/roc';
import { parseScoresJsonl } from '../charts/scores-jsonl';
import type { ArtifactReader } from '../deps';

/** How much score data one run page may read. */
export interface ScoreChartLimits {
  /** Score files read per page view; the rest get a note instead of charts. */
  maxFiles: number;
  /** Lines used per file; longer files are charted from their first lines and say so. */
  maxLines: number;
}

export const DEFAULT_SCORE_CHART_LIMITS: ScoreChartLimits = { maxFiles: 8, maxLines: 200_000 };

export const HISTOGRAM_BINS = 20;

/** Charts of one evaluation, or why there are none. */
export type ScoreCharts =
  | { kind: 'charts'; roc: RocCurve; histogram: ScoreHistogram; linesUsed: number; totalLines: number; capped: boolean }
  | { kind: 'error'; message: string }
  | { kind: 'skipped'; message: string };

async function chartsOf(store: ArtifactReader, result: EvalResult, limits: ScoreChartLimits): Promise<ScoreCharts> {
  try {
    const body = await store.get(result.scoresKey);
    // The store checks the object against its own metadata; this also catches a file replaced after evaluation.
    const sha256 = createHash('sha256').update(body).digest('hex');
    if (sha256 !== result.scoresSha256) {
      return {
        kind: 'error',
        message: `scores file ${result.scoresKey} does not match the SHA-256 recorded for this evaluation`,
      };
    }
    const parsed = parseScoresJsonl(body.toString('utf8'), limits.maxLines);
    return {
      kind: 'charts',
      roc: rocCurve(parsed.scores),
      histogram: scoreHistogram(parsed.scores, HISTOGRAM_BINS),
      linesUsed: parsed.scores.length,
      totalLines: parsed.totalLines,
      capped: parsed.capped,
    };
  } catch (error) {
    return { kind: 'error', message: `cannot chart ${result.scoresKey}: ${(error as Error).message}` };
  }
}

/**
 * Reads the scores files of the first `maxFiles` evaluations (in the order given) and computes their ROC curve and
 * p_fake histogram, by eval result id. Never throws: a missing or corrupt file becomes an error entry for its row.
 */
export async function loadScoreCharts(
  store: ArtifactReader,
  results: readonly EvalResult[],
  limits: ScoreChartLimits = DEFAULT_SCORE_CHART_LIMITS,
): Promise<Record<number, ScoreCharts>> {
  const charts: Record<number, ScoreCharts> = {};
  await Promise.all(
    results.map(async (result, i) => {
      charts[result.id] =
        i < limits.maxFiles
          ? await chartsOf(store, result, limits)
          : {
              kind: 'skipped',
              message: `not charted: a run page reads at most ${limits.maxFiles} score files; download scores.jsonl instead`,
            };
    }),
  );
  return charts;
}
