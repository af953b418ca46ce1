import { DASHBOARD_ROLE } from '@mirage/contracts';

export { DASHBOARD_ROLE };

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
