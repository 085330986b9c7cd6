import type { FlowNode, JsonValue } from "@weir/domain";
import { errorMessage } from "@weir/domain";
import type { FlowServices } from "./services";
import type { StoredConnection } from "../stores/connection-store";

/** What a connector's context offers as `connection(name, kind)`. */
export type ConnectionResolver = (name: string, kind: string) => Promise<JsonValue>;

/**
 * Loads the connection profile a source or sink names in `config.connection` before the node
 * starts, so a missing profile fails the deployment's start with the node and the name; the
 * connector then gets it (config and secrets merged) through its context.
 */
export async function connectionsOf(node: FlowNode, services: FlowServices): Promise<ConnectionResolver> {
  const fail = (error: unknown): Error => new Error(`node '${node.id}': ${errorMessage(error)}`);
  const loaded = new Map<string, StoredConnection>();
  const load = async (name: string): Promise<StoredConnection> => {
    const known = loaded.get(name);
    if (known) return known;
    const profile = await services.connection(name).catch((error: unknown) => {
      throw fail(error);
    });
    loaded.set(name, profile);
    return profile;
  };
  const named = node.config.connection;
  if (typeof named === "string") await load(named);
  return async (name, kind) => {
    const profile = await load(name);
    if (profile.kind !== kind) {
      throw fail(`connection profile '${name}' is of kind '${profile.kind}', not '${kind}'`);
    }
    return profile.value;
  };
}
