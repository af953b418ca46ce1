import { z } from 'zod';

const DashboardEnv = z
  .object({
    S3_ENDPOINT: z.string().min(1, 'S3_ENDPOINT is required'),
    S3_REGION: z.string().min(1).default('us-east-1'),
    S3_BUCKET: z.string().min(1, 'S3_BUCKET is required'),
    // The dashboard's own SELECT-only role and read-only S3 keys (`mirage up` writes both; a deployment gives only
    // these). Without them it falls back to the writer's, still read-only by default_transaction_read_only.
    DASHBOARD_DATABASE_URL: z.string().min(1).optional(),
    DASHBOARD_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    DASHBOARD_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    DATABASE_URL: z.string().min(1).optional(),
    S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    DASHBOARD_PORT: z.coerce.number().int().min(0).max(65535).default(8380),
    DASHBOARD_HOST: z.string().min(1).default('127.0.0.1'),
  })
  .superRefine((env, ctx) => {
    if (!env.DASHBOARD_DATABASE_URL && !env.DATABASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['DASHBOARD_DATABASE_URL'],
        message: 'DASHBOARD_DATABASE_URL (or DATABASE_URL) is required (postgres://user@host:port/db)',
      });
    }
    const own = env.DASHBOARD_S3_ACCESS_KEY_ID && env.DASHBOARD_S3_SECRET_ACCESS_KEY;
    if (!own && !(env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY)) {
      ctx.addIssue({
        code: 'custom',
        path: ['DASHBOARD_S3_ACCESS_KEY_ID'],
        message: 'DASHBOARD_S3_ACCESS_KEY_ID and DASHBOARD_S3_SECRET_ACCESS_KEY (or the S3_ pair) are required',
      });
    }
  });

/** The dashboard's settings, parsed once from the environment. */
export type DashboardEnv = z.infer<typeof DashboardEnv>;

/** Parses the environment or throws an error naming every missing or malformed variable. */
export function readEnv(env: NodeJS.ProcessEnv = process.env): DashboardEnv {
  const result = DashboardEnv.safeParse(env);
  if (result.success) return result.data;
  throw new Error(`dashboard env: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
}
