import { TEMPORAL_SECURITY_ENV } from '@mirage/local-stack';
import { z } from 'zod';

// The orchestrator's configuration, parsed once from the environment (`mirage up` writes these to stack.env).
const Env = z.object({
  TEMPORAL_ADDRESS: z.string().min(1),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  /** TLS and API key of a secured Temporal (Temporal's own variable names; see infra/README.md). */
  ...TEMPORAL_SECURITY_ENV,
  DATABASE_URL: z.string().min(1),
  S3_ENDPOINT: z.string().url(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().min(1),
  S3_SECRET_ACCESS_KEY: z.string().min(1),
  S3_BUCKET: z.string().min(1).default('mirage'),
  /** A training scheduled this long on a task queue that no worker polls is reported on its run. */
  MIRAGE_UNPOLLED_REPORT_SECONDS: z.coerce.number().positive().default(30),
});
export type OrchestratorEnv = z.infer<typeof Env>;

/** Parses the environment; the error names every missing or malformed variable. */
export function readEnv(source: NodeJS.ProcessEnv = process.env): OrchestratorEnv {
  const parsed = Env.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(
      `orchestrator environment is incomplete (run \`mirage up\` and source .mirage/stack.env): ${problems}`,
    );
  }
  return parsed.data;
}
