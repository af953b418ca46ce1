ALTER TABLE "runs" ADD COLUMN "plan_index" integer;--> statement-breakpoint
CREATE INDEX "runs_sweep_plan_idx" ON "runs" USING btree ("sweep_id","plan_index");