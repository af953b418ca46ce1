CREATE TABLE "sweep_rungs" (
	"sweep_id" text NOT NULL,
	"step" integer NOT NULL,
	"run_id" text NOT NULL,
	"metric" text NOT NULL,
	"value" double precision NOT NULL,
	"seq" bigserial NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sweep_rungs_sweep_id_step_run_id_pk" PRIMARY KEY("sweep_id","step","run_id")
);
--> statement-breakpoint
ALTER TABLE "runs" DROP CONSTRAINT "runs_status_check";--> statement-breakpoint
ALTER TABLE "sweep_rungs" ADD CONSTRAINT "sweep_rungs_sweep_id_sweeps_id_fk" FOREIGN KEY ("sweep_id") REFERENCES "public"."sweeps"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sweep_rungs" ADD CONSTRAINT "sweep_rungs_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sweep_rungs_seq_idx" ON "sweep_rungs" USING btree ("sweep_id","step","seq");--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_status_check" CHECK (status in ('pending', 'training', 'evaluating', 'succeeded', 'failed', 'cancelled', 'stopped'));