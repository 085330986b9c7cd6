// The documented shapes of the main answers, for the OpenAPI document's responses. They are
// written here, beside the routes, rather than as tRPC output parsers (which would re-parse every
// answer at runtime); rest.integration.test.ts checks real answers against each of them, so a
// change of a procedure's answer that is not made here fails a test.
import { flowSpecSchema } from "@weir/domain";
import { z } from "zod";

const isoDate = z.string().describe("ISO 8601 timestamp");
const deploymentState = z.string().describe("pending, running, stopping, stopped or failed");

export const deploymentStatus = z.object({
  id: z.uuid(),
  flowId: z.uuid(),
  version: z.number().int(),
  desiredState: z.enum(["running", "stopped"]),
  actualState: deploymentState,
  error: z.string().nullable(),
  engineId: z.string().nullable(),
  createdAt: isoDate,
  startedAt: isoDate.nullable(),
  stoppedAt: isoDate.nullable(),
});

const savedFlow = z.object({ id: z.uuid(), name: z.string(), version: z.number().int() });

const secretMetadata = z.object({ name: z.string(), createdAt: isoDate, updatedAt: isoDate });

/** Response body schemas by procedure; procedures not listed are documented as any JSON. */
export const RESPONSES: Readonly<Record<string, z.ZodType>> = {
  "flow.create": savedFlow,
  "flow.update": savedFlow,
  "flow.rename": savedFlow,
  "flow.duplicate": savedFlow,
  "flow.rollback": savedFlow.extend({ rolledBackTo: z.number().int() }),
  "flow.list": z.array(
    z.object({
      id: z.uuid(),
      name: z.string(),
      description: z.string(),
      latestVersion: z.number().int(),
      updatedAt: isoDate,
      deployment: z
        .object({
          id: z.uuid(),
          version: z.number().int(),
          desiredState: z.enum(["running", "stopped"]),
          actualState: deploymentState,
          error: z.string().nullable(),
          startedAt: isoDate.nullable(),
        })
        .nullable(),
    }),
  ),
  "flow.get": z.object({
    id: z.uuid(),
    name: z.string(),
    description: z.string(),
    latestVersion: z.number().int(),
    version: z.number().int(),
    spec: flowSpecSchema,
    createdAt: isoDate,
    updatedAt: isoDate,
  }),
  "flow.versions": z.array(
    z.object({
      version: z.number().int(),
      createdAt: isoDate,
      message: z.string().nullable(),
      summary: z.unknown(),
    }),
  ),
  "flow.validate": z.object({ ok: z.boolean(), problems: z.array(z.unknown()) }),
  "deployment.deploy": deploymentStatus,
  "deployment.stop": deploymentStatus.nullable(),
  "deployment.status": deploymentStatus.nullable(),
  "deployment.list": z.array(deploymentStatus),
  "secrets.set": secretMetadata,
  "secrets.list": z.array(secretMetadata),
  "deadLetters.replay": z.object({ requested: z.number().int() }),
};
