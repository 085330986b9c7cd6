-- Engines LISTEN on "weir_deployments" (packages/db src/deployment-signals.ts) and reconcile at
-- once when a deployment is created or its desired state changes, however it was changed (API,
-- REST, CLI, SQL), instead of waiting for their next poll. The engines' own writes (actual state,
-- leases) do not notify. The payload is the deployment's id.
CREATE OR REPLACE FUNCTION "weir_notify_deployment"() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('weir_deployments', NEW."id"::text);
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "deployments_notify"
AFTER INSERT OR UPDATE OF "desired_state" ON "deployments"
FOR EACH ROW EXECUTE FUNCTION "weir_notify_deployment"();
