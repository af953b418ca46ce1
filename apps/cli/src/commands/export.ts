import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { createDb, listExportRows } from '@mirage/db';
import { stackEnv } from '../connections';
import { UserError } from '../errors';
import { buildBundle } from '../export/bundle';
import { resolveExportScope } from '../export/export-scope';
import { runTrackerExporter, TRACKERS, type ExportResult, type Tracker } from '../export/python-exporter';

interface ExportFlags {
  to: Tracker;
  out?: string;
  trackingUri?: string;
  project?: string;
}

/** What the user reads after an export: what went where, and the command that opens it. */
export function exportSummary(result: ExportResult, what: string): string {
  const how = result.tracker === 'wandb' ? 'upload it with' : 'open it with';
  return `exported ${result.runs} runs (${result.points} points) of ${what} to ${result.tracker}: ${result.location}\n${how}: ${result.open_command}`;
}

/** Reads a sweep's or experiment's rows from Postgres and writes them to a tracker; returns what it wrote. */
export async function exportToTracker(
  target: string,
  flags: ExportFlags,
): Promise<{ result: ExportResult; what: string }> {
  const db = createDb(stackEnv()['DATABASE_URL'] as string, { maxConnections: 3 });
  try {
    const { source, scope } = await resolveExportScope(db.db, target);
    const rows = await listExportRows(db.db, scope);
    const what = `${source.kind} ${source.id}`;
    if (rows.runs.length === 0) throw new UserError(`${what} has no runs recorded yet; nothing to export`);
    const bundle = buildBundle(source, rows);
    const out = resolve(flags.out ?? join('mirage-export', source.id, flags.to));
    const result = await runTrackerExporter(bundle, flags.to, {
      out,
      ...(flags.trackingUri ? { trackingUri: flags.trackingUri } : {}),
      ...(flags.project ? { project: flags.project } : {}),
    });
    return { result, what };
  } finally {
    await db.close();
  }
}

/** `mirage export <sweep|experiment> --to tensorboard|mlflow|wandb [--out DIR]`. */
export function exportCommand(): Command {
  return new Command('export')
    .description(
      "write a sweep's or experiment's config, train curves and per-generator metrics to TensorBoard, MLflow or W&B (offline)",
    )
    .argument('<target>', 'sweep id, experiment name, or experiment YAML file')
    .addOption(new Option('--to <tracker>', 'the tracker to write').choices([...TRACKERS]).makeOptionMandatory())
    .option('--out <dir>', 'folder to write, empty or absent (default ./mirage-export/<sweep-or-experiment>/<tracker>)')
    .option('--tracking-uri <uri>', 'MLflow: write to this tracking server or store instead of <out>/mlflow.db')
    .option('--project <name>', 'W&B: the project the runs sync into (default: the sweep or experiment)')
    .action(async (target: string, flags: ExportFlags) => {
      if (flags.trackingUri && flags.to !== 'mlflow') throw new UserError('--tracking-uri: only for --to mlflow');
      if (flags.project && flags.to !== 'wandb') throw new UserError('--project: only for --to wandb');
      const { result, what } = await exportToTracker(target, flags);
      console.log(exportSummary(result, what));
    });
}
