import type { FunctionHost, JsonValue, StateWrite } from "@weir/domain";

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface LogEntry {
  level: LogLevel;
  message: string;
}

/** A FunctionHost that keeps everything in memory, for tests to read back. */
export interface MemoryHost extends FunctionHost {
  /** The durable state: share it between hosts to see what a new instance would see. */
  readonly store: Map<string, JsonValue>;
  readonly logs: LogEntry[];
  /** Every `state.apply` call, in order. */
  readonly applied: StateWrite[][];
  /** Counter totals by name. */
  readonly counters: Map<string, number>;
  readonly histograms: Map<string, number[]>;
  /** Log messages, optionally of one level only. */
  messages(level?: LogLevel): string[];
}

export interface MemoryHostOptions {
  secrets?: Record<string, string>;
  store?: Map<string, JsonValue>;
}

export function createMemoryHost(options: MemoryHostOptions = {}): MemoryHost {
  const store = options.store ?? new Map<string, JsonValue>();
  const logs: LogEntry[] = [];
  const applied: StateWrite[][] = [];
  const counters = new Map<string, number>();
  const histograms = new Map<string, number[]>();
  const logger = (level: LogLevel) => (message: string) => {
    logs.push({ level, message });
  };
  return {
    store,
    logs,
    applied,
    counters,
    histograms,
    messages: (level) =>
      logs.filter((entry) => level === undefined || entry.level === level).map((e) => e.message),
    log: { debug: logger("debug"), info: logger("info"), warn: logger("warn"), error: logger("error") },
    state: {
      get: (key) => {
        const value = store.get(key);
        return Promise.resolve(value === undefined ? undefined : structuredClone(value));
      },
      apply: (writes) => {
        applied.push(structuredClone([...writes]));
        for (const write of writes) {
          if ("delete" in write) store.delete(write.key);
          else store.set(write.key, structuredClone(write.value));
        }
        return Promise.resolve();
      },
    },
    secrets: Object.freeze({ ...options.secrets }),
    metrics: {
      counter: (name, increment) => {
        counters.set(name, (counters.get(name) ?? 0) + increment);
      },
      histogram: (name, value) => {
        histograms.set(name, [...(histograms.get(name) ?? []), value]);
      },
    },
  };
}
