import { timestamp } from 'drizzle-orm/pg-core';

/** `created_at timestamptz not null default now()`, shared by every table that records when a row appeared. */
export const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();

/** `updated_at timestamptz not null default now()`; upserts set it explicitly because Postgres has no ON UPDATE. */
export const updatedAt = () => timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
