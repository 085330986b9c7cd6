-- A version may say why it was saved ("created", "rollback to v3", or what the person typed).
ALTER TABLE "flow_versions" ADD COLUMN "message" TEXT;
