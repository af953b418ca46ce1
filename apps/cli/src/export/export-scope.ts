import { existsSync } from 'node:fs';
import { getExperiment, getSweep, type Db, type ExportScope } from '@mirage/db';
import { UserError } from '../errors';
import { loadExperimentOrExplain } from '../experiments/load-experiment';
import type { BundleSource } from '@mirage/contracts';

/** What an export argument named: the bundle's source and the query scope that reads its rows. */
export interface ResolvedScope {
  source: BundleSource;
  scope: ExportScope;
}

/**
 * Reads `mirage export <target>`: a sweep id, an experiment name, or an experiment YAML file (its `name`).
 * A sweep id wins over an experiment of the same name: sweep ids are hashes, so the two never meet in practice.
 */
export async function resolveExportScope(db: Db, target: string): Promise<ResolvedScope> {
  if (await getSweep(db, target)) return { source: { kind: 'sweep', id: target }, scope: { sweepId: target } };
  const name = /\.ya?ml$/.test(target) && existsSync(target) ? loadExperimentOrExplain(target).spec.name : target;
  if (await getExperiment(db, name)) return { source: { kind: 'experiment', id: name }, scope: { experiment: name } };
  throw new UserError(
    `${target}: no sweep or experiment of that name is recorded in Postgres (launch it first: mirage launch <experiment.yaml>)`,
  );
}
