CREATE TABLE "checkpoints" (
	"run_id" text NOT NULL,
	"step" integer NOT NULL,
	"key" text NOT NULL,
	"sha256" text NOT NULL,
	"bytes" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "checkpoints_run_step_pk" PRIMARY KEY("run_id","step")
);
--> statement-breakpoint
CREATE TABLE "datasets" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"version" text NOT NULL,
	"layout" text NOT NULL,
	"root" text NOT NULL,
	"manifest_key" text NOT NULL,
	"content_hash" text NOT NULL,
	"n_images" integer NOT NULL,
	"counts" jsonb NOT NULL,
	"skipped" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "eval_results" (
	"id" serial PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"dataset" text NOT NULL,
	"perturbation" text NOT NULL,
	"acc_real" double precision,
	"acc_fake" double precision,
	"acc" double precision,
	"ap" double precision,
	"auc" double precision,
	"acc_calibrated" double precision,
	"threshold" double precision NOT NULL,
	"threshold_policy" text NOT NULL,
	"n" integer NOT NULL,
	"n_real" integer NOT NULL,
	"n_fake" integer NOT NULL,
	"scores_key" text NOT NULL,
	"scores_sha256" text NOT NULL,
	"checkpoint_sha256" text NOT NULL,
	"manifest_hash" text NOT NULL,
	"preprocess_hash" text NOT NULL,
	"code_version" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "experiments" (
	"name" text PRIMARY KEY NOT NULL,
	"spec" jsonb NOT NULL,
	"spec_hash" text NOT NULL,
	"file_path" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reported_results" (
	"id" serial PRIMARY KEY NOT NULL,
	"paper" text NOT NULL,
	"method" text NOT NULL,
	"protocol" text NOT NULL,
	"dataset" text NOT NULL,
	"metric" text NOT NULL,
	"value" double precision NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "runs" (
	"id" text PRIMARY KEY NOT NULL,
	"sweep_id" text NOT NULL,
	"experiment" text NOT NULL,
	"method" text NOT NULL,
	"train_dataset" text,
	"config" jsonb NOT NULL,
	"config_hash" text NOT NULL,
	"seed" integer NOT NULL,
	"code_version" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"error" text,
	"current_step" integer DEFAULT 0 NOT NULL,
	"total_steps" integer,
	"last_loss" double precision,
	"images_per_second" double precision,
	"train_output" jsonb,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "runs_status_check" CHECK (status in ('pending', 'training', 'evaluating', 'succeeded', 'failed', 'cancelled'))
);
--> statement-breakpoint
CREATE TABLE "sweeps" (
	"id" text PRIMARY KEY NOT NULL,
	"experiment" text NOT NULL,
	"spec_hash" text NOT NULL,
	"status" text NOT NULL,
	"total_runs" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "train_metrics" (
	"run_id" text NOT NULL,
	"step" integer NOT NULL,
	"loss_terms" jsonb NOT NULL,
	"lr" double precision,
	"images_per_second" double precision,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "train_metrics_run_step_pk" PRIMARY KEY("run_id","step")
);
--> statement-breakpoint
ALTER TABLE "checkpoints" ADD CONSTRAINT "checkpoints_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "eval_results" ADD CONSTRAINT "eval_results_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_sweep_id_sweeps_id_fk" FOREIGN KEY ("sweep_id") REFERENCES "public"."sweeps"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_experiment_experiments_name_fk" FOREIGN KEY ("experiment") REFERENCES "public"."experiments"("name") ON DELETE no action ON UPDATE cascade;--> statement-breakpoint
ALTER TABLE "sweeps" ADD CONSTRAINT "sweeps_experiment_experiments_name_fk" FOREIGN KEY ("experiment") REFERENCES "public"."experiments"("name") ON DELETE no action ON UPDATE cascade;--> statement-breakpoint
ALTER TABLE "train_metrics" ADD CONSTRAINT "train_metrics_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "datasets_name_version_uq" ON "datasets" USING btree ("name","version");--> statement-breakpoint
CREATE UNIQUE INDEX "eval_results_run_dataset_perturbation_uq" ON "eval_results" USING btree ("run_id","dataset","perturbation");--> statement-breakpoint
CREATE UNIQUE INDEX "eval_results_cache_key_uq" ON "eval_results" USING btree ("checkpoint_sha256","manifest_hash","perturbation","preprocess_hash","code_version");--> statement-breakpoint
CREATE INDEX "eval_results_dataset_perturbation_idx" ON "eval_results" USING btree ("dataset","perturbation","run_id");--> statement-breakpoint
CREATE UNIQUE INDEX "reported_results_natural_uq" ON "reported_results" USING btree ("paper","method","protocol","dataset","metric");--> statement-breakpoint
CREATE INDEX "runs_sweep_idx" ON "runs" USING btree ("sweep_id","id");--> statement-breakpoint
CREATE INDEX "runs_experiment_method_idx" ON "runs" USING btree ("experiment","method","seed");--> statement-breakpoint
CREATE INDEX "runs_train_dataset_method_idx" ON "runs" USING btree ("train_dataset","method","seed");--> statement-breakpoint
CREATE INDEX "runs_status_idx" ON "runs" USING btree ("status","updated_at");--> statement-breakpoint
CREATE INDEX "sweeps_experiment_idx" ON "sweeps" USING btree ("experiment","created_at");