import { readEnv } from './env';
import { startDashboard } from './start';

const env = readEnv();
const dashboard = await startDashboard({
  databaseUrl: (env.DASHBOARD_DATABASE_URL ?? env.DATABASE_URL) as string,
  s3: {
    endpoint: env.S3_ENDPOINT,
    region: env.S3_REGION,
    ...(env.DASHBOARD_S3_ACCESS_KEY_ID && env.DASHBOARD_S3_SECRET_ACCESS_KEY
      ? { accessKeyId: env.DASHBOARD_S3_ACCESS_KEY_ID, secretAccessKey: env.DASHBOARD_S3_SECRET_ACCESS_KEY }
      : { accessKeyId: env.S3_ACCESS_KEY_ID as string, secretAccessKey: env.S3_SECRET_ACCESS_KEY as string }),
    bucket: env.S3_BUCKET,
  },
  port: env.DASHBOARD_PORT,
  host: env.DASHBOARD_HOST,
});
console.log(`dashboard: listening on ${dashboard.url}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void dashboard.close().then(() => process.exit(0));
  });
}
