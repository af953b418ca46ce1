// What workflow code may import at run time: pure functions and constants, no zod schema. The workflow bundle is
// evaluated once per workflow execution, and the schemas (the whole contract) cost milliseconds of CPU each time;
// workflows import only types from the main entry.
export * from './artifact-keys';
export * from './constants';
export { environmentKey } from './environment-key';
export { canonicalJson, hashValue, sha256Hex } from './hash';
export { preprocessHash, runId, sweepId } from './identity';
export { perturbationId } from './perturbation-id';
export { ashaDecision, rungSteps, rungValue, type RungDecision } from './rungs';
export * from './search-attributes';
