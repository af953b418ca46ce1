import { perturbationId, type ExperimentSpec } from '@mirage/contracts';
import type { PlanFindings } from '@mirage/datasets';

/**
 * Checks the evaluation conditions: two entries with one id would be one cell evaluated twice and one table row, and
 * an eval preprocessing whose size the backbone does not take fails every cell of it on the worker.
 */
export function checkPerturbations(spec: ExperimentSpec, findings: PlanFindings): void {
  const seen = new Map<string, number>();
  for (const [i, p] of spec.perturbations.entries()) {
    const id = perturbationId(p);
    const first = seen.get(id);
    if (first !== undefined) {
      findings.errors.push({
        code: 'duplicate_perturbation',
        column: `perturbations[${i}]`,
        message: `perturbations[${i}] is ${id}, as perturbations[${first}] is: list each evaluation condition once`,
      });
    } else seen.set(id, i);
    const inputSize = spec.backbone.config?.vision.image_size;
    const steps = p.name === 'chain' ? p.steps : [p];
    for (const step of steps) {
      if (step.name === 'preprocess' && inputSize !== undefined && step.size !== inputSize) {
        findings.errors.push({
          code: 'preprocess_size',
          column: `perturbations[${i}]`,
          message: `perturbations[${i}] (${id}) evaluates at size ${step.size}, but the backbone takes ${inputSize} px inputs (backbone.config.vision.image_size)`,
        });
      }
    }
  }
}
