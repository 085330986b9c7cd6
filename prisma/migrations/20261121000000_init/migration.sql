-- CreateEnum
CREATE TYPE "desired_state" AS ENUM ('running', 'stopped');

-- CreateEnum
CREATE TYPE "actual_state" AS ENUM ('pending', 'starting', 'running', 'stopping', 'stopped', 'failed');

-- CreateTable
CREATE TABLE "flows" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "latest_version" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "flows_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "flow_versions" (
    "id" UUID NOT NULL,
    "flow_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "spec" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "flow_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deployments" (
    "id" UUID NOT NULL,
    "flow_id" UUID NOT NULL,
    "flow_version_id" UUID NOT NULL,
    "desired_state" "desired_state" NOT NULL,
    "actual_state" "actual_state" NOT NULL DEFAULT 'pending',
    "error" TEXT,
    "engine_id" TEXT,
    "lease_expires_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "started_at" TIMESTAMPTZ(3),
    "stopped_at" TIMESTAMPTZ(3),

    CONSTRAINT "deployments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "node_stats" (
    "deployment_id" UUID NOT NULL,
    "node_id" TEXT NOT NULL,
    "engine_id" TEXT NOT NULL,
    "records_in" BIGINT NOT NULL DEFAULT 0,
    "records_out" BIGINT NOT NULL DEFAULT 0,
    "errors" BIGINT NOT NULL DEFAULT 0,
    "rate" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "last_error_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "node_stats_pkey" PRIMARY KEY ("deployment_id","node_id","engine_id")
);

-- CreateTable
CREATE TABLE "sink_log_entries" (
    "id" BIGSERIAL NOT NULL,
    "flow_id" UUID NOT NULL,
    "deployment_id" UUID NOT NULL,
    "node_id" TEXT NOT NULL,
    "record" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sink_log_entries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dead_letters" (
    "id" BIGSERIAL NOT NULL,
    "flow_id" UUID NOT NULL,
    "deployment_id" UUID NOT NULL,
    "flow_version_id" UUID NOT NULL,
    "node_id" TEXT NOT NULL,
    "record" JSONB NOT NULL,
    "error" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "replayed_at" TIMESTAMPTZ(3),

    CONSTRAINT "dead_letters_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "source_checkpoints" (
    "flow_id" UUID NOT NULL,
    "node_id" TEXT NOT NULL,
    "position" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "source_checkpoints_pkey" PRIMARY KEY ("flow_id","node_id")
);

-- CreateTable
CREATE TABLE "engine_instances" (
    "id" TEXT NOT NULL,
    "ingest_url" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeat_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "engine_instances_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "flow_versions_flow_id_version_key" ON "flow_versions"("flow_id", "version");

-- CreateIndex
CREATE INDEX "deployments_flow_id_created_at_idx" ON "deployments"("flow_id", "created_at");

-- CreateIndex
CREATE INDEX "deployments_desired_state_actual_state_idx" ON "deployments"("desired_state", "actual_state");

-- CreateIndex
CREATE INDEX "sink_log_entries_flow_id_node_id_id_idx" ON "sink_log_entries"("flow_id", "node_id", "id");

-- CreateIndex
CREATE INDEX "dead_letters_flow_id_node_id_id_idx" ON "dead_letters"("flow_id", "node_id", "id");

-- AddForeignKey
ALTER TABLE "flow_versions" ADD CONSTRAINT "flow_versions_flow_id_fkey" FOREIGN KEY ("flow_id") REFERENCES "flows"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_flow_id_fkey" FOREIGN KEY ("flow_id") REFERENCES "flows"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_flow_version_id_fkey" FOREIGN KEY ("flow_version_id") REFERENCES "flow_versions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
