// The OpenAPI 3.1 document of /api/v1, generated from REST_ROUTES and each procedure's zod input
// schema (z.toJSONSchema, draft 2020-12, which OpenAPI 3.1 uses as is). A flow spec's procedures
// take it unparsed (validateFlow checks it, with paths), so their body is documented with the
// domain's flowSpecSchema instead.
import { flowSpecSchema } from "@weir/domain";
import { z } from "zod";
import { appRouter } from "../root";
import {
  ANY_JSON_REF,
  BODY_RULES,
  EXTRA_ERRORS,
  NO_NUL_PATTERN,
  anyJsonWithoutNul,
  forbidNul,
} from "./request-rules";
import { responseOf } from "./responses";
import { REST_ROUTES } from "./routes";
import type { QueryKind, RestRoute } from "./routes";

type JsonSchema = Record<string, unknown>;

interface ProcedureDef {
  _def: { type: string; inputs: unknown[] };
}

const procedures = appRouter._def.procedures as unknown as Record<string, ProcedureDef | undefined>;

/** Procedures whose input is a flow spec (or holds one under `spec`). */
const SPEC_INPUT = new Set(["flow.create", "flow.validate"]);

/**
 * Shared definitions lifted out of generated schemas: z.toJSONSchema puts a recursive or reused
 * schema (a JSON value) under the schema's own `$defs`, whose `#/$defs/…` refs would resolve
 * against the document root once embedded. Each one moves to components.schemas under a name of
 * its own, and its refs are rewritten to point there.
 */
class SharedDefs {
  readonly schemas: Record<string, JsonSchema> = {};

  lift(generated: JsonSchema): JsonSchema {
    const { $schema: _drop, $defs, ...rest } = generated;
    const renamed = new Map<string, string>();
    const defs = Object.entries(($defs ?? {}) as Record<string, JsonSchema>);
    for (const [name] of defs) renamed.set(name, `Def${Object.keys(this.schemas).length + renamed.size + 1}`);
    const rewrite = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(rewrite);
      if (typeof value !== "object" || value === null) return value;
      return Object.fromEntries(
        Object.entries(value).map(([key, v]) => {
          if (key === "$ref" && typeof v === "string" && v.startsWith("#/$defs/")) {
            const target = renamed.get(v.slice("#/$defs/".length));
            return [key, target === undefined ? v : `#/components/schemas/${target}`];
          }
          return [key, rewrite(v)];
        }),
      );
    };
    for (const [name, def] of defs) this.schemas[renamed.get(name) ?? name] = rewrite(def) as JsonSchema;
    return rewrite(rest) as JsonSchema;
  }
}

/** A request-side schema (an input, a flow spec), with the NUL rule the input guard enforces. */
function toSchema(schema: unknown, defs: SharedDefs): JsonSchema {
  if (!(schema instanceof z.ZodType)) return {};
  const generated = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  forbidNul(generated);
  return defs.lift(generated);
}

function outputSchema(schema: z.ZodType | undefined, defs: SharedDefs): JsonSchema {
  if (!schema) return {};
  return defs.lift(z.toJSONSchema(schema, { io: "output", unrepresentable: "any" }));
}

function inputSchema(route: RestRoute, defs: SharedDefs): JsonSchema {
  const procedure = procedures[route.procedure];
  if (!procedure)
    throw new Error(`REST route ${route.method} ${route.path} names no procedure ${route.procedure}`);
  // Validation takes anything and answers what is wrong with it (200, `ok: false`).
  if (route.procedure === "flow.validate") {
    return { $ref: ANY_JSON_REF, description: "a flow spec to check; anything else comes back as problems" };
  }
  if (SPEC_INPUT.has(route.procedure)) return { $ref: "#/components/schemas/FlowSpec" };
  const schema = toSchema(procedure._def.inputs[0], defs);
  if (route.procedure === "flow.update") {
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
    properties.spec = { $ref: "#/components/schemas/FlowSpec" };
    schema.properties = properties;
  }
  return schema;
}

const QUERY_TYPE: Record<QueryKind, string> = { string: "string", integer: "integer", boolean: "boolean" };

const problemSchema: JsonSchema = {
  type: "object",
  properties: {
    path: { type: "array", items: { anyOf: [{ type: "string" }, { type: "integer" }] } },
    pathString: { type: "string" },
    message: { type: "string" },
    code: { type: "string" },
    line: { type: "integer" },
    column: { type: "integer" },
  },
  required: ["path", "pathString", "message", "code"],
};

const errorSchema: JsonSchema = {
  type: "object",
  properties: {
    error: {
      type: "object",
      properties: {
        code: { type: "string", description: "tRPC error code, e.g. BAD_REQUEST, NOT_FOUND, CONFLICT" },
        message: { type: "string" },
        problems: {
          anyOf: [{ type: "array", items: { $ref: "#/components/schemas/Problem" } }, { type: "null" }],
          description: "every fault with its JSON path (validation failures), else null",
        },
      },
      required: ["code", "message", "problems"],
    },
  },
  required: ["error"],
};

const errorResponse = (description: string): JsonSchema => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

/** Unique per route (a procedure may serve two paths): `get_flows_id_versions_version`. */
function operationId(route: RestRoute): string {
  const words = route.path
    .split("/")
    .flatMap((part) => (part === "" ? [] : [part.replace(/[{}]/g, "").replace(/-/g, "_")]));
  return [route.method.toLowerCase(), ...words].join("_");
}

function operation(route: RestRoute, defs: SharedDefs): JsonSchema {
  const input = inputSchema(route, defs);
  const inputProps = (input.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((input.required ?? []) as string[]);
  const consumed = new Set<string>();
  const parameters: JsonSchema[] = [];
  for (const [name, field] of Object.entries(route.params ?? {})) {
    consumed.add(field);
    const schema = inputProps[field] ?? { type: "string", pattern: NO_NUL_PATTERN };
    parameters.push({ name, in: "path", required: true, schema });
  }
  for (const [name, kind] of Object.entries(route.query ?? {})) {
    consumed.add(name);
    const schema = inputProps[name] ?? { type: QUERY_TYPE[kind] };
    parameters.push({ name, in: "query", required: required.has(name), schema });
  }
  const op: JsonSchema = {
    operationId: operationId(route),
    summary: route.summary,
    description: `Calls the tRPC procedure \`${route.procedure}\`.`,
    tags: [route.tag],
    parameters,
  };
  // Answered to anyone (who is calling: nobody), so a client may send no credentials.
  if (route.anonymous) op.security = [{}, { bearer: [] }];
  const mode = route.body ?? (route.method === "POST" || route.method === "PUT" ? "fields" : "none");
  // Every POST and PUT must be application/json, even without fields: the body is required.
  if (mode === "input") {
    BODY_RULES[route.procedure]?.(input);
    op.requestBody = { required: true, content: { "application/json": { schema: input } } };
  } else if (mode === "fields") {
    const properties = Object.fromEntries(Object.entries(inputProps).filter(([k]) => !consumed.has(k)));
    const bodyRequired = [...required].filter((k) => !consumed.has(k));
    const schema: JsonSchema = { type: "object", properties };
    if (bodyRequired.length > 0) schema.required = bodyRequired;
    forbidNul(schema);
    BODY_RULES[route.procedure]?.(schema);
    op.requestBody = { required: true, content: { "application/json": { schema } } };
  }
  const status = String(route.status ?? 200);
  const responses: JsonSchema = {
    [status]:
      status === "204"
        ? { description: "done; no body" }
        : {
            description: "the procedure's answer",
            content: {
              "application/json": {
                schema: outputSchema(responseOf(route), defs),
              },
            },
          },
    "400": errorResponse("invalid input: `error.problems` lists each fault with its path"),
    "401": errorResponse("not signed in, or the API token is unknown, revoked or expired"),
    "403": errorResponse("the caller's role does not allow this"),
    "404": errorResponse("no such flow, version, node, secret, profile, artifact, user or token"),
    "409": errorResponse(
      "conflicts with what exists (an email in use, the token sending the request) or changed concurrently; retry",
    ),
    "500": errorResponse("internal error (details only in the server's log)"),
  };
  for (const [status, why] of Object.entries(EXTRA_ERRORS[route.procedure] ?? {})) {
    responses[status] = errorResponse(why);
  }
  if (mode !== "none") {
    responses["413"] = errorResponse("the body is larger than the limit");
    responses["415"] = errorResponse("the body is not application/json");
  }
  op.responses = responses;
  return op;
}

/** The document served at /api/v1/openapi.json; `serverUrl` is the mount point. */
export function openApiDocument(options: { serverUrl?: string } = {}): JsonSchema {
  const defs = new SharedDefs();
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of REST_ROUTES) {
    const item = (paths[route.path] ??= {});
    item[route.method.toLowerCase()] = operation(route, defs);
  }
  const flowSpec = toSchema(flowSpecSchema, defs);
  return {
    openapi: "3.1.0",
    info: {
      title: "Weir admin API",
      version: "1.0.0",
      description:
        "REST over Weir's tRPC router: each operation calls one procedure (named in its description). " +
        "Errors are { error: { code, message, problems } }.",
    },
    servers: [{ url: options.serverUrl ?? "/api/v1" }],
    // An API token (`weir tokens`, or the admin token `npm start` writes) or the editor's session.
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: {
        FlowSpec: flowSpec,
        JsonWithoutNul: anyJsonWithoutNul,
        Problem: problemSchema,
        Error: errorSchema,
        ...defs.schemas,
      },
    },
  };
}
