import { defineConfig } from 'drizzle-kit';

// Only `generate` and `check` run against this config; they need no database, so it names none.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/schema/index.ts',
  out: './drizzle',
  strict: true,
  verbose: true,
});
