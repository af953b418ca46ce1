import { join } from 'node:path';
import { REPO_ROOT } from '@mirage/local-stack';
import { detectorCodeVersion } from './code-version';

/** The code version of this checkout's detector (what the GPU worker started from it will report). */
export function repoCodeVersion(): string {
  return detectorCodeVersion(join(REPO_ROOT, 'libs/detector/src/mirage_detector'));
}
