// Prints `export MIRAGE_*_PORT=...` lines naming a block of free ports for a private stack. tools/test-all.sh evals it
// so `npm test` runs beside a stack already up on the default ports (`npm run demo` leaves one).
import { findFreeStackPorts } from '../src/index';

const ports = await findFreeStackPorts();
console.log(`export MIRAGE_TEMPORAL_PORT=${ports.temporal} MIRAGE_TEMPORAL_UI_PORT=${ports.temporalUi}`);
console.log(
  `export MIRAGE_PG_PORT=${ports.postgres} MIRAGE_S3_PORT=${ports.s3} MIRAGE_PORT_BASE=${ports.temporalHttp}`,
);
