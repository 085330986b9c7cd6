import type { WeirRecord } from "@weir/domain";
import { errorMessage } from "@weir/domain";
import { sleep } from "../abortable-sleep";
import { DeliveryError } from "../plugin";
import type { SinkPlugin } from "../plugin";
import { webhookSinkNodeType } from "./definition";
import type { WebhookSinkConfig } from "./definition";

/** 4xx answers other than these mean the request itself is wrong: retrying cannot help. */
const RETRYABLE_CLIENT_STATUSES = new Set([408, 425, 429]);

export const webhookSink: SinkPlugin<WebhookSinkConfig> = {
  definition: webhookSinkNodeType,
  open(config, ctx) {
    return Promise.resolve({
      async write(record) {
        let lastError = "";
        for (let attempt = 1; attempt <= config.maxAttempts; attempt++) {
          const outcome = await post(config, record, ctx.signal);
          if (outcome.ok) return;
          lastError = outcome.error;
          if (!outcome.retryable || ctx.signal.aborted) throw new DeliveryError(lastError, attempt);
          if (attempt < config.maxAttempts) {
            ctx.log.warn(`webhook attempt ${attempt} failed: ${lastError}; retrying`);
            await sleep(config.backoffMs * 2 ** (attempt - 1), ctx.signal);
          }
        }
        throw new DeliveryError(`${lastError} (after ${config.maxAttempts} attempts)`, config.maxAttempts);
      },
      close: () => Promise.resolve(),
    });
  },
};

type PostOutcome = { ok: true } | { ok: false; retryable: boolean; error: string };

async function post(config: WebhookSinkConfig, record: WeirRecord, stop: AbortSignal): Promise<PostOutcome> {
  try {
    const response = await fetch(config.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...config.headers },
      body: JSON.stringify(record),
      signal: AbortSignal.any([stop, AbortSignal.timeout(config.timeoutMs)]),
    });
    await response.arrayBuffer();
    if (response.ok) return { ok: true };
    const retryable = response.status >= 500 || RETRYABLE_CLIENT_STATUSES.has(response.status);
    return { ok: false, retryable, error: `POST ${config.url} answered ${response.status}` };
  } catch (error) {
    return { ok: false, retryable: true, error: `POST ${config.url} failed: ${errorMessage(error)}` };
  }
}
