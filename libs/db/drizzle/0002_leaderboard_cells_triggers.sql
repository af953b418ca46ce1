-- Keeps leaderboard_cells equal to the per-cell aggregates of eval_results joined to runs, whoever writes.
-- Statement-level triggers with transition tables: a bulk insert of N results costs one grouped aggregate, not N
-- row triggers. Sums are numeric so subtracting a removed value is exact; a removed max is recomputed from
-- eval_results for that cell only. Rebuilding everything: SELECT leaderboard_cells_rebuild(experiment, method,
-- config_hash) FROM (SELECT DISTINCT experiment, method, config_hash FROM runs) g.

CREATE FUNCTION leaderboard_cells_rebuild(p_experiment text, p_method text, p_config_hash text) RETURNS void
LANGUAGE sql AS $$
  DELETE FROM leaderboard_cells
  WHERE experiment = p_experiment AND method = p_method AND config_hash = p_config_hash;
  INSERT INTO leaderboard_cells (experiment, perturbation, method, config_hash, dataset, threshold_policy, results, acc_n, acc_sum, acc_sumsq, acc_max, acc_calibrated_n, acc_calibrated_sum, acc_calibrated_sumsq, acc_calibrated_max, ap_n, ap_sum, ap_sumsq, ap_max, auc_n, auc_sum, auc_sumsq, auc_max)
  SELECT r.experiment, e.perturbation, r.method, r.config_hash, e.dataset, e.threshold_policy,
         count(*) AS results,
         count(e.acc) AS acc_n,
         coalesce(sum(e.acc::numeric), 0) AS acc_sum,
         coalesce(sum(e.acc::numeric * e.acc::numeric), 0) AS acc_sumsq,
         max(e.acc) AS acc_max,
         count(e.acc_calibrated) AS acc_calibrated_n,
         coalesce(sum(e.acc_calibrated::numeric), 0) AS acc_calibrated_sum,
         coalesce(sum(e.acc_calibrated::numeric * e.acc_calibrated::numeric), 0) AS acc_calibrated_sumsq,
         max(e.acc_calibrated) AS acc_calibrated_max,
         count(e.ap) AS ap_n,
         coalesce(sum(e.ap::numeric), 0) AS ap_sum,
         coalesce(sum(e.ap::numeric * e.ap::numeric), 0) AS ap_sumsq,
         max(e.ap) AS ap_max,
         count(e.auc) AS auc_n,
         coalesce(sum(e.auc::numeric), 0) AS auc_sum,
         coalesce(sum(e.auc::numeric * e.auc::numeric), 0) AS auc_sumsq,
         max(e.auc) AS auc_max
  FROM eval_results e JOIN runs r ON r.id = e.run_id
  WHERE r.experiment = p_experiment AND r.method = p_method AND r.config_hash = p_config_hash
  GROUP BY r.experiment, e.perturbation, r.method, r.config_hash, e.dataset, e.threshold_policy
  ORDER BY r.experiment, e.perturbation, r.method, r.config_hash, e.dataset, e.threshold_policy;
$$;
--> statement-breakpoint
CREATE FUNCTION leaderboard_cells_from_eval_results() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- Added rows first, removed rows second: an update that lowers a cell's max must still see it removed.
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO leaderboard_cells AS c (experiment, perturbation, method, config_hash, dataset, threshold_policy, results, acc_n, acc_sum, acc_sumsq, acc_max, acc_calibrated_n, acc_calibrated_sum, acc_calibrated_sumsq, acc_calibrated_max, ap_n, ap_sum, ap_sumsq, ap_max, auc_n, auc_sum, auc_sumsq, auc_max)
    SELECT r.experiment, e.perturbation, r.method, r.config_hash, e.dataset, e.threshold_policy,
           count(*) AS results,
           count(e.acc) AS acc_n,
           coalesce(sum(e.acc::numeric), 0) AS acc_sum,
           coalesce(sum(e.acc::numeric * e.acc::numeric), 0) AS acc_sumsq,
           max(e.acc) AS acc_max,
           count(e.acc_calibrated) AS acc_calibrated_n,
           coalesce(sum(e.acc_calibrated::numeric), 0) AS acc_calibrated_sum,
           coalesce(sum(e.acc_calibrated::numeric * e.acc_calibrated::numeric), 0) AS acc_calibrated_sumsq,
           max(e.acc_calibrated) AS acc_calibrated_max,
           count(e.ap) AS ap_n,
           coalesce(sum(e.ap::numeric), 0) AS ap_sum,
           coalesce(sum(e.ap::numeric * e.ap::numeric), 0) AS ap_sumsq,
           max(e.ap) AS ap_max,
           count(e.auc) AS auc_n,
           coalesce(sum(e.auc::numeric), 0) AS auc_sum,
           coalesce(sum(e.auc::numeric * e.auc::numeric), 0) AS auc_sumsq,
           max(e.auc) AS auc_max
    FROM new_rows e JOIN runs r ON r.id = e.run_id
    GROUP BY r.experiment, e.perturbation, r.method, r.config_hash, e.dataset, e.threshold_policy
    ORDER BY r.experiment, e.perturbation, r.method, r.config_hash, e.dataset, e.threshold_policy
    ON CONFLICT ON CONSTRAINT leaderboard_cells_pk DO UPDATE SET
      results = c.results + excluded.results,
      acc_n = c.acc_n + excluded.acc_n,
      acc_sum = c.acc_sum + excluded.acc_sum,
      acc_sumsq = c.acc_sumsq + excluded.acc_sumsq,
      acc_max = greatest(c.acc_max, excluded.acc_max),
      acc_calibrated_n = c.acc_calibrated_n + excluded.acc_calibrated_n,
      acc_calibrated_sum = c.acc_calibrated_sum + excluded.acc_calibrated_sum,
      acc_calibrated_sumsq = c.acc_calibrated_sumsq + excluded.acc_calibrated_sumsq,
      acc_calibrated_max = greatest(c.acc_calibrated_max, excluded.acc_calibrated_max),
      ap_n = c.ap_n + excluded.ap_n,
      ap_sum = c.ap_sum + excluded.ap_sum,
      ap_sumsq = c.ap_sumsq + excluded.ap_sumsq,
      ap_max = greatest(c.ap_max, excluded.ap_max),
      auc_n = c.auc_n + excluded.auc_n,
      auc_sum = c.auc_sum + excluded.auc_sum,
      auc_sumsq = c.auc_sumsq + excluded.auc_sumsq,
      auc_max = greatest(c.auc_max, excluded.auc_max);
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    -- Rows of a run being deleted find no run here (the cascade runs after the run is gone); the runs trigger
    -- rebuilds those cells.
    UPDATE leaderboard_cells AS c SET
      results = c.results - d.results,
      acc_n = c.acc_n - d.acc_n,
      acc_sum = c.acc_sum - d.acc_sum,
      acc_sumsq = c.acc_sumsq - d.acc_sumsq,
      acc_max = CASE WHEN d.acc_max >= c.acc_max THEN NULL ELSE c.acc_max END,
      acc_calibrated_n = c.acc_calibrated_n - d.acc_calibrated_n,
      acc_calibrated_sum = c.acc_calibrated_sum - d.acc_calibrated_sum,
      acc_calibrated_sumsq = c.acc_calibrated_sumsq - d.acc_calibrated_sumsq,
      acc_calibrated_max = CASE WHEN d.acc_calibrated_max >= c.acc_calibrated_max THEN NULL ELSE c.acc_calibrated_max END,
      ap_n = c.ap_n - d.ap_n,
      ap_sum = c.ap_sum - d.ap_sum,
      ap_sumsq = c.ap_sumsq - d.ap_sumsq,
      ap_max = CASE WHEN d.ap_max >= c.ap_max THEN NULL ELSE c.ap_max END,
      auc_n = c.auc_n - d.auc_n,
      auc_sum = c.auc_sum - d.auc_sum,
      auc_sumsq = c.auc_sumsq - d.auc_sumsq,
      auc_max = CASE WHEN d.auc_max >= c.auc_max THEN NULL ELSE c.auc_max END
    FROM (SELECT r.experiment, e.perturbation, r.method, r.config_hash, e.dataset, e.threshold_policy,
           count(*) AS results,
           count(e.acc) AS acc_n,
           coalesce(sum(e.acc::numeric), 0) AS acc_sum,
           coalesce(sum(e.acc::numeric * e.acc::numeric), 0) AS acc_sumsq,
           max(e.acc) AS acc_max,
           count(e.acc_calibrated) AS acc_calibrated_n,
           coalesce(sum(e.acc_calibrated::numeric), 0) AS acc_calibrated_sum,
           coalesce(sum(e.acc_calibrated::numeric * e.acc_calibrated::numeric), 0) AS acc_calibrated_sumsq,
           max(e.acc_calibrated) AS acc_calibrated_max,
           count(e.ap) AS ap_n,
           coalesce(sum(e.ap::numeric), 0) AS ap_sum,
           coalesce(sum(e.ap::numeric * e.ap::numeric), 0) AS ap_sumsq,
           max(e.ap) AS ap_max,
           count(e.auc) AS auc_n,
           coalesce(sum(e.auc::numeric), 0) AS auc_sum,
           coalesce(sum(e.auc::numeric * e.auc::numeric), 0) AS auc_sumsq,
           max(e.auc) AS auc_max
    FROM old_rows e JOIN runs r ON r.id = e.run_id
    GROUP BY r.experiment, e.perturbation, r.method, r.config_hash, e.dataset, e.threshold_policy
    ORDER BY r.experiment, e.perturbation, r.method, r.config_hash, e.dataset, e.threshold_policy) AS d
    WHERE c.experiment = d.experiment AND c.perturbation = d.perturbation AND c.method = d.method AND c.config_hash = d.config_hash AND c.dataset = d.dataset AND c.threshold_policy = d.threshold_policy;
    UPDATE leaderboard_cells AS c SET
      acc_max = coalesce(c.acc_max, m.acc_max),
      acc_calibrated_max = coalesce(c.acc_calibrated_max, m.acc_calibrated_max),
      ap_max = coalesce(c.ap_max, m.ap_max),
      auc_max = coalesce(c.auc_max, m.auc_max)
    FROM (SELECT r.experiment, e.perturbation, r.method, r.config_hash, e.dataset, e.threshold_policy, max(e.acc) AS acc_max, max(e.acc_calibrated) AS acc_calibrated_max, max(e.ap) AS ap_max, max(e.auc) AS auc_max
          FROM eval_results e JOIN runs r ON r.id = e.run_id
          WHERE (r.experiment, e.perturbation, r.method, r.config_hash, e.dataset, e.threshold_policy) IN (SELECT DISTINCT r.experiment, e.perturbation, r.method, r.config_hash, e.dataset, e.threshold_policy FROM old_rows e JOIN runs r ON r.id = e.run_id)
          GROUP BY r.experiment, e.perturbation, r.method, r.config_hash, e.dataset, e.threshold_policy) AS m
    WHERE c.experiment = m.experiment AND c.perturbation = m.perturbation AND c.method = m.method AND c.config_hash = m.config_hash AND c.dataset = m.dataset AND c.threshold_policy = m.threshold_policy AND ((c.acc_n > 0 AND c.acc_max IS NULL) OR (c.acc_calibrated_n > 0 AND c.acc_calibrated_max IS NULL) OR (c.ap_n > 0 AND c.ap_max IS NULL) OR (c.auc_n > 0 AND c.auc_max IS NULL));
    DELETE FROM leaderboard_cells AS c
    USING (SELECT DISTINCT r.experiment, e.perturbation, r.method, r.config_hash, e.dataset, e.threshold_policy FROM old_rows e JOIN runs r ON r.id = e.run_id) AS d
    WHERE c.experiment = d.experiment AND c.perturbation = d.perturbation AND c.method = d.method AND c.config_hash = d.config_hash AND c.dataset = d.dataset AND c.threshold_policy = d.threshold_policy AND c.results = 0;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- Transition tables allow one event per trigger, hence three triggers on one function.
CREATE TRIGGER leaderboard_cells_eval_results_insert AFTER INSERT ON eval_results
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_cells_from_eval_results();
--> statement-breakpoint
CREATE TRIGGER leaderboard_cells_eval_results_update AFTER UPDATE ON eval_results
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_cells_from_eval_results();
--> statement-breakpoint
CREATE TRIGGER leaderboard_cells_eval_results_delete AFTER DELETE ON eval_results
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_cells_from_eval_results();
--> statement-breakpoint
CREATE FUNCTION leaderboard_cells_clear() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE leaderboard_cells;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER leaderboard_cells_eval_results_truncate AFTER TRUNCATE ON eval_results
  FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_cells_clear();
--> statement-breakpoint
-- A run's (experiment, method, config hash) places its results in cells: when it changes (an experiment rename
-- cascades here) or the run goes (its results cascade away first), the groups involved are rebuilt. Statement-level
-- so a rename of thousands of runs rebuilds each group once; a progress update that moves no run costs one empty join.
CREATE FUNCTION leaderboard_cells_from_runs() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    PERFORM leaderboard_cells_rebuild(g.experiment, g.method, g.config_hash)
    FROM (SELECT o.experiment, o.method, o.config_hash
          FROM old_rows o JOIN new_rows n ON n.id = o.id
          WHERE (o.experiment, o.method, o.config_hash) IS DISTINCT FROM (n.experiment, n.method, n.config_hash)
          UNION
          SELECT n.experiment, n.method, n.config_hash
          FROM old_rows o JOIN new_rows n ON n.id = o.id
          WHERE (o.experiment, o.method, o.config_hash) IS DISTINCT FROM (n.experiment, n.method, n.config_hash)) AS g;
  ELSE
    PERFORM leaderboard_cells_rebuild(g.experiment, g.method, g.config_hash)
    FROM (SELECT DISTINCT experiment, method, config_hash FROM old_rows) AS g;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER leaderboard_cells_runs_update AFTER UPDATE ON runs
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_cells_from_runs();
--> statement-breakpoint
CREATE TRIGGER leaderboard_cells_runs_delete AFTER DELETE ON runs
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION leaderboard_cells_from_runs();
--> statement-breakpoint
-- Results recorded before this migration.
SELECT leaderboard_cells_rebuild(experiment, method, config_hash)
FROM (SELECT DISTINCT experiment, method, config_hash FROM runs) AS g;
