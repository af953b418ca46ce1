import { describe, expect, it } from 'vitest';
import { UnpolledQueueReport } from '../src/activities/progress';

describe('UnpolledQueueReport', () => {
  it('reports a training waiting past the limit on a queue without pollers once, and clears it when it starts', async () => {
    const report = new UnpolledQueueReport(1000);
    const none = async () => 0;
    expect(await report.check(true, none, 'gpu-a100', 0)).toBeUndefined();
    expect(await report.check(true, none, 'gpu-a100', 999)).toBeUndefined();
    expect(await report.check(true, none, 'gpu-a100', 1500)).toMatch(
      /^no worker polls task queue "gpu-a100" \(the training has waited 2 s; a GPU worker polls /,
    );
    expect(await report.check(true, none, 'gpu-a100', 5000)).toBeUndefined();
    expect(await report.check(false, none, 'gpu-a100', 6000)).toBeNull();
    expect(await report.check(false, none, 'gpu-a100', 7000)).toBeUndefined();
  });

  it('says nothing while a worker polls the queue (it is busy, not missing)', async () => {
    const report = new UnpolledQueueReport(10);
    expect(await report.check(true, async () => 1, 'gpu', 0)).toBeUndefined();
    expect(await report.check(true, async () => 1, 'gpu', 100)).toBeUndefined();
  });
});
