import {
  CheckpointRef,
  EvaluateInput,
  EvaluateOutput,
  RunEnvironment,
  SkippedImage,
  TrainHeartbeat,
  TrainInput,
  TrainMetricRecord,
  TrainOutput,
  VideoAggregate,
  VideoMetrics,
} from './activities';
import { DatasetManifest, DatasetSelection, ManifestRecord, ManifestRef } from './dataset';
import { EarlyStopSpec, ValMetrics } from './early-stop';
import { DatasetRefSpec, ExperimentSpec, MethodOverrides, ReportedResultSpec, SweepSpec } from './experiment';
import { EvalPreprocessStep, ImagePerturbation, Perturbation } from './perturbation';
import {
  AugmentConfig,
  BackboneConfig,
  ClipArchitecture,
  LossConfig,
  OptimizerConfig,
  PreprocessConfig,
  PromptConfig,
  RunConfig,
  ScheduleConfig,
} from './run-config';
import { BundleEvalCell, BundleRun, BundleTrainPoint, TrackerBundle } from './tracker-export';

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
  TrackerBundle,
} as const;

export type CrossLanguageSchemaName = keyof typeof CROSS_LANGUAGE_SCHEMAS;

/**
 * The parts the messages above share, named in the generated schema too: each is one `$defs` entry that the messages
 * reference, so generated code (the worker's pydantic models) gets one class per part instead of a copy per use.
 */
export const CROSS_LANGUAGE_PARTS = {
  ClipArchitecture,
  BackboneConfig,
  PromptConfig,
  LossConfig,
  OptimizerConfig,
  ScheduleConfig,
  PreprocessConfig,
  AugmentConfig,
  ImagePerturbation,
  EvalPreprocessStep,
  DatasetSelection,
  ManifestRef,
  CheckpointRef,
  SkippedImage,
  ValMetrics,
  VideoAggregate,
  VideoMetrics,
  EarlyStopSpec,
  DatasetRefSpec,
  SweepSpec,
  MethodOverrides,
  ReportedResultSpec,
  BundleTrainPoint,
  BundleEvalCell,
  BundleRun,
} as const;
