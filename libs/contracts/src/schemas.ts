import { EvaluateInput, EvaluateOutput, RunEnvironment, TrainHeartbeat, TrainInput, TrainMetricRecord, TrainOutput } from './activities';
import { DatasetManifest, ManifestRecord } from './dataset';
import { ExperimentSpec } from './experiment';
import { Perturbation } from './perturbation';
import { RunConfig } from './run-config';

/** Every message that crosses the TypeScript/Python boundary, by the name used in the generated JSON Schema. */
export const CROSS_LANGUAGE_SCHEMAS = {
  ExperimentSpec,
  RunConfig,
  Perturbation,
  ManifestRecord,
  DatasetManifest,
  TrainInput,
  TrainHeartbeat,
  TrainOutput,
  TrainMetricRecord,
  EvaluateInput,
  EvaluateOutput,
  RunEnvironment,
} as const;

export type CrossLanguageSchemaName = keyof typeof CROSS_LANGUAGE_SCHEMAS;
