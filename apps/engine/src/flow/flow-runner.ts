import type { FlowNode, FlowSpec, FunctionConfig, WeirRecord } from "@weir/domain";
import { errorMessage, functionConfigSchema, portsOf } from "@weir/domain";
import { builtinRegistry, findSink, findSource } from "@weir/connectors";
import { BoundedQueue } from "./bounded-queue";
import { runFunction } from "./function-runner";
import type { FunctionNodeHandle } from "./function-runner";
import { connectionsOf } from "./connections";
import { NodeInputs } from "./inputs";
import { NodeOutputs } from "./outputs";
import type { DeploymentRef, FlowServices } from "./services";
import { runSink } from "./sink-runner";
import { runSource } from "./source-runner";
import { redact } from "../stores/secret-store";

export interface FlowRunnerOptions {
  /** Records each edge holds before its producer waits. */
  queueCapacity: number;
  /** How long stop() waits for in-flight records to reach the sinks before giving up on them. */
  drainTimeoutMs: number;
}

/**
 * Runs one deployed flow version on the in-process transport: a bounded queue per edge, one
 * loop per node. Stopping ends the sources first and lets everything already inside the flow
 * drain through to the sinks.
 */
export class FlowRunner {
  private readonly sourcesStop = new AbortController();
  private readonly hardStop = new AbortController();
  private readonly edges = new Map<string, BoundedQueue<WeirRecord>>();
  /** Per non-source node: dead letters replayed into it, read alongside its edges. */
  private readonly replays = new Map<string, BoundedQueue<WeirRecord>>();
  private instanceCount = 0;
  private tasks: Promise<void>[] = [];
  private started = false;

  constructor(
    readonly deployment: DeploymentRef,
    private readonly spec: FlowSpec,
    private readonly services: FlowServices,
    private readonly options: FlowRunnerOptions,
  ) {
    for (const edge of spec.edges) this.edges.set(edge.id, new BoundedQueue(options.queueCapacity));
    for (const node of spec.nodes) {
      if (node.kind !== "source") this.replays.set(node.id, new BoundedQueue(options.queueCapacity));
    }
  }

  /** Whether this flow has a node that can take replayed records. */
  accepts(nodeId: string): boolean {
    return this.replays.has(nodeId);
  }

  /** Feeds dead-lettered records back into their node, waiting under backpressure. */
  async replay(nodeId: string, records: readonly WeirRecord[]): Promise<void> {
    const queue = this.replays.get(nodeId);
    if (!queue) throw new Error(`flow has no node '${nodeId}' that accepts records`);
    await queue.push(records);
  }

  /** Prepares every node (a failing init or sink open fails the start) and then starts them. */
  async start(): Promise<void> {
    if (this.started) throw new Error("flow already started");
    this.started = true;
    const prepared: (() => Promise<void>)[] = [];
    try {
      for (const node of this.spec.nodes) prepared.push(await this.prepare(node));
    } catch (error) {
      this.hardStop.abort();
      throw error;
    }
    this.tasks = prepared.map((run) => run());
  }

  /** Number of records waiting on edges, for stats and tests. */
  get backlog(): number {
    let total = 0;
    for (const queue of this.edges.values()) total += queue.size;
    return total;
  }

  /** Stops the sources, waits for in-flight records to drain, then stops the rest. */
  async stop(): Promise<{ drained: boolean }> {
    this.sourcesStop.abort();
    for (const queue of this.replays.values()) queue.close();
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
      for (const queue of this.edges.values()) queue.close();
      await all;
    }
    return { drained };
  }

  private async prepare(node: FlowNode): Promise<() => Promise<void>> {
    const incoming = this.spec.edges.filter((e) => e.to.node === node.id).map((e) => this.queue(e.id));
    const replay = this.replays.get(node.id);
    const inputs = new NodeInputs(replay ? [...incoming, replay] : incoming);
    const outputs = this.outputsOf(node);
    switch (node.kind) {
      case "source": {
        const plugin = findSource(node.type);
        if (!plugin) throw new Error(`node '${node.id}': no source implementation for type '${node.type}'`);
        const connection = await connectionsOf(node, this.services);
        return () =>
          runSource(
            node,
            plugin,
            outputs,
            this.deployment,
            this.services,
            this.sourcesStop.signal,
            connection,
          );
      }
      case "function": {
        const config = functionConfigSchema.parse(node.config);
        const handle = await this.createFunction(node, config);
        const retry = { maxAttempts: config.maxAttempts, backoffMs: config.retryBackoffMs };
        const stop = this.hardStop.signal;
        return () =>
          runFunction(
            node,
            config.batchSize,
            retry,
            handle,
            inputs,
            outputs,
            this.deployment,
            this.services,
            stop,
          );
      }
      case "sink": {
        const plugin = findSink(node.type);
        if (!plugin) throw new Error(`node '${node.id}': no sink implementation for type '${node.type}'`);
        const connection = await connectionsOf(node, this.services);
        const sink = await plugin.open(node.config, {
          flowId: this.deployment.flowId,
          nodeId: node.id,
          signal: this.hardStop.signal,
          log: this.services.log.child(node.id),
          connection,
          retain: (records, keep) => {
            this.services.retained.add(this.deployment, node.id, records, keep);
          },
        });
        return () => runSink(node, sink, inputs, this.deployment, this.services);
      }
    }
  }

  private async createFunction(node: FlowNode, config: FunctionConfig): Promise<FunctionNodeHandle> {
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
    };
    const state = this.services.state(this.deployment.flowId, node.id);
    const counters = this.services.counters(this.deployment.id, node.id, "in");
    const create = async (): Promise<FunctionNodeHandle["instance"]> => {
      const instance = `${node.id}#${++this.instanceCount}`;
      const write = (level: string) => (message: string) => {
        this.services.functionLogs.add({
          deployment: this.deployment,
          nodeId: node.id,
          instance,
          level,
          message: redact(message, secrets),
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

  private outputsOf(node: FlowNode): NodeOutputs {
    const byPort = new Map<string, BoundedQueue<WeirRecord>[]>();
    for (const edge of this.spec.edges.filter((e) => e.from.node === node.id)) {
      const list = byPort.get(edge.from.port) ?? [];
      list.push(this.queue(edge.id));
      byPort.set(edge.from.port, list);
    }
    return new NodeOutputs(byPort);
  }

  private queue(edgeId: string): BoundedQueue<WeirRecord> {
    const queue = this.edges.get(edgeId);
    if (!queue) throw new Error(`unknown edge '${edgeId}'`);
    return queue;
  }

  /** On a forced stop, records still on edges go to the dead-letter store of the node they were headed for. */
  private deadLetterStranded(): void {
    for (const edge of this.spec.edges) {
      for (const record of this.queue(edge.id).drainRemaining()) {
        this.services.deadLetters.add({
          deployment: this.deployment,
          nodeId: edge.to.node,
          record,
          error: `deployment stopped before this record was processed (drain timed out after ${this.options.drainTimeoutMs} ms)`,
          attempts: 0,
        });
      }
    }
  }
}
