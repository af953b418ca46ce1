// What every renderer says, as plain Unicode text; each renderer only adds its own markup and escaping.
import type { TableCell, TableModel } from './model';
import { formatFixed, formatSigned } from './number-format';

/** The warning every synthetic table carries, in its caption and its notes. */
export const SYNTHETIC_WARNING = 'SYNTHETIC data - not a paper result.';

/** Printed as the value of a missing cell. */
export const MISSING = '—';

/** Marks a mean over fewer columns than shown (some cells missing). */
export const INCOMPLETE_MARK = '†';

const THRESHOLD_POLICY_TEXT: Record<string, string> = {
  fixed: 'a fixed 0.5 threshold on p(fake)',
  calibrated: 'a threshold calibrated on a validation split',
};

function policyText(policy: string): string {
  return THRESHOLD_POLICY_TEXT[policy] ?? `threshold policy "${policy}"`;
}

function metricNote(model: TableModel): string {
  switch (model.metric) {
    case 'acc': {
      const policies = model.thresholdPolicies;
      if (policies.length === 0) return 'Accuracy (%).';
      if (policies.length === 1) return `Accuracy (%) at ${policyText(policies[0] as string)}.`;
      return `Accuracy (%); the rows mix threshold policies (${policies.map(policyText).join('; ')}), so cells are not all comparable.`;
    }
    case 'acc_calibrated':
      return `Accuracy (%) at ${THRESHOLD_POLICY_TEXT['calibrated']}.`;
    case 'ap':
      return 'Average precision (%), threshold-free.';
    case 'auc':
      return 'ROC AUC (%), threshold-free.';
  }
}

function seedsText(model: TableModel): string {
  const range = model.seedRange;
  if (range === null) return 'seeds';
  if (range.min === range.max) return range.min === 1 ? '1 seed' : `${range.min} seeds`;
  return `${range.min}–${range.max} seeds (varies by cell)`;
}

function aggregateNote(model: TableModel): string {
  const seeds = seedsText(model);
  switch (model.aggregate) {
    case 'best':
      return `Best of ${seeds} (max over seeds).`;
    case 'mean':
      return `Mean over ${seeds}.`;
    case 'mean_std': {
      const single = model.seedRange !== null && model.seedRange.min === 1;
      return `Mean ± sample standard deviation (n−1) over ${seeds}${single ? '; no std where a cell has 1 seed' : ''}.`;
    }
  }
}

function perturbationNote(model: TableModel): string {
  return model.perturbation === 'none'
    ? 'Perturbation: none (clean test images).'
    : `Perturbation: ${model.perturbation}.`;
}

function reportedNote(model: TableModel): string | null {
  if (model.reported === null) return null;
  const where = model.reported.sources.length > 0 ? ` (${model.reported.sources.join(', ')})` : '';
  return `In parentheses: reproduced − reported, as printed, against the numbers reported in ${model.reported.paper}${where}.`;
}

/** The notes under a table, in order: metric and threshold policy, aggregate, perturbation, marks, source, warning. */
export function tableNotes(model: TableModel): string[] {
  const cells = model.rows.flatMap((r) => r.cells);
  const notes = [metricNote(model), aggregateNote(model), perturbationNote(model)];
  if (model.level !== null) notes.push(`Level: ${model.level.note}.`);
  if (model.columns.some((c) => c.isMean)) {
    const partial = cells.some((c) => c.incomplete);
    notes.push(
      `Mean: average over the dataset columns${partial ? `; ${INCOMPLETE_MARK} marks a mean over the available columns only` : ''}.`,
    );
  }
  if (cells.some((c) => c.best)) notes.push('Bold: best value of each column.');
  if (cells.some((c) => c.value === null)) notes.push(`${MISSING}: no result.`);
  const reported = reportedNote(model);
  if (reported !== null) notes.push(reported);
  if (model.synthetic) notes.push(SYNTHETIC_WARNING);
  return notes;
}

/** The caption line: title, then the caption, then the synthetic warning when flagged. */
export function captionText(model: TableModel): string {
  const parts = [model.title];
  if (model.caption !== null) parts.push(model.caption);
  if (model.synthetic) parts.push(SYNTHETIC_WARNING);
  return parts.map((p) => (/[.!?]$/.test(p) ? p : `${p}.`)).join(' ');
}

/** The printed pieces of one cell, before markup. */
export interface CellText {
  /** null for a missing cell. */
  value: string | null;
  std: string | null;
  /** Signed, e.g. "+1.3"; null without a reported number. */
  delta: string | null;
  incomplete: boolean;
  best: boolean;
}

/** Formats the numbers of one cell with the model's digits. */
export function cellText(cell: TableCell, digits: number): CellText {
  return {
    value: cell.value === null ? null : formatFixed(cell.value, digits),
    std: cell.std === null ? null : formatFixed(cell.std, digits),
    delta: cell.delta === null ? null : formatSigned(cell.delta, digits),
    incomplete: cell.incomplete && cell.value !== null,
    best: cell.best,
  };
}
