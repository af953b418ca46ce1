// `mirage watch` output without a stack: the change log written when stdout is piped, and the in-place frame on a TTY.
import { PassThrough } from 'node:stream';
import type { SweepProgress } from '@mirage/contracts';
import { describe, expect, it } from 'vitest';
import {
  changeLogView,
  progressViewFor,
  runChangeLine,
  summaryLine,
  terminalView,
  type RunProgress,
} from '../src/commands/watch';

function run(overrides: Partial<RunProgress> = {}): RunProgress {
  return {
    id: 'run-abc',
    method: 'mirage',
    seed: 0,
    config: { schedule: { batch_size: 8 } },
    status: 'pending',
    attempts: 0,
    error: null,
    currentStep: 0,
    totalSteps: null,
    lastLoss: null,
    imagesPerSecond: null,
    ...overrides,
  };
}

const progress = (succeeded: number, failed: number, running: number, total: number): SweepProgress => ({
  sweep_id: 'sweep-s',
  total,
  succeeded,
  failed,
  stopped: 0,
  running: Array.from({ length: running }, (_, i) => `run-${i}`),
  next_index: total,
  done: succeeded + failed === total,
});

/** Feeds a view the polls of one 300-step run (one step per poll) and returns the lines a piped stdout received. */
function pipedLog(polls: Array<{ summary: string; runs: RunProgress[] }>): string[] {
  const lines: string[] = [];
  const view = changeLogView((line) => lines.push(line));
  for (const poll of polls) view.show(poll.summary, poll.runs);
  view.close();
  return lines;
}

describe('watch, piped (not a TTY)', () => {
  const running = summaryLine('sweep-s', progress(0, 0, 1, 1));
  const polls: Array<{ summary: string; runs: RunProgress[] }> = [
    { summary: summaryLine('sweep-s', progress(0, 0, 0, 1)), runs: [run()] },
    ...Array.from({ length: 301 }, (_, step) => ({
      summary: running,
      runs: [run({ status: 'training', attempts: 1, currentStep: step, totalSteps: 300, lastLoss: 1 / (1 + step) })],
    })),
    {
      summary: running,
      runs: [run({ status: 'evaluating', attempts: 1, currentStep: 300, totalSteps: 300, lastLoss: 0.0033 })],
    },
    {
      summary: summaryLine('sweep-s', progress(1, 0, 0, 1)),
      runs: [run({ status: 'succeeded', attempts: 1, currentStep: 300, totalSteps: 300, lastLoss: 0.0033 })],
    },
  ];
  const lines = pipedLog(polls);

  it('prints a line per change of status and per tenth of the schedule, not a frame per poll', () => {
    const runLines = lines.filter((l) => l.startsWith('run-abc '));
    expect(runLines[0]).toBe('run-abc mirage seed 0: pending step 0/? loss -');
    expect(runLines[1]).toBe('run-abc mirage seed 0: training step 0/300 loss 1.0000');
    expect(runLines).toContain('run-abc mirage seed 0: training step 120/300 loss 0.0083');
    // pending, training at 0, 30, 60, ..., 300 (11 tenths), evaluating, succeeded.
    expect(runLines).toHaveLength(1 + 11 + 2);
    expect(runLines.slice(-2)).toEqual([
      'run-abc mirage seed 0: evaluating step 300/300 loss 0.0033',
      'run-abc mirage seed 0: succeeded step 300/300 loss 0.0033',
    ]);
    expect(lines.length).toBeLessThan(20); // 304 polls
  });

  it('prints the sweep summary only when its counts change, and keeps its wording', () => {
    expect(lines.filter((l) => l.startsWith('sweep '))).toEqual([
      'sweep sweep-s: 0 succeeded, 0 failed, 0 running of 1',
      'sweep sweep-s: 0 succeeded, 0 failed, 1 running of 1',
      'sweep sweep-s: 1 succeeded, 0 failed, 0 running of 1',
    ]);
    expect(lines.join('\n')).toMatch(/1 succeeded, 0 failed/);
    expect(lines[0]).toMatch(/^sweep /); // the summary comes before the runs it counts
  });

  it('reports retries and errors, and each run on its own', () => {
    const summary = summaryLine('sweep-s', progress(0, 0, 2, 2));
    const a = { status: 'training' as const, attempts: 1, currentStep: 50, totalSteps: 100, lastLoss: 0.5 };
    const log = pipedLog([
      { summary, runs: [run(a), run({ ...a, id: 'run-def', seed: 1 })] },
      {
        summary,
        runs: [run({ ...a, currentStep: 55 }), run({ ...a, id: 'run-def', seed: 1, attempts: 2, currentStep: 50 })],
      },
      {
        summary,
        runs: [
          run({ ...a, currentStep: 56 }),
          run({ ...a, id: 'run-def', seed: 1, status: 'failed', attempts: 2, error: 'CUDA out of memory' }),
        ],
      },
    ]);
    expect(log).toEqual([
      summary,
      'run-abc mirage seed 0: training step 50/100 loss 0.5000',
      'run-def mirage seed 1: training step 50/100 loss 0.5000',
      'run-def mirage seed 1: training step 50/100 loss 0.5000 (attempt 2)',
      'run-def mirage seed 1: failed step 50/100 loss 0.5000 (attempt 2)  error: CUDA out of memory',
    ]);
  });

  it('is what a non-TTY stdout gets', () => {
    const out = Object.assign(new PassThrough(), { isTTY: false });
    const chunks: string[] = [];
    out.on('data', (d: Buffer) => chunks.push(d.toString()));
    const view = progressViewFor(out);
    view.show('sweep s: 0 succeeded, 0 failed, 1 running of 1', [
      run({ status: 'training', attempts: 1, currentStep: 3, totalSteps: 10 }),
    ]);
    view.show('sweep s: 0 succeeded, 0 failed, 1 running of 1', [
      run({ status: 'training', attempts: 1, currentStep: 3, totalSteps: 10 }),
    ]);
    view.close();
    expect(chunks.join('')).toBe(
      'sweep s: 0 succeeded, 0 failed, 1 running of 1\nrun-abc mirage seed 0: training step 3/10 loss -\n',
    );
    expect(chunks.join('')).not.toContain('\u001b'); // no cursor movement in a log
  });
});

describe('watch, on a terminal', () => {
  it('redraws the frame in place and leaves the last one on screen', () => {
    const out = Object.assign(new PassThrough(), { isTTY: true, columns: 200, rows: 50 });
    const chunks: string[] = [];
    out.on('data', (d: Buffer) => chunks.push(d.toString()));
    const view = terminalView(out);
    const r = run({ status: 'training', attempts: 1, currentStep: 1, totalSteps: 10 });
    view.show('sweep s: 0 succeeded, 0 failed, 1 running of 1', [r]);
    const first = chunks.length;
    view.show('sweep s: 0 succeeded, 0 failed, 1 running of 1', [r]);
    expect(chunks.length).toBe(first); // an unchanged frame is not redrawn
    view.show('sweep s: 1 succeeded, 0 failed, 0 running of 1', [{ ...r, status: 'succeeded', currentStep: 10 }]);
    view.close();
    const written = chunks.join('');
    expect(written).toContain('\u001b[2K'); // erased the previous frame's lines
    expect(written).toContain('1 succeeded, 0 failed');
    expect(written.split('0 running of 1').length - 1).toBe(1);
  });

  it('is what a TTY stdout gets', () => {
    const out = Object.assign(new PassThrough(), { isTTY: true, columns: 200, rows: 50 });
    const chunks: string[] = [];
    out.on('data', (d: Buffer) => chunks.push(d.toString()));
    const view = progressViewFor(out);
    view.show('a', []);
    view.show('b', []);
    view.close();
    const written = chunks.join('');
    expect(written.indexOf('\u001b[2K')).toBeGreaterThan(written.indexOf('a'));
    expect(written.indexOf('b')).toBeGreaterThan(written.indexOf('\u001b[2K'));
  });
});

describe('watch, on a TTY that reports no size', () => {
  it('falls back to the change log, since log-update draws nothing into zero rows', () => {
    const out = Object.assign(new PassThrough(), { isTTY: true, columns: 0, rows: 0 });
    const chunks: string[] = [];
    out.on('data', (d: Buffer) => chunks.push(d.toString()));
    const view = progressViewFor(out);
    view.show('sweep s: 1 succeeded, 0 failed, 0 running of 1', []);
    view.close();
    expect(chunks.join('')).toBe('sweep s: 1 succeeded, 0 failed, 0 running of 1\n');
  });
});

describe('runChangeLine', () => {
  it('names the whole run id, so a log line can be pasted into the dashboard', () => {
    const id = `run-${'a'.repeat(24)}`;
    expect(runChangeLine(run({ id, status: 'training', currentStep: 120, totalSteps: 300, lastLoss: 0.41 }))).toBe(
      `${id} mirage seed 0: training step 120/300 loss 0.4100`,
    );
  });
});
