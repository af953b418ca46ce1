import { describe, expect, it } from 'vitest';
import { scoreHistogram } from '../src/charts/histogram';
import { rocCurve, type LabelledScore } from '../src/charts/roc';
import { parseScoresJsonl } from '../src/charts/scores-jsonl';
import { histogramChart, rocChart } from '../src/views/charts';

const s = (label: 'real' | 'fake', pFake: number): LabelledScore => ({ label, pFake });

describe('rocCurve', () => {
  it('groups tied scores into one diagonal step (hand-computed, matches sklearn)', () => {
    // Pairs (fake, real): (.9,.8)=1 (.9,.3)=1 (.8,.8)=1/2 (.8,.3)=1 -> 3.5/4.
    const roc = rocCurve([s('fake', 0.9), s('fake', 0.8), s('real', 0.8), s('real', 0.3)]);
    expect(roc.points).toEqual([
      { fpr: 0, tpr: 0, threshold: Infinity },
      { fpr: 0, tpr: 0.5, threshold: 0.9 },
      { fpr: 0.5, tpr: 1, threshold: 0.8 },
      { fpr: 1, tpr: 1, threshold: 0.3 },
    ]);
    expect(roc.auc).toBeCloseTo(0.875, 12);
    expect([roc.nReal, roc.nFake]).toEqual([2, 2]);
  });

  it('handles a three-way tie across classes and unsorted input', () => {
    // Fakes .7,.7,.2 vs reals .1,.7,.2: (2.5 + 2.5 + 1.5) / 9 = 13/18.
    const roc = rocCurve([
      s('real', 0.1),
      s('fake', 0.7),
      s('fake', 0.7),
      s('real', 0.7),
      s('fake', 0.2),
      s('real', 0.2),
    ]);
    expect(roc.points.map((p) => [p.fpr, p.tpr])).toEqual([
      [0, 0],
      [1 / 3, 2 / 3],
      [2 / 3, 1],
      [1, 1],
    ]);
    expect(roc.auc).toBeCloseTo(13 / 18, 12);
  });

  it('gives 1 for a perfect ranking, 0.5 when every score ties, and refuses a single class', () => {
    expect(rocCurve([s('real', 0.1), s('real', 0.2), s('fake', 0.3)]).auc).toBe(1);
    const tied = rocCurve([s('real', 0.5), s('fake', 0.5), s('fake', 0.5)]);
    expect(tied.points.map((p) => [p.fpr, p.tpr])).toEqual([
      [0, 0],
      [1, 1],
    ]);
    expect(tied.auc).toBe(0.5);
    expect(() => rocCurve([s('fake', 0.4)])).toThrow('got 0 real and 1 fake');
  });
});

describe('scoreHistogram', () => {
  it('counts per class with p = 1.0 in the last bin and p = 0 in the first', () => {
    const h = scoreHistogram(
      [s('real', 0), s('real', 0.5), s('fake', 0.5), s('fake', 0.999), s('fake', 1), s('real', 0.07)],
      20,
    );
    expect(h.edges).toHaveLength(21);
    expect(h.edges[20]).toBe(1);
    expect(h.real[0]).toBe(1);
    expect(h.real[1]).toBe(1);
    expect(h.real[10]).toBe(1);
    expect(h.fake[10]).toBe(1);
    expect(h.fake[19]).toBe(2);
    expect(h.real.reduce((a, b) => a + b)).toBe(3);
    expect(h.fake.reduce((a, b) => a + b)).toBe(3);
  });

  it('rejects scores outside [0, 1] and bad bin counts', () => {
    expect(() => scoreHistogram([s('real', 1.01)])).toThrow('outside [0, 1]');
    expect(() => scoreHistogram([], 0)).toThrow('bins');
  });
});

describe('parseScoresJsonl', () => {
  const line = (label: string, p: number) => JSON.stringify({ uri: 'x.png', label, p_fake: p });

  it('reads labels and p_fake, skips blank lines and caps at maxLines while counting the rest', () => {
    const text = [line('real', 0.1), '', line('fake', 0.9), line('fake', 0.8), 'not even json'].join('\n') + '\n';
    const capped = parseScoresJsonl(text, 3);
    expect(capped.scores).toEqual([s('real', 0.1), s('fake', 0.9), s('fake', 0.8)]);
    expect(capped).toMatchObject({ totalLines: 4, capped: true });
    expect(parseScoresJsonl([line('real', 0.1), line('fake', 1)].join('\n'), 10)).toMatchObject({
      totalLines: 2,
      capped: false,
    });
  });

  it('names the line and field of the first bad line', () => {
    expect(() => parseScoresJsonl(`${line('real', 0.1)}\n{oops`, 10)).toThrow('line 2: not valid JSON');
    expect(() => parseScoresJsonl(line('maybe', 0.1), 10)).toThrow('line 1: label must be "real" or "fake"');
    expect(() => parseScoresJsonl(`\n${line('fake', 1.5)}`, 10)).toThrow('line 2: p_fake must be a number in [0, 1]');
    expect(() => parseScoresJsonl('[1]', 10)).toThrow('line 1: not a JSON object');
  });
});

describe('chart views', () => {
  it('render SVG with the AUC in the caption and escape titles', () => {
    const roc = rocChart('roc-1', '<b>x</b>', rocCurve([s('fake', 0.9), s('real', 0.1)]));
    expect(roc.toString()).toContain('<svg class="chart roc-chart" id="roc-1"');
    expect(roc.toString()).toContain('AUC 1.0000 (1 real, 1 fake)');
    expect(roc.toString()).not.toContain('<b>');
    const hist = histogramChart('hist-1', 'ds', scoreHistogram([s('fake', 1), s('real', 0)], 20));
    expect(hist.toString().match(/<rect [^>]*data-count=/g)).toHaveLength(40);
    expect(hist.toString()).toContain('>real</text>');
    expect(hist.toString()).toContain('>fake</text>');
  });
});
