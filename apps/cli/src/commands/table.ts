import { readFileSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { createDb } from '@mirage/db';
import {
  diffTables,
  renderTable,
  TABLE_AGGREGATES,
  TABLE_METRICS,
  type TableAggregate,
  type TableMetric,
} from '@mirage/tables';
import { stackEnv } from '../connections';
import { UserError } from '../errors';
import { repoCodeVersion } from '../experiments/code-version-of-repo';
import {
  experimentReportedRows,
  experimentResultRows,
  experimentTableSpec,
  plannedRunIds,
  type ResultLevel,
} from '../experiments/experiment-table';
import { loadExperimentOrExplain } from '../experiments/load-experiment';
import { withIdentifiedBackbone } from '../experiments/backbone-identity';
import { environmentFootnote } from '../experiments/environment-footnote';
import { recordedTrainSelections } from '../experiments/resolve-datasets';

const FORMATS = { md: 'md', latex: 'latex', csv: 'csv' } as const;

interface TableFlags {
  format: string;
  check?: string;
  out?: string;
  metric?: string;
  aggregate?: string;
  perturbation?: string;
  codeVersion?: string;
  set?: string[];
  environment?: boolean;
  level?: string;
}

/** Renders an experiment's table from Postgres rows: the same rows always give the same bytes. */
export async function renderExperimentTable(file: string, flags: TableFlags): Promise<string> {
  const format = FORMATS[flags.format as keyof typeof FORMATS];
  if (!format) throw new UserError(`--format ${flags.format}: expected md, latex or csv`);
  if (flags.metric && !(TABLE_METRICS as readonly string[]).includes(flags.metric))
    throw new UserError(`--metric ${flags.metric}: expected one of ${TABLE_METRICS.join(', ')}`);
  if (flags.aggregate && !(TABLE_AGGREGATES as readonly string[]).includes(flags.aggregate))
    throw new UserError(`--aggregate ${flags.aggregate}: expected one of ${TABLE_AGGREGATES.join(', ')}`);
  if (flags.level && flags.level !== 'frame' && flags.level !== 'video')
    throw new UserError(`--level ${flags.level}: expected frame or video`);
  const level = (flags.level ?? 'frame') as ResultLevel;
  const spec = await withIdentifiedBackbone(loadExperimentOrExplain(file, flags.set ?? []).spec);
  const db = createDb(stackEnv()['DATABASE_URL'] as string, { maxConnections: 2 });
  try {
    const runs = plannedRunIds(
      spec,
      await recordedTrainSelections(db.db, spec),
      flags.codeVersion ?? repoCodeVersion(),
    );
    const { rows, level: tableLevel } = await experimentResultRows(db.db, runs, level);
    if (rows.length === 0 && level === 'video')
      throw new UserError(`--level video: no column of ${spec.name} holds video frames`);
    if (rows.length === 0)
      throw new UserError(`no results recorded yet for ${spec.name} at this code version; run: mirage launch ${file}`);
    const tableSpec = experimentTableSpec(spec, {
      ...(flags.metric ? { metric: flags.metric as TableMetric } : {}),
      ...(flags.aggregate ? { aggregate: flags.aggregate as TableAggregate } : {}),
      ...(flags.perturbation ? { perturbation: flags.perturbation } : {}),
      ...(tableLevel ? { level: tableLevel } : {}),
    });
    const table = renderTable(rows, tableSpec, format, experimentReportedRows(spec));
    const note =
      flags.environment || spec.reuse_across_environments
        ? await environmentFootnote(db.db, [...runs.keys()], spec.reuse_across_environments, format)
        : '';
    return table + note;
  } finally {
    await db.close();
  }
}

/** `mirage table <experiment.yaml> --format md|latex|csv [--check FILE] [--out FILE]`. */
export function tableCommand(): Command {
  return new Command('table')
    .description("render an experiment's methods x generators table from stored results")
    .argument('<experiment>', 'experiment YAML file')
    .option('--format <format>', 'md, latex or csv', 'md')
    .option('--check <file>', 'exit non-zero and print the diff when the regenerated table differs from FILE')
    .option('--out <file>', 'write the table to FILE instead of stdout')
    .option('--metric <metric>', `one of ${TABLE_METRICS.join(', ')} (default acc)`)
    .option('--aggregate <how>', `one of ${TABLE_AGGREGATES.join(', ')} over seeds`)
    .option('--perturbation <id>', 'perturbation row set, e.g. "jpeg(quality=95)" (default none)')
    .option(
      '--level <level>',
      'frame or video: for columns of video frames, score every frame alone or one score per video (default frame)',
    )
    .option('--code-version <version>', 'regenerate the table of an earlier detector code version')
    .option(
      '--set <key=value>',
      'override a field as launch did (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .option('--environment', 'add a footnote naming the library versions, CUDA and GPU the cells were computed with')
    .action(async (file: string, flags: TableFlags) => {
      const table = await renderExperimentTable(file, flags);
      if (flags.check) {
        let expected: string;
        try {
          expected = readFileSync(flags.check, 'utf8');
        } catch {
          throw new UserError(`--check ${flags.check}: cannot read the file`);
        }
        const diff = diffTables(expected, table);
        if (diff) {
          process.stdout.write(diff.endsWith('\n') ? diff : `${diff}\n`);
          throw new UserError(`the regenerated table differs from ${flags.check}`);
        }
        console.log(`table matches ${flags.check}`);
        return;
      }
      if (flags.out) writeFileSync(flags.out, table);
      else process.stdout.write(table);
    });
}
