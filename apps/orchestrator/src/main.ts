// The orchestrator process: a Temporal worker for workflows and control activities, wired to Postgres and S3.
import { createDb } from '@mirage/db';
import { temporalConnectionSecurity } from '@mirage/local-stack';
import { createArtifactStore } from '@mirage/storage';
import { Client, Connection } from '@temporalio/client';
import { readEnv } from './env';
import { createOrchestratorWorker } from './worker';

async function main(): Promise<void> {
  const env = readEnv();
  const dbHandle = createDb(env.DATABASE_URL);
  // A Postgres restart drops the pool's idle connections: say so and let the pool reconnect (the control activities
  // retry for up to an hour), instead of dying on an unhandled 'error' event and stranding every running sweep.
  dbHandle.pool.on('error', (error) => console.error(`orchestrator: idle database connection lost: ${error.message}`));
  const store = createArtifactStore({
    endpoint: env.S3_ENDPOINT,
    region: env.S3_REGION,
    accessKeyId: env.S3_ACCESS_KEY_ID,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY,
    bucket: env.S3_BUCKET,
  });
  const security = temporalConnectionSecurity(env);
  const clientConnection = await Connection.connect({ address: env.TEMPORAL_ADDRESS, ...security });
  const temporal = new Client({ connection: clientConnection, namespace: env.TEMPORAL_NAMESPACE });
  const { worker, connection } = await createOrchestratorWorker({
    address: env.TEMPORAL_ADDRESS,
    namespace: env.TEMPORAL_NAMESPACE,
    security,
    deps: { db: dbHandle.db, store, temporal, unpolledReportMs: env.MIRAGE_UNPOLLED_REPORT_SECONDS * 1000 },
  });
  console.log(`orchestrator: serving workflows and control activities at ${env.TEMPORAL_ADDRESS}`);
  try {
    await worker.run();
  } finally {
    await connection.close();
    await clientConnection.close();
    store.close();
    await dbHandle.close();
  }
}

main().catch((err: unknown) => {
  console.error(`orchestrator: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
