// The documented shapes of the main answers, for the OpenAPI document's responses. They are
// written here, beside the routes, rather than as tRPC output parsers (which would re-parse every
// answer at runtime); rest.integration.test.ts checks real answers against each of them, so a
// change of a procedure's answer that is not made here fails a test.
import { flowSpecSchema } from "@weir/domain";
import { z } from "zod";
import type { RestRoute } from "./routes";

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

const problem = z.object({
  path: z.array(z.union([z.string(), z.number().int()])),
  pathString: z.string(),
  message: z.string(),
  code: z.string(),
  line: z.number().int().optional(),
  column: z.number().int().optional(),
});
/** Present only when there are some: what was not checked and why, never a refusal. */
const notes = z
  .array(problem)
  .optional()
  .describe(
    "notes, not errors: e.g. a schema registry lookup that was skipped (registry down or silent, subject missing), so a port went untyped",
  );

const savedFlow = z.object({ id: z.uuid(), name: z.string(), version: z.number().int() });
const savedWithNotes = savedFlow.extend({ notes });

const secretMetadata = z.object({ name: z.string(), createdAt: isoDate, updatedAt: isoDate });

const flowRef = z.object({ id: z.uuid(), name: z.string() });
const json = z.unknown().describe("any JSON value");
const changeCount = z.object({
  added: z.number().int(),
  removed: z.number().int(),
  changed: z.number().int(),
});
const nodeStats = z.object({
  nodeId: z.string(),
  recordsIn: z.number(),
  recordsOut: z.number(),
  errors: z.number(),
  rate: z.number().describe("records per second over the engines' last reporting window"),
  lastError: z.string().nullable(),
  lastErrorAt: isoDate.nullable(),
  lag: z.number().nullable(),
  metrics: z.object({
    counters: z.record(z.string(), z.number()),
    histograms: z.record(
      z.string(),
      z.object({
        count: z.number(),
        sum: z.number(),
        min: z.number().nullable(),
        max: z.number().nullable(),
      }),
    ),
  }),
  accounting: z.object({ completed: z.number(), deadLettered: z.number(), inFlight: z.number() }),
  partitionLag: z.record(z.string(), z.number()).optional(),
});
const connectionProfile = z.object({
  name: z.string(),
  kind: z.string(),
  config: json,
  secrets: z.record(z.string(), z.object({ set: z.boolean() })),
  createdAt: isoDate,
  updatedAt: isoDate,
});
const artifact = z.object({
  sha256: z.string(),
  name: z.string(),
  size: z.number().int(),
  world: z.string(),
  metadata: json,
  createdAt: isoDate,
});
const logLine = z.object({ level: z.string(), message: z.string() });
const triggerResult = z.union([
  z.object({
    ok: z.literal(true),
    results: z.array(
      z.object({
        outputs: z.record(z.string(), z.array(json)),
        error: z.object({ message: z.string(), line: z.number().int().optional() }).nullable(),
      }),
    ),
    logs: z.array(logLine),
    state: z.record(z.string(), json),
    metrics: z.object({
      counters: z.record(z.string(), z.number()),
      histograms: z.record(z.string(), z.array(z.number())),
    }),
    timing: z.object({ instanceMs: z.number(), processMs: z.number(), perRecordUs: z.number() }),
  }),
  z.object({
    ok: z.literal(false),
    problems: z.array(
      z.object({
        message: z.string(),
        line: z.number().int().optional(),
        column: z.number().int().optional(),
      }),
    ),
    logs: z.array(logLine),
  }),
]);
const dryRunRecord = z.object({
  value: json,
  key: z.string().nullable().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  timestamp: z.number().optional(),
});
const dryRunResult = z.object({
  source: z.string(),
  edges: z.array(z.object({ edgeId: z.string(), records: z.array(dryRunRecord) })),
  nodes: z.array(
    z.object({
      nodeId: z.string(),
      recordsIn: z.number().int(),
      recordsOut: z.number().int(),
      logs: z.array(logLine),
      errors: z.array(
        z.object({ record: z.number().int(), message: z.string(), line: z.number().int().optional() }),
      ),
      problems: z.array(
        z.object({
          message: z.string(),
          line: z.number().int().optional(),
          column: z.number().int().optional(),
        }),
      ),
      captured: z.array(dryRunRecord).nullable(),
    }),
  ),
});

const role = z.enum(["viewer", "editor", "admin"]);
const user = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role,
  disabled: z.boolean(),
  createdAt: isoDate,
});
const apiToken = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string().describe("the token's first characters, to recognise it"),
  role,
  userId: z.string(),
  owner: z.string().describe("the owner's email"),
  expiresAt: isoDate.nullable(),
  revokedAt: isoDate.nullable(),
  lastUsedAt: isoDate.nullable().describe("refreshed at most once a minute"),
  createdAt: isoDate,
});
const auditEvent = z.object({
  id: z.string(),
  at: isoDate,
  userId: z.string().nullable(),
  email: z.string().nullable(),
  tokenId: z.string().nullable(),
  action: z.string().describe("the procedure, e.g. flow.update, or an auth event"),
  flowId: z.string().nullable(),
  target: z.string().nullable(),
  outcome: z.string(),
});

/** Response body schemas by procedure (a list's items; REST wraps them in a page). */
export const RESPONSES: Readonly<Record<string, z.ZodType>> = {
  "flow.create": savedWithNotes,
  "flow.update": savedWithNotes,
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
      summary: z.object({ nodes: changeCount, edges: changeCount, renamed: z.boolean() }),
    }),
  ),
  "flow.validate": z.object({ ok: z.boolean(), problems: z.array(problem), notes }),
  "deployment.deploy": deploymentStatus,
  "deployment.stop": deploymentStatus.nullable(),
  "deployment.status": deploymentStatus.nullable(),
  "deployment.list": z.array(deploymentStatus),
  "secrets.set": secretMetadata,
  "secrets.list": z.array(
    secretMetadata.extend({
      flows: z.array(z.object({ id: z.uuid(), name: z.string() })).describe("flows that read the secret"),
    }),
  ),
  "deadLetters.replay": z.object({ requested: z.number().int() }),
  "deadLetters.list": z.array(
    z.object({
      id: z.number().int(),
      deploymentId: z.uuid(),
      flowVersionId: z.uuid(),
      nodeId: z.string(),
      record: json,
      error: z.string(),
      attempts: z.number().int(),
      createdAt: isoDate,
      replayRequestedAt: isoDate.nullable(),
      replayedAt: isoDate.nullable(),
    }),
  ),
  "trace.get": z.object({
    traceId: z.string(),
    spans: z.array(
      z.object({
        spanId: z.string(),
        parentSpanId: z.string().nullable(),
        name: z.string().describe("<kind> <node id>"),
        flowId: z.string(),
        flowVersion: z.number(),
        deploymentId: z.string(),
        nodeId: z.string(),
        nodeType: z.string(),
        kind: z.enum(["source", "function", "sink"]),
        start: z.number().describe("epoch milliseconds"),
        offsetMs: z.number().describe("milliseconds after the trace's first span"),
        durationMs: z.number().nullable().describe("null while the node still holds the record"),
        depth: z.number().int(),
        batch: z.number().nullable(),
        batchSize: z.number().nullable(),
        error: z.string().nullable(),
        deadLettered: z.boolean(),
        attempts: z.number().nullable(),
      }),
    ),
    engines: z.number().int().describe("engines that answered"),
    unreachable: z.array(z.string()).describe("engines that did not answer, with why"),
  }),
  "stats.get": z.object({ deployment: deploymentStatus.nullable(), nodes: z.array(nodeStats) }),
  "logs.read": z.array(z.object({ id: z.number().int(), record: json, createdAt: isoDate })),
  "logs.function": z.array(
    z.object({
      id: z.number().int(),
      instance: z.string(),
      level: z.string(),
      message: z.string(),
      createdAt: isoDate,
    }),
  ),
  "connections.set": connectionProfile,
  "connections.get": connectionProfile,
  "connections.list": z.array(connectionProfile.extend({ flows: z.array(flowRef) })),
  "nodeTypes.list": z.array(
    z.object({
      type: z.string(),
      kind: z.enum(["source", "function", "sink"]),
      name: z.string(),
      description: z.string(),
      icon: z.string(),
      version: z.number().int(),
      ports: z.union([
        z.object({ fixed: z.array(z.string()) }),
        z.object({ userDefined: z.object({ default: z.array(z.string()) }) }),
      ]),
      configJsonSchema: z.record(z.string(), json).describe("the config's JSON Schema"),
    }),
  ),
  "functions.trigger": triggerResult,
  "dryRun.run": dryRunResult,
  "artifacts.upload": artifact.extend({ created: z.boolean() }),
  "artifacts.get": artifact,
  "artifacts.list": z.array(artifact.extend({ flows: z.array(flowRef) })),
  "account.status": z.object({
    needsSetup: z.boolean(),
    principal: z.object({ email: z.string(), role, via: z.enum(["session", "token"]) }).nullable(),
  }),
  "users.list": z.array(user),
  "users.create": user,
  "users.setRole": user,
  "users.setDisabled": user,
  "tokens.list": z.array(apiToken),
  "tokens.create": z.object({
    id: z.uuid(),
    token: z.string().describe("the token itself: shown once, stored only as a hash"),
    name: z.string(),
    role,
    expiresAt: isoDate.nullable(),
  }),
  "audit.list": z.array(auditEvent),
  "engine.list": z.array(
    z.object({
      id: z.string(),
      ingestUrl: z.string(),
      transport: z
        .enum(["in-process", "kafka"])
        .describe("how records cross the edges of the flows it runs: in memory, or through Kafka topics"),
      startedAt: isoDate,
      heartbeatAt: isoDate,
      alive: z.boolean(),
      recordsPerSec: z.number(),
      memoryBytes: z.number().nullable(),
      deployments: z.array(
        z.object({
          id: z.uuid(),
          flowId: z.uuid(),
          flowName: z.string(),
          version: z.number().int(),
          actualState: deploymentState,
        }),
      ),
    }),
  ),
};

/**
 * What a route answers: the procedure's answer, or for a list a page of them (`nextCursor` null
 * when the list ended); undefined for a 204.
 */
export function responseOf(route: RestRoute): z.ZodType | undefined {
  if (route.status === 204) return undefined;
  const schema = RESPONSES[route.procedure];
  if (!schema) throw new Error(`REST route ${route.method} ${route.path}: no documented response`);
  if (!route.page) return schema;
  return z.object({
    items: schema,
    nextCursor: z
      .string()
      .nullable()
      .describe(
        route.page === "tail"
          ? "the id of the newest entry returned (or the one asked after): ask ?afterId= it for newer ones"
          : "pass as ?cursor= for the next page; null when this page was the last",
      ),
  });
}
