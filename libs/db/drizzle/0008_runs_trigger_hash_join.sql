-- The runs trigger joins its two transition tables (old_rows, new_rows) on id. They carry no statistics or indexes,
-- and the planner's nested loop made the join quadratic: marking the 99,700 unfinished runs of a cancelled 100k-run
-- sweep as cancelled ran for minutes (2,000 rows 0.33 s, 8,000 rows 1.7 s). A hash join keeps it linear (91,700 rows:
-- 21 s, of which 13 s is the UPDATE itself, on the 2-core machine).
ALTER FUNCTION leaderboard_cells_from_runs() SET enable_nestloop = off;
