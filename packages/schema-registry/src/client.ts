// A client for the Confluent Schema Registry REST API (the subset Weir needs), over node:http(s)
// so a private CA or a client certificate needs no extra dependency.
import { request as httpRequest } from "node:http";
import type { IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";

export type SchemaType = "AVRO" | "PROTOBUF" | "JSON";

export interface SchemaReference {
  /** The import name (Protobuf file name, Avro full name) the referencing schema uses. */
  name: string;
  subject: string;
  version: number;
}

/** A schema as the registry stores it; `schemaType` is absent on the wire for Avro. */
export interface RegistrySchema {
  schemaType: SchemaType;
  schema: string;
  references: SchemaReference[];
}

export interface SubjectVersion extends RegistrySchema {
  subject: string;
  version: number;
  id: number;
}

export interface RegistryAuth {
  /** basic: HTTP basic auth (Confluent Cloud API key and secret); bearer: a token. */
  kind: "basic" | "bearer";
  username?: string;
  password?: string;
  token?: string;
}

export interface RegistryConnection {
  url: string;
  auth?: RegistryAuth;
  tls?: {
    /** PEM CA certificate(s) trusted in addition to none: when set, only these are trusted. */
    ca?: string;
    /** PEM client certificate and key, for mutual TLS. */
    cert?: string;
    key?: string;
  };
  /** Milliseconds one request may take. */
  timeoutMs?: number;
}

/** The registry answered with an error (or not at all); `status` 0 means no answer. */
export class RegistryError extends Error {
  override name = "RegistryError";
  constructor(
    message: string,
    readonly status: number,
    /** Confluent's `error_code`, e.g. 40401 subject not found, 40403 schema not found, 409 incompatible. */
    readonly errorCode: number | null,
  ) {
    super(message);
  }
}

const CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

export class RegistryClient {
  private readonly base: URL;
  private readonly byId = new Map<number, Promise<RegistrySchema>>();

  constructor(readonly connection: RegistryConnection) {
    this.base = new URL(connection.url.endsWith("/") ? connection.url : `${connection.url}/`);
    if (this.base.protocol !== "http:" && this.base.protocol !== "https:")
      throw new Error(`schema registry URL must be http(s): ${connection.url}`);
  }

  /** Cached for the client's life: an id always names the same schema. A failure is not cached. */
  schemaById(id: number): Promise<RegistrySchema> {
    let found = this.byId.get(id);
    if (!found) {
      found = this.call("GET", `schemas/ids/${String(id)}`).then((body) =>
        toSchema(body, `schema id ${String(id)}`),
      );
      this.byId.set(id, found);
      found.catch(() => this.byId.delete(id));
    }
    return found;
  }

  /** Schemas already fetched, for decoding without waiting. */
  cachedSchemaIds(): number[] {
    return [...this.byId.keys()];
  }

  async subjects(): Promise<string[]> {
    const body = await this.call("GET", "subjects");
    if (!Array.isArray(body) || !body.every((s) => typeof s === "string"))
      throw new RegistryError("GET /subjects did not answer a list of names", 200, null);
    return body;
  }

  async version(subject: string, version: number | "latest"): Promise<SubjectVersion> {
    const body = await this.call(
      "GET",
      `subjects/${encodeURIComponent(subject)}/versions/${String(version)}`,
    );
    return toSubjectVersion(body, `subject '${subject}' version ${String(version)}`);
  }

  /** Registers (or finds, when the same schema is already there) a version; answers its id. */
  async register(subject: string, schema: RegistrySchema): Promise<number> {
    const body = await this.call(
      "POST",
      `subjects/${encodeURIComponent(subject)}/versions`,
      wireSchema(schema),
    );
    return numberField(body, "id", `registering under '${subject}'`);
  }

  /** The version of `subject` holding this schema, or null when it has none. */
  async lookup(subject: string, schema: RegistrySchema): Promise<SubjectVersion | null> {
    try {
      const body = await this.call("POST", `subjects/${encodeURIComponent(subject)}`, wireSchema(schema));
      return toSubjectVersion(body, `subject '${subject}'`);
    } catch (error) {
      // 40401: no such subject; 40403: the subject has no such schema.
      if (error instanceof RegistryError && error.status === 404) return null;
      throw error;
    }
  }

  /** Whether `schema` may follow the latest version of `subject` under the subject's compatibility level. */
  async compatibility(
    subject: string,
    schema: RegistrySchema,
  ): Promise<{ compatible: boolean; messages: string[] }> {
    try {
      const body = await this.call(
        "POST",
        `compatibility/subjects/${encodeURIComponent(subject)}/versions/latest?verbose=true`,
        wireSchema(schema),
      );
      const compatible = isObject(body) && body.is_compatible === true;
      const raw = isObject(body) ? body.messages : undefined;
      const messages = Array.isArray(raw) ? raw.map(String) : [];
      return { compatible, messages };
    } catch (error) {
      // A subject with no versions yet accepts anything.
      if (error instanceof RegistryError && error.status === 404) return { compatible: true, messages: [] };
      throw error;
    }
  }

  private call(method: "GET" | "POST", path: string, body?: unknown): Promise<unknown> {
    const url = new URL(path, this.base);
    const where = `${method} ${url.pathname}`;
    const headers: Record<string, string> = { accept: CONTENT_TYPE };
    const auth = this.connection.auth;
    if (auth?.kind === "basic")
      headers.authorization = `Basic ${Buffer.from(`${auth.username ?? ""}:${auth.password ?? ""}`).toString("base64")}`;
    else if (auth?.kind === "bearer") headers.authorization = `Bearer ${auth.token ?? ""}`;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    if (payload !== undefined) headers["content-type"] = CONTENT_TYPE;
    const tls = this.connection.tls;
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(
        url,
        {
          method,
          headers,
          timeout: this.connection.timeoutMs ?? 10_000,
          ...(url.protocol === "https:" ? { ca: tls?.ca, cert: tls?.cert, key: tls?.key } : {}),
        },
        (res) => {
          readBody(res).then((text) => {
            resolve(parseAnswer(where, res.statusCode ?? 0, text));
          }, reject);
        },
      );
      req.on("timeout", () =>
        req.destroy(new Error(`no answer within ${String(this.connection.timeoutMs ?? 10_000)} ms`)),
      );
      req.on("error", (error) => {
        reject(
          new RegistryError(`schema registry ${url.origin}: ${where} failed: ${error.message}`, 0, null),
        );
      });
      req.end(payload);
    }).then((answer) => {
      if (answer instanceof RegistryError) throw answer;
      return answer;
    });
  }
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on("data", (chunk: Buffer) => chunks.push(chunk));
    res.on("end", () => {
      resolve(Buffer.concat(chunks).toString("utf8"));
    });
    res.on("error", reject);
  });
}

function parseAnswer(where: string, status: number, text: string): unknown {
  let body: unknown = null;
  try {
    body = text === "" ? null : JSON.parse(text);
  } catch {
    body = null;
  }
  if (status >= 200 && status < 300) return body;
  const message = isObject(body) && typeof body.message === "string" ? body.message : text.slice(0, 200);
  const code = isObject(body) && typeof body.error_code === "number" ? body.error_code : null;
  const why = status === 401 || status === 403 ? " (check the profile's credentials)" : "";
  return new RegistryError(
    `schema registry: ${where} answered ${String(status)}: ${message}${why}`,
    status,
    code,
  );
}

function wireSchema(schema: RegistrySchema): Record<string, unknown> {
  return {
    schema: schema.schema,
    ...(schema.schemaType === "AVRO" ? {} : { schemaType: schema.schemaType }),
    ...(schema.references.length > 0 ? { references: schema.references } : {}),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function numberField(body: unknown, name: string, what: string): number {
  const value = isObject(body) ? body[name] : undefined;
  if (typeof value !== "number")
    throw new RegistryError(`${what}: the answer has no numeric '${name}'`, 200, null);
  return value;
}

function toSchema(body: unknown, what: string): RegistrySchema {
  if (!isObject(body) || typeof body.schema !== "string")
    throw new RegistryError(`${what}: the answer has no schema text`, 200, null);
  const type = body.schemaType ?? "AVRO";
  if (type !== "AVRO" && type !== "PROTOBUF" && type !== "JSON")
    throw new RegistryError(`${what}: unsupported schema type ${JSON.stringify(type)}`, 200, null);
  const references = Array.isArray(body.references) ? body.references.filter(isReference) : [];
  return { schemaType: type, schema: body.schema, references };
}

function toSubjectVersion(body: unknown, what: string): SubjectVersion {
  const schema = toSchema(body, what);
  const record = body as Record<string, unknown>;
  return {
    ...schema,
    subject: typeof record.subject === "string" ? record.subject : "",
    version: numberField(body, "version", what),
    id: numberField(body, "id", what),
  };
}

function isReference(value: unknown): value is SchemaReference {
  return (
    isObject(value) &&
    typeof value.name === "string" &&
    typeof value.subject === "string" &&
    typeof value.version === "number"
  );
}
