import { expect, test } from 'vitest';

// npm starts `npm test` with the machine's Node; tools/test-all.sh puts the Node that tools/setup.sh chose (Node 24
// from .venv/node where the machine's is older than 22) first on PATH, so this runs on it.
test('tests run on Node >= 22', () => {
  console.log(`node ${process.version} at ${process.execPath}`);
  expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(22);
});
