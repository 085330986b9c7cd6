import { sleep } from "../abortable-sleep";
import { DeliveryError } from "../plugin";
import type { SinkPlugin } from "../plugin";
import { webhookSinkNodeType } from "./definition";
import type { WebhookSinkConfig } from "./definition";
import { WebhookClient } from "./post";

export const webhookSink: SinkPlugin<WebhookSinkConfig> = {
  definition: webhookSinkNodeType,
  open(config, ctx) {
    const client = new WebhookClient(config.url);
    // Known at deploy time when the URL is an address: say so once, then dead-letter each record.
    const refusal = client.staticRefusal();
    if (refusal !== undefined) ctx.log.error(refusal);
    return Promise.resolve({
      async write(record) {
        let lastError = "";
        for (let attempt = 1; attempt <= config.maxAttempts; attempt++) {
          const outcome = await client.post(
            config.headers,
            JSON.stringify(record),
            AbortSignal.any([ctx.signal, AbortSignal.timeout(config.timeoutMs)]),
          );
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
      close: () => {
        client.close();
        return Promise.resolve();
      },
    });
  },
};
