import { jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns';

/** One experiment spec (YAML under experiments/), keyed by its unique name. */
export const experiments = pgTable('experiments', {
  name: text('name').primaryKey(),
  spec: jsonb('spec').$type<Record<string, unknown>>().notNull(),
  specHash: text('spec_hash').notNull(),
  filePath: text('file_path'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});
