// A STAND-IN, NOT A SCHEMA REGISTRY. No real registry with the Confluent API can be installed on
// these machines (see the package README, "Tests"), so the client's tests run against this
// in-memory server implementing only the documented subset of the Confluent REST API the client
// calls: GET /subjects, GET /schemas/ids/{id}, GET /subjects/{s}/versions/{v|latest},
// POST /subjects/{s}/versions, POST /subjects/{s}, POST /compatibility/subjects/{s}/versions/latest,
// PUT /config/{s}. Its compatibility check is BACKWARD for Avro only (via avsc's schema
// resolution); Protobuf and JSON Schema versions are always accepted. Optional basic auth and TLS.
import { createServer as createHttpServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import avro from "avsc";

interface Stored {
  id: number;
  schemaType: string;
  schema: string;
  references: unknown[];
}

export interface StandInOptions {
  basicAuth?: { username: string; password: string };
  tls?: { cert: string; key: string };
}

export interface StandInRegistry {
  url: string;
  /** Requests served, by "METHOD path", for tests that check caching. */
  requests: string[];
  close: () => Promise<void>;
}

export async function startStandInRegistry(options: StandInOptions = {}): Promise<StandInRegistry> {
  const byId = new Map<number, Stored>();
  const subjects = new Map<string, number[]>();
  const levels = new Map<string, string>();
  const requests: string[] = [];

  const idOf = (schemaType: string, schema: string): number | undefined =>
    [...byId.values()].find((s) => s.schemaType === schemaType && s.schema === schema)?.id;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? "/", "http://stand-in");
    const method = req.method ?? "GET";
    requests.push(`${method} ${url.pathname}`);
    // Both answer true, so each route ends with `return send(...)`.
    const send = (status: number, body: unknown): true => {
      res.writeHead(status, { "content-type": "application/vnd.schemaregistry.v1+json" });
      res.end(JSON.stringify(body));
      return true;
    };
    const fail = (status: number, code: number, message: string): true =>
      send(status, { error_code: code, message });
    if (options.basicAuth) {
      const expected = `Basic ${Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`).toString("base64")}`;
      if (req.headers.authorization !== expected) {
        return fail(401, 401, "Unauthorized");
      }
    }
    const body = method === "GET" ? {} : ((await readJson(req)) as Record<string, unknown>);
    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    const schemaType = typeof body.schemaType === "string" ? body.schemaType : "AVRO";
    const schema = typeof body.schema === "string" ? body.schema : "";
    const versionView = (subject: string, version: number): unknown => {
      const stored = byId.get(subjects.get(subject)?.[version - 1] ?? -1);
      return (
        stored && {
          subject,
          version,
          ...stored,
          ...(stored.schemaType === "AVRO" ? { schemaType: undefined } : {}),
        }
      );
    };

    if (method === "GET" && parts.length === 1 && parts[0] === "subjects")
      return send(200, [...subjects.keys()]);
    if (method === "GET" && parts[0] === "schemas" && parts[1] === "ids" && parts.length === 3) {
      const stored = byId.get(Number(parts[2]));
      if (!stored) return fail(404, 40403, "Schema not found");
      return send(200, {
        schema: stored.schema,
        schemaType: stored.schemaType === "AVRO" ? undefined : stored.schemaType,
        references: stored.references,
      });
    }
    if (parts[0] === "subjects" && parts.length >= 2) {
      const subject = parts[1] ?? "";
      const versions = subjects.get(subject);
      if (method === "GET" && parts[2] === "versions" && parts.length === 4) {
        if (!versions) return fail(404, 40401, `Subject '${subject}' not found.`);
        const version = parts[3] === "latest" ? versions.length : Number(parts[3]);
        const view = versionView(subject, version);
        return view ? send(200, view) : fail(404, 40402, "Version not found.");
      }
      if (method === "POST" && parts.length === 2) {
        if (!versions) return fail(404, 40401, `Subject '${subject}' not found.`);
        const id = idOf(schemaType, schema);
        const index = id === undefined ? -1 : versions.indexOf(id);
        return index < 0 ? fail(404, 40403, "Schema not found") : send(200, versionView(subject, index + 1));
      }
      if (method === "POST" && parts[2] === "versions" && parts.length === 3) {
        const problem = incompatibility(
          byId.get(versions?.at(-1) ?? -1),
          schemaType,
          schema,
          levels.get(subject),
        );
        if (problem)
          return fail(409, 409, `Schema being registered is incompatible with an earlier schema: ${problem}`);
        let id = idOf(schemaType, schema);
        if (id === undefined) {
          id = byId.size + 1;
          byId.set(id, {
            id,
            schemaType,
            schema,
            references: Array.isArray(body.references) ? body.references : [],
          });
        }
        const list = versions ?? [];
        if (!list.includes(id)) list.push(id);
        subjects.set(subject, list);
        return send(200, { id });
      }
    }
    if (method === "POST" && parts[0] === "compatibility" && parts[1] === "subjects" && parts.length === 5) {
      const subject = parts[2] ?? "";
      const versions = subjects.get(subject);
      if (!versions) return fail(404, 40401, `Subject '${subject}' not found.`);
      const problem = incompatibility(
        byId.get(versions.at(-1) ?? -1),
        schemaType,
        schema,
        levels.get(subject),
      );
      return send(200, problem ? { is_compatible: false, messages: [problem] } : { is_compatible: true });
    }
    if (method === "PUT" && parts[0] === "config" && parts.length === 2) {
      levels.set(parts[1] ?? "", String(body.compatibility));
      return send(200, { compatibility: body.compatibility });
    }
    return fail(404, 404, `the stand-in registry does not implement ${method} ${url.pathname}`);
  };

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500);
      res.end(JSON.stringify({ error_code: 500, message: String(error) }));
    });
  };
  const server = options.tls ? createHttpsServer(options.tls, listener) : createHttpServer(listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? "https" : "http"}://${options.tls ? "localhost" : "127.0.0.1"}:${String(port)}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

/** BACKWARD for Avro: the new schema must read what the latest one wrote. */
function incompatibility(
  latest: Stored | undefined,
  schemaType: string,
  schema: string,
  level: string | undefined,
): string | null {
  if (!latest || level === "NONE" || schemaType !== "AVRO" || latest.schemaType !== "AVRO") return null;
  try {
    const reader = avro.Type.forSchema(JSON.parse(schema) as avro.Schema);
    reader.createResolver(avro.Type.forSchema(JSON.parse(latest.schema) as avro.Schema));
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      try {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve(text === "" ? {} : JSON.parse(text));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    req.on("error", reject);
  });
}
