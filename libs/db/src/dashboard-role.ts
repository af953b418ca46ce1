/** The SELECT-only role migrations create for the dashboard (drizzle/0007_dashboard_read_only_role.sql). */
export const DASHBOARD_ROLE = 'mirage_dashboard';

/**
 * The writer's connection string with the dashboard's role as user and no password: what a local server that trusts
 * local connections accepts. A shared server's dashboard gets its own URL with the role's password instead.
 */
export function dashboardDatabaseUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.username = DASHBOARD_ROLE;
  url.password = '';
  return url.toString();
}
