// Every committed experiment file validates (zod, with file/line errors), expands into its sweep, and each resolved
// RunConfig is accepted by the Python detector's loader (the generated model, strict JSON): the two languages agree
// on every shipped file.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { expandSweep } from '@mirage/contracts';
import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../src/experiments/load-experiment';

const root = resolve(__dirname, '../../..');
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.yaml') ? [join(dir, e.name)] : [],
  );

describe('experiments/', () => {
  const all = files(join(root, 'experiments'));

  it('holds the paper, ablation, sweep, mini and demo protocols', () => {
    const names = all.map((f) => relative(join(root, 'experiments'), f)).sort();
    expect(names).toEqual(
      expect.arrayContaining([
        'ablations/loss-terms.yaml',
        'demo.yaml',
        'mini/cifake-to-ddpm.yaml',
        'paper/genimage-sdv14.yaml',
        'paper/sdv14-to-chameleon.yaml',
        'paper/sdv14-to-flux-sd35.yaml',
        'paper/sdv14-to-sora.yaml',
        'paper/ufd-progan.yaml',
        'sweeps/prompt-depth-lr.yaml',
      ]),
    );
  });

  it.each(all.map((f) => [relative(root, f), f]))('%s validates in TypeScript and Python', (_name, file) => {
    const configs = expandSweep(loadExperiment(file).spec).map((r) => r.config);
    expect(configs.length).toBeGreaterThan(0);
    const script =
      'import json,sys\nfrom mirage_detector import parse_run_config\nfor c in json.load(sys.stdin): parse_run_config(c)\nprint("ok")';
    const out = execFileSync(join(root, '.venv/bin/python'), ['-c', script], {
      input: JSON.stringify(configs),
    }).toString();
    expect(out.trim()).toBe('ok');
  });

  it('carries the reported MiraGe GenImage accuracies', () => {
    const spec = loadExperiment(join(root, 'experiments/paper/genimage-sdv14.yaml')).spec;
    const reported = Object.fromEntries(spec.reported.map((r) => [r.dataset, r.value]));
    expect(reported).toEqual({
      'SD1.4': 98.8,
      BigGAN: 96.5,
      Midjourney: 83.2,
      'SD1.5': 98.5,
      ADM: 82.7,
      GLIDE: 91.3,
      Wukong: 97.6,
      VQDM: 92.4,
    });
  });
});
