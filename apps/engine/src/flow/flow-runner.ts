import type { FlowNode, FlowSpec, FunctionConfig, WeirRecord } from "@weir/domain";
import { errorMessage, functionConfigSchema, portsOf } from "@weir/domain";
import { builtinRegistry, findSink, findSource } from "@weir/connectors";
import { runFunction } from "./function-runner";
import type { FunctionNodeHandle } from "./function-runner";
import { connectionsOf } from "./connections";
import type { EdgeTransport, NodeInput, NodeOutput } from "../transport/edge-transport";
import { NodeInputs } from "./inputs";
import { isKeyedShare } from "../transport/keyed-split";
import { stateFor } from "./exactly-once-state";
import type { DeploymentRef, FlowServices, NodeState } from "./services";
import { runSink } from "./sink-runner";
import { runSource } from "./source-runner";
import { redact } from "../stores/secret-store";
import { responseSinkCapability } from "../requests/request-routes";
import { TrackedInput, TrackedOutput } from "../requests/tracked-io";
import { REQUEST_HEADER } from "../requests/request-tracker";
import { CreditOutput, creditLedger } from "../requests/credit-io";
import { CreditBook } from "../requests/request-credit";
import type { NodeTracing } from "../tracing/traced-io";
import { TracedInput, TracedOutput, markDeadLettered } from "../tracing/traced-io";
import { TRACEPARENT, sampledTraceId } from "../tracing/trace-context";
import { PeekedInput } from "../peek/peeked-input";
import { PeekedOutput } from "../peek/peeked-output";

export interface FlowRunnerOptions {
  /** How long stop() waits for in-flight records to reach the sinks before giving up on them. */
  drainTimeoutMs: number;
}

/**
 * Which nodes of the flow this runner runs. The in-process transport runs them all in one
 * engine. On the Kafka transport, `workers` (functions, sinks and Kafka sources, which share
 * work through consumer groups) run on every engine, and `sources` (generator, HTTP ingest:
 * anything that cannot be split) run on the one engine that holds the deployment's lease.
 */
export type RunnerRole = "all" | "sources" | "workers";

/** Sources that read Kafka themselves spread over engines through their own consumer group. */
const SHARED_SOURCES = new Set(["kafka-source"]);

export function runsIn(node: FlowNode, role: RunnerRole): boolean {
  switch (role) {
    case "all":
      return true;
    case "sources":
      return node.kind === "source" && !SHARED_SOURCES.has(node.type);
    case "workers":
      return node.kind !== "source" || SHARED_SOURCES.has(node.type);
  }
}

/**
 * Runs the nodes of one deployed flow version that its role covers, one loop per node instance,
 * over an edge transport. Stopping ends the sources first and lets everything already inside
 * the flow drain through to the sinks.
 */
export class FlowRunner {
  private readonly sourcesStop = new AbortController();
  private readonly hardStop = new AbortController();
  private instanceCount = 0;
  /** Per function node: the state store its instances share (stateOf). */
  private readonly stateStores = new Map<string, NodeState>();
  private tasks: Promise<void>[] = [];
  private started = false;

  constructor(
    readonly deployment: DeploymentRef,
    readonly spec: FlowSpec,
    private readonly services: FlowServices,
    private readonly options: FlowRunnerOptions,
    private readonly transport: EdgeTransport,
    readonly role: RunnerRole = "all",
  ) {}

  /** Whether this flow has a node that can take replayed records (on any engine). */
  accepts(nodeId: string): boolean {
    return (
      this.spec.nodes.some((node) => node.id === nodeId && node.kind !== "source") &&
      this.transport.canReplay(nodeId)
    );
  }

  /** Feeds dead-lettered records back into their node, waiting under backpressure. */
  async replay(nodeId: string, records: readonly WeirRecord[]): Promise<void> {
    await this.transport.replay(nodeId, records);
  }

  /** Prepares every node (a failing init or sink open fails the start) and then starts them. */
  async start(): Promise<void> {
    if (this.started) throw new Error("flow already started");
    this.started = true;
    const prepared: (() => Promise<void>)[] = [];
    try {
      await this.transport.prepare();
      for (const node of this.spec.nodes)
        if (runsIn(node, this.role) && !this.transport.absorbs(node))
          prepared.push(...(await this.prepare(node)));
    } catch (error) {
      this.hardStop.abort();
      this.transport.stopInputs();
      await this.transport.close();
      throw error;
    }
    this.tasks = prepared.map((run) => run());
  }

  /** Stops the sources, waits for in-flight records to drain, then stops the rest. */
  async stop(): Promise<{ drained: boolean }> {
    this.sourcesStop.abort();
    this.transport.stopInputs();
    const all = Promise.allSettled(this.tasks).then(() => true);
    const timeout = new Promise<false>((resolve) =>
      setTimeout(() => {
        resolve(false);
      }, this.options.drainTimeoutMs).unref(),
    );
    const drained = await Promise.race([all, timeout]);
    if (!drained) {
      this.hardStop.abort();
      this.deadLetterStranded();
      await all;
    }
    await this.transport.close();
    return { drained };
  }

  /** The loops of one node: one per instance (parallelism applies to non-source nodes). */
  private async prepare(node: FlowNode): Promise<(() => Promise<void>)[]> {
    switch (node.kind) {
      case "source": {
        const plugin = findSource(node.type);
        if (!plugin) throw new Error(`node '${node.id}': no source implementation for type '${node.type}'`);
        const connection = await connectionsOf(node, this.services);
        const outputs = this.traceOutput(node, this.trackOutput(node, await this.outputOf(node)));
        return [
          () =>
            runSource(
              node,
              plugin,
              outputs,
              this.deployment,
              { ...this.services, requests: this.requests },
              this.sourcesStop.signal,
              connection,
            ),
        ];
      }
      case "function": {
        const config = functionConfigSchema.parse(node.config);
        const retry = { maxAttempts: config.maxAttempts, backoffMs: config.retryBackoffMs };
        const stop = this.hardStop.signal;
        // Exactly-once on Kafka: each instance's outputs commit with its own input's offsets.
        const instances = this.instancesOf(node);
        const shared = this.transport.outputPerInstance
          ? undefined
          : closedByLast(this.trackOutput(node, await this.outputOf(node)), instances);
        const loops: (() => Promise<void>)[] = [];
        for (let instance = 0; instance < instances; instance++) {
          // The input first: under exactly-once the function's state is its input partitions'.
          const inputs = await this.transport.inputOf(node, instance);
          const handle = await this.createFunction(node, config, inputs);
          const outputs = shared ?? this.trackOutput(node, await this.outputOf(node, inputs));
          this.watchBacklog(node, instance, inputs);
          const tracked = this.traceInput(node, this.trackInput(node, this.peekInput(node, inputs)));
          loops.push(() =>
            runFunction(
              node,
              config.batchSize,
              retry,
              handle,
              tracked,
              outputs,
              this.deployment,
              this.servicesOf(node),
              stop,
            ),
          );
        }
        return loops;
      }
      case "sink": {
        const plugin = findSink(node.type);
        if (!plugin) throw new Error(`node '${node.id}': no sink implementation for type '${node.type}'`);
        const connection = await connectionsOf(node, this.services);
        const loops: (() => Promise<void>)[] = [];
        for (let instance = 0; instance < this.instancesOf(node); instance++) {
          const sink = await plugin.open(node.config, {
            flowId: this.deployment.flowId,
            nodeId: node.id,
            signal: this.hardStop.signal,
            log: this.services.log.child(node.id, { node: node.id }),
            connection,
            ...(this.services.kafkaClient ? { kafkaClient: this.services.kafkaClient } : {}),
            retain: (records, keep) => {
              this.services.retained.add(this.deployment, node.id, records, keep);
              // A request's answer ends only once every copy of its records is done, this one too.
              const answerWaits = records.some((record) => REQUEST_HEADER in record.headers);
              return this.services.retained.persisted(this.deployment, node.id, answerWaits);
            },
            ...responseSinkCapability(this.requests, node.id),
          });
          const inputs = await this.transport.inputOf(node, instance);
          this.watchBacklog(node, instance, inputs);
          const tracked = this.traceInput(node, this.trackInput(node, this.peekInput(node, inputs)));
          loops.push(() => runSink(node, sink, tracked, this.deployment, this.servicesOf(node)));
        }
        return loops;
      }
    }
  }

  /**
   * Request/response flows: where one engine runs every node (in-process), it counts a request's
   * records itself; on Kafka (roles `sources` and `workers`) the records carry credit that every
   * engine gives back to the engine holding the request (`remote`, requests/kafka-replies.ts).
   */
  private get requests(): FlowServices["requests"] {
    const requests = this.services.requests;
    return this.role === "all" || requests?.remote ? requests : undefined;
  }

  /** Per node, the credit its outputs took from the records it is working on (Kafka). */
  private readonly creditBooks = new Map<string, CreditBook>();

  private creditBook(node: FlowNode): CreditBook {
    let book = this.creditBooks.get(node.id);
    if (!book) {
      book = new CreditBook(node.id);
      this.creditBooks.set(node.id, book);
    }
    return book;
  }

  /** Only a flow that answers requests pays for counting them. */
  private get tracksRequests(): boolean {
    return this.requests !== undefined && this.spec.nodes.some((node) => node.type === "http-request");
  }

  /** The transport's output for the node, which edge peek can watch when the engine offers it. */
  private async outputOf(node: FlowNode, input?: NodeInput): Promise<NodeOutput> {
    const output = await this.transport.outputOf(node, input);
    const peeks = this.services.peeks;
    return peeks ? new PeekedOutput(output, peeks.tapsOf(this.deployment.id, node.id)) : output;
  }

  /** A node reading its source's topic directly (Kafka) is where that source's edge can be peeked at. */
  private peekInput(node: FlowNode, inputs: NodeInput): NodeInput {
    const peeks = this.services.peeks;
    if (!peeks) return inputs;
    const incoming = this.spec.edges.filter((e) => e.to.node === node.id);
    const edge = incoming.length === 1 ? incoming[0] : undefined;
    const from = edge && this.spec.nodes.find((n) => n.id === edge.from.node);
    if (!edge || !from || !this.transport.absorbs(from)) return inputs;
    return new PeekedInput(inputs, peeks.tapsOf(this.deployment.id, from.id), edge.from.port);
  }

  private trackOutput(node: FlowNode, outputs: NodeOutput): NodeOutput {
    const requests = this.requests;
    if (!requests || !this.tracksRequests) return outputs;
    if (requests.remote && this.role !== "all")
      return new CreditOutput(
        outputs,
        node,
        this.spec,
        this.creditBook(node),
        requests.remote,
        requests.tracker,
      );
    return new TrackedOutput(outputs, node, this.spec, requests.tracker);
  }

  private trackInput(node: FlowNode, inputs: NodeInput): NodeInput {
    const requests = this.requests;
    if (!requests || !this.tracksRequests) return inputs;
    const counters = this.services.counters(this.deployment.id, node.id, "in");
    if (requests.remote && this.role !== "all") {
      requests.remote.watchCancellations();
      return new TrackedInput(
        inputs,
        creditLedger(node.id, this.creditBook(node), requests.remote),
        counters,
      );
    }
    return new TrackedInput(inputs, requests.tracker, counters);
  }

  /** With tracing on: what this node's spans are named and say (made once per node). */
  private readonly nodeTracing = new Map<string, NodeTracing>();

  private tracingOf(node: FlowNode): NodeTracing | undefined {
    const tracing = this.services.tracing;
    if (!tracing) return undefined;
    let traced = this.nodeTracing.get(node.id);
    if (!traced) {
      traced = {
        tracing,
        node: {
          flowId: this.deployment.flowId,
          flowVersion: this.deployment.version,
          deploymentId: this.deployment.id,
          nodeId: node.id,
          nodeType: node.type,
          kind: node.kind,
          name: `${node.kind} ${node.id}`,
        },
        spans: new Map(),
      };
      this.nodeTracing.set(node.id, traced);
    }
    return traced;
  }

  private traceOutput(node: FlowNode, outputs: NodeOutput): NodeOutput {
    const traced = this.tracingOf(node);
    return traced ? new TracedOutput(outputs, traced) : outputs;
  }

  private traceInput(node: FlowNode, inputs: NodeInput): NodeInput {
    const traced = this.tracingOf(node);
    return traced ? new TracedInput(inputs, traced) : inputs;
  }

  /** The services a node's loop gets: with tracing on, a dead letter also marks its record's span. */
  private servicesOf(node: FlowNode): FlowServices {
    const traced = this.tracingOf(node);
    if (!traced) return this.services;
    const deadLetters = this.services.deadLetters;
    return {
      ...this.services,
      deadLetters: {
        add: (entry) => {
          markDeadLettered(traced, entry.record, entry.error, entry.attempts);
          deadLetters.add(entry);
        },
        persisted: () => deadLetters.persisted(),
      },
    };
  }

  /**
   * The node's state store, one for all its instances here: each keeps a cache, so instances with
   * stores of their own would not see each other's writes of a key they had read.
   */
  private stateOf(node: FlowNode): NodeState {
    let store = this.stateStores.get(node.id);
    if (!store) {
      store = this.services.state(this.deployment.flowId, node.id);
      this.stateStores.set(node.id, store);
    }
    return store;
  }

  /** Inputs that can tell their queue depth (in memory) report it as the node's backlog. */
  private watchBacklog(node: FlowNode, instance: number, inputs: NodeInput): void {
    // NodeInputs, or an instance's share of one (KeyedSplit).
    if (!(inputs instanceof NodeInputs) && !isKeyedShare(inputs)) return;
    const counters = this.services.counters(this.deployment.id, node.id, "in");
    counters.watchQueue(instance, () => inputs.backlog);
  }

  /**
   * In memory a function node runs `parallelism` instances fed by key and other nodes one (the
   * transport says); on Kafka each engine runs `parallelism` members of the node's group.
   */
  private instancesOf(node: FlowNode): number {
    return this.transport.instancesOf?.(node) ?? (this.role === "all" ? 1 : (node.parallelism ?? 1));
  }

  private async createFunction(
    node: FlowNode,
    config: FunctionConfig,
    input: NodeInput,
  ): Promise<FunctionNodeHandle> {
    const fail = (error: unknown): Error => new Error(`node '${node.id}': ${errorMessage(error)}`);
    const runtime = this.services.runtimes.get(config.runtime);
    if (!runtime) throw fail(`runtime '${config.runtime}' is not available in this engine`);
    const secrets = await this.services.secrets(config.secrets).catch((error: unknown) => {
      throw fail(error);
    });
    const component =
      config.runtime === "wasm" && config.artifact !== undefined
        ? await this.services.artifact(config.artifact).catch((error: unknown) => {
            throw fail(error);
          })
        : undefined;
    const definition = builtinRegistry.get(node.type);
    const spec = {
      nodeId: node.id,
      code: config.code,
      language: config.language,
      params: config.params,
      ports: definition ? portsOf(definition, node.outputs) : ["out"],
      timeoutMs: config.timeoutMs,
      memoryLimitMb: config.memoryLimitMb,
      ...(component ? { component } : {}),
      ...(config.requirements.length > 0 ? { requirements: config.requirements } : {}),
    };
    const state = stateFor(
      this.spec,
      this.stateOf(node),
      input,
      this.services.log.child(node.id, { node: node.id }),
    );
    const counters = this.services.counters(this.deployment.id, node.id, "in");
    const create = async (): Promise<FunctionNodeHandle["instance"]> => {
      const instance = `${node.id}#${++this.instanceCount}`;
      const write = (level: string) => (message: string, record?: WeirRecord) => {
        this.services.functionLogs.add({
          deployment: this.deployment,
          nodeId: node.id,
          instance,
          level,
          message: redact(message, secrets),
          // The editor opens this trace from the line (only a sampled record has its spans kept).
          traceId: sampledTraceId(record?.headers[TRACEPARENT]),
        });
      };
      const host = {
        log: { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") },
        state,
        secrets,
        metrics: {
          counter: (name: string, increment: number) => {
            counters.counter(name, increment);
          },
          histogram: (name: string, value: number) => {
            counters.histogram(name, value);
          },
        },
      };
      try {
        return await runtime.createInstance(spec, host);
      } catch (error) {
        throw fail(error);
      }
    };
    return { instance: await create(), recreate: create, state };
  }

  /** On a forced stop, records still held in memory go to the dead-letter store of the node they were headed for. */
  private deadLetterStranded(): void {
    for (const { nodeId, record } of this.transport.stranded()) {
      const error = `deployment stopped before this record was processed (drain timed out after ${this.options.drainTimeoutMs} ms)`;
      // It waited on the node's input edge: it comes in now, and goes straight to the dead letters.
      const counters = this.services.counters(this.deployment.id, nodeId, "in");
      counters.recordsIn++;
      counters.deadLetter(error);
      this.services.deadLetters.add({ deployment: this.deployment, nodeId, record, error, attempts: 0 });
    }
  }
}

/**
 * An output the node's `instances` loops share: each loop closes it as it ends, and it closes
 * once the last one has, so a loop that runs out first cannot end the others' edges.
 */
function closedByLast(output: NodeOutput, instances: number): NodeOutput {
  if (instances <= 1) return output;
  let open = instances;
  return {
    send: (outputs) => output.send(outputs),
    sendToPort: (port, records) => output.sendToPort(port, records),
    close: () => {
      if (--open === 0) output.close();
    },
  };
}
