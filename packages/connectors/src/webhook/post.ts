// One webhook POST over node:http(s), through the outbound policy: the URL is checked as written,
// and every address its host resolves to is checked again as the socket connects (guardedLookup).
// Redirects are not followed: a redirect could otherwise lead anywhere the policy refuses.
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { errorMessage } from "@weir/domain";
import { OutboundRefused, checkUrl, guardedLookup } from "../net-policy";

export type PostOutcome = { ok: true } | { ok: false; retryable: boolean; error: string };

/** 4xx answers other than these mean the request itself is wrong: retrying cannot help. */
const RETRYABLE_CLIENT_STATUSES = new Set([408, 425, 429]);

export const WEBHOOK_TARGET = "webhook target";

/** A keep-alive connection pool for one webhook URL whose sockets connect through the policy. */
export class WebhookClient {
  private readonly agent: HttpAgent;
  private readonly url: URL;

  constructor(url: string) {
    this.url = new URL(url);
    const port = this.url.port === "" ? (this.url.protocol === "https:" ? 443 : 80) : Number(this.url.port);
    const options = { keepAlive: true, lookup: guardedLookup(WEBHOOK_TARGET, port) };
    this.agent = this.url.protocol === "https:" ? new HttpsAgent(options) : new HttpAgent(options);
  }

  /** The policy's verdict on the URL as written (an IP literal, a metadata name), for open time. */
  staticRefusal(): string | undefined {
    const verdict = checkUrl(this.url, WEBHOOK_TARGET);
    return verdict.ok ? undefined : verdict.reason;
  }

  post(headers: Record<string, string>, body: string, signal: AbortSignal): Promise<PostOutcome> {
    const refusal = this.staticRefusal();
    if (refusal !== undefined) return Promise.resolve({ ok: false, retryable: false, error: refusal });
    const target = `POST ${this.url.href}`;
    const request = this.url.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise<PostOutcome>((resolve) => {
      let settled = false;
      const settle = (outcome: PostOutcome): void => {
        if (settled) return;
        settled = true;
        resolve(outcome);
      };
      const req = request(
        this.url,
        {
          method: "POST",
          agent: this.agent,
          headers: {
            "content-type": "application/json",
            ...headers,
            "content-length": Buffer.byteLength(body),
          },
          signal,
        },
        (res) => {
          res.resume();
          res.once("error", (error) => {
            settle({ ok: false, retryable: true, error: `${target} failed: ${errorMessage(error)}` });
          });
          res.once("end", () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) settle({ ok: true });
            else if (status >= 300 && status < 400)
              settle({
                ok: false,
                retryable: false,
                error: `${target} answered ${status} (redirects are not followed)`,
              });
            else
              settle({
                ok: false,
                retryable: status >= 500 || RETRYABLE_CLIENT_STATUSES.has(status),
                error: `${target} answered ${status}`,
              });
          });
        },
      );
      req.once("error", (error) => {
        if (error instanceof OutboundRefused) settle({ ok: false, retryable: false, error: error.message });
        else settle({ ok: false, retryable: true, error: `${target} failed: ${errorMessage(error)}` });
      });
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
