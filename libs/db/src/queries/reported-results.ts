import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../client';
import { reportedResults } from '../schema/index';
import { excluded } from './excluded';

/** A number as published in a paper. */
export type ReportedResult = typeof reportedResults.$inferSelect;
/** Fields of one published number. */
export type ReportedResultInput = Omit<typeof reportedResults.$inferInsert, 'id' | 'createdAt' | 'updatedAt'>;
/** Filters for listReportedResults; omitted fields do not filter. */
export type ReportedResultFilter = Partial<
  Pick<ReportedResultInput, 'paper' | 'method' | 'protocol' | 'dataset' | 'metric'>
>;

/** Records a published number; the same (paper, method, protocol, dataset, metric) again replaces its value. */
export async function upsertReportedResult(db: Db, input: ReportedResultInput): Promise<ReportedResult> {
  const [row] = await db
    .insert(reportedResults)
    .values(input)
    .onConflictDoUpdate({
      target: [
        reportedResults.paper,
        reportedResults.method,
        reportedResults.protocol,
        reportedResults.dataset,
        reportedResults.metric,
      ],
      set: { value: excluded(reportedResults.value), updatedAt: sql`now()` },
    })
    .returning();
  return row!;
}

/** Published numbers matching every given filter, in natural-key order. */
export async function listReportedResults(db: Db, filter: ReportedResultFilter = {}): Promise<ReportedResult[]> {
  const conditions: SQL[] = [];
  for (const field of ['paper', 'method', 'protocol', 'dataset', 'metric'] as const) {
    const value = filter[field];
    if (value !== undefined) conditions.push(eq(reportedResults[field], value));
  }
  return db
    .select()
    .from(reportedResults)
    .where(and(...conditions))
    .orderBy(
      asc(reportedResults.paper),
      asc(reportedResults.protocol),
      asc(reportedResults.method),
      asc(reportedResults.dataset),
      asc(reportedResults.metric),
    );
}
