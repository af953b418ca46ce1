import { Command } from 'commander';
import { connectStack } from '../connections';
import { repoCodeVersion } from '../experiments/code-version-of-repo';
import { loadExperimentOrExplain } from '../experiments/load-experiment';
import { planExperiment, type ExperimentPlan, type PlanSelectionSummary } from '../experiments/plan-experiment';
import { columns } from '../service-lines';

/** The plan as a researcher reads it: runs, the train/val/eval selections with their class counts, then findings. */
export function formatPlan(plan: ExperimentPlan): string {
  const weights = plan.backbone.weights_sha256 ? `, weights sha256 ${plan.backbone.weights_sha256}` : '';
  const lines = [
    `plan of ${plan.file} (experiment ${plan.experiment}, code version ${plan.code_version})`,
    `backbone: ${plan.backbone.source} ${plan.backbone.name_or_path ?? '(built from its config)'}${weights}`,
    '',
    `runs (${plan.runs.length}):`,
  ];
  lines.push(
    columns([
      ['#', 'METHOD', 'SEED', 'RUN ID', 'SWEEP POINT'],
      ...plan.runs.map((r) => [String(r.index), r.method, String(r.seed), r.run_id, JSON.stringify(r.overrides)]),
    ]),
  );
  const count = (n: number, s: PlanSelectionSummary) => (s.n_videos === undefined ? String(n) : `${n} frames`);
  const row = (s: PlanSelectionSummary) => [
    s.id,
    s.dataset,
    describeSelection(s) + (s.n_videos === undefined ? '' : ` (${s.n_videos} videos)`),
    count(s.n_real, s),
    count(s.n_fake, s),
    s.selection_hash.slice(0, 12),
  ];
  const selections = [['train', plan.train] as const, ...(plan.val ? [['val', plan.val] as const] : [])];
  lines.push('', 'selections:');
  lines.push(
    columns([
      ['ID', 'DATASET', 'SELECTION', 'REAL', 'FAKE', 'HASH'],
      ...selections.map(([, s]) => row(s)),
      ...plan.columns.map(row),
    ]),
  );
  for (const [title, issues] of [
    ['errors', plan.errors],
    ['warnings', plan.warnings],
  ] as const) {
    if (issues.length === 0) continue;
    lines.push('', `${title} (${issues.length}):`, ...issues.map((i) => `  ${i.code}: ${i.message}`));
  }
  return lines.join('\n');
}

function describeSelection(s: PlanSelectionSummary): string {
  const parts = [];
  if (s.split) parts.push(`split=${s.split}`);
  if (s.generators) parts.push(`generators=${s.generators.join('+')}`);
  if (s.classes) parts.push(`classes=${s.classes.join('+')}`);
  if (s.max_images) parts.push(`max=${s.max_images}`);
  return parts.join(' ') || 'all';
}

/** `mirage plan <experiment> [--set ...] [--json]`: resolve and check without starting anything; exit 1 on errors. */
export function planCommand(): Command {
  return new Command('plan')
    .description('resolve every selection and run of an experiment and check them, without starting anything')
    .argument('<experiment>', 'experiment YAML file')
    .option('--set <key=value>', 'override a field (repeatable)', (v: string, acc: string[]) => [...acc, v], [])
    .option('--json', 'print the plan as JSON')
    .action(async (file: string, flags: { set: string[]; json?: boolean }) => {
      const loaded = loadExperimentOrExplain(file, flags.set);
      const stack = await connectStack();
      try {
        const { plan } = await planExperiment({ db: stack.db.db, store: stack.store }, loaded, repoCodeVersion());
        console.log(flags.json ? JSON.stringify(plan, null, 2) : formatPlan(plan));
        if (plan.errors.length > 0) process.exitCode = 1;
      } finally {
        await stack.close();
      }
    });
}
