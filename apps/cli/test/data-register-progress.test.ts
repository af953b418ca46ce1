// `mirage data register` shows the detector's scan progress (`scanned N/M files (R files/s, ETA mm:ss)`) on stderr
// as it comes, redrawn in place on a terminal, and keeps it out of the error message of a failed scan. The last
// block runs the real command on a running stack (env of e.g. /tmp/mdev/stack.env): a short scan prints nothing.
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRegisterCommand } from '../src/commands/data';
import { ROOT, runMirage } from './support/mirage';

const PYTHON = join(ROOT, '.venv/bin/python');
const work = mkdtempSync(join(tmpdir(), 'mirage-register-progress-'));

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A sink that records what it is given, as a terminal or as a pipe. */
function sink(isTTY: boolean): { write(text: string): void; isTTY: boolean; text: string } {
  return {
    isTTY,
    text: '',
    write(text: string) {
      this.text += text;
    },
  };
}

/** `python -c` printing progress lines, a stray line and an error line on stderr, in small chunks, then exiting 2. */
const FAILING_SCAN = `
import sys, time
for line in ["scanned 1/3 files (0.5 files/s, ETA 00:04)", "scanned 2/3 files (0.5 files/s, ETA 00:02)"]:
    for part in (line[:9], line[9:] + "\\n"):
        sys.stderr.write(part); sys.stderr.flush(); time.sleep(0.01)
sys.stderr.write("warning: something else\\nerror: no usable image found under /x\\n")
sys.exit(2)
`;

const rejection = async (promise: Promise<unknown>): Promise<Error & { stderr?: string }> => {
  try {
    await promise;
  } catch (error) {
    return error as Error & { stderr?: string };
  }
  throw new Error('expected the command to fail');
};

/** n tiny PNGs under <root>/{real,fake}. */
function images(root: string, n: number): void {
  const script = `
import sys
from pathlib import Path
from PIL import Image
root, n = Path(sys.argv[1]), int(sys.argv[2])
for i in range(n):
    folder = root / ("real" if i % 2 == 0 else "fake")
    folder.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 8), (i % 256, (7 * i) % 256, 3)).save(folder / f"{i}.png")
`;
  execFileSync(PYTHON, ['-c', script, root, String(n)]);
}

describe('the register command run by the CLI', () => {
  it('forwards progress lines as they come and keeps only the rest for the error', async () => {
    const piped = sink(false);
    const failed = await rejection(runRegisterCommand(PYTHON, ['-c', FAILING_SCAN], piped));
    expect(piped.text).toBe('scanned 1/3 files (0.5 files/s, ETA 00:04)\nscanned 2/3 files (0.5 files/s, ETA 00:02)\n');
    expect(failed.stderr).toBe('warning: something else\nerror: no usable image found under /x\n');
    expect(failed.message).toMatch(/exited with status 2$/);
  });

  it('redraws progress in place on a terminal and clears the line at the end', async () => {
    const terminal = sink(true);
    await rejection(runRegisterCommand(PYTHON, ['-c', FAILING_SCAN], terminal));
    expect(terminal.text).toBe(
      '\rscanned 1/3 files (0.5 files/s, ETA 00:04)\u001b[K\rscanned 2/3 files (0.5 files/s, ETA 00:02)\u001b[K\r\u001b[K',
    );
  });

  it('shows the real scan counting its files, and stdout stays the summary', async () => {
    const root = join(work, 'thirty');
    images(root, 30);
    const piped = sink(false);
    const out = join(work, 'thirty.jsonl');
    // Every file takes longer than a microsecond, so each one is shown.
    const args = [
      '-m',
      'mirage_detector.data.register',
      '--layout',
      'folder',
      '--root',
      root,
      '--option',
      'generator=g',
      '--out',
      out,
    ];
    const stdout = await runRegisterCommand(
      PYTHON,
      [...args, '--progress', 'lines', '--progress-every', '0.000001'],
      piped,
    );
    expect((JSON.parse(stdout) as { n_images: number }).n_images).toBe(30);
    const lines = piped.text.trimEnd().split('\n');
    expect(lines).toHaveLength(30);
    lines.forEach((line, i) =>
      expect(line).toMatch(new RegExp(`^scanned ${i + 1}/30 files \\(\\d+\\.\\d files/s, ETA \\d\\d:\\d\\d\\)$`)),
    );

    const quiet = sink(false);
    await runRegisterCommand(PYTHON, [...args, '--progress', 'lines'], quiet);
    expect(quiet.text).toBe('');
  });
});

describe('mirage data register on the stack', () => {
  beforeAll(() => {
    for (const name of ['DATABASE_URL', 'S3_ENDPOINT']) {
      if (!process.env[name])
        throw new Error(`${name} is not set: run \`mirage up --core\` and source its stack.env (npm test does)`);
    }
  });

  it('a short scan prints nothing on stderr; a failed one names the problem without progress', async () => {
    const root = join(work, 'stack');
    images(root, 6);
    const name = `progress-${randomUUID().slice(0, 8)}`;
    const registered = await runMirage(
      ['data', 'register', name, '--layout', 'folder', '--root', root, '--option', 'generator=g'],
      process.env,
      { cwd: work },
    );
    expect(registered.code, registered.stderr).toBe(0);
    expect(registered.stderr).toBe('');
    expect(registered.stdout).toContain(`registered ${name}@`);

    const notes = join(work, 'notes');
    images(notes, 2);
    writeFileSync(join(notes, 'real', 'readme.txt'), 'not an image');
    const failed = await runMirage(
      [
        'data',
        'register',
        `${name}-bad`,
        '--layout',
        'folder',
        '--root',
        notes,
        '--option',
        'generator=g',
        '--option',
        'real_dir=none',
        '--option',
        'fake_dir=missing',
      ],
      process.env,
      { cwd: work },
    );
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(/^mirage: cannot scan .* as folder: folder layout option fake_dir='missing'/);
    expect(failed.stderr).not.toMatch(/scanned|error: /);
  });
});
