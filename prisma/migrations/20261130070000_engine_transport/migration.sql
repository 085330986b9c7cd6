-- AlterTable: which edge transport the engine runs ("in-process" or "kafka"), shown on the Engines page.
ALTER TABLE "engine_instances" ADD COLUMN "transport" TEXT NOT NULL DEFAULT 'in-process';
