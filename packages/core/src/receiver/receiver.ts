import { HookbridgeError, WebhookVerificationError } from '../errors';
import type { HookEvent } from '../event';
import { MemoryIdempotencyStore, type IdempotencyStore } from '../dedupe';
import { verifyWebhook, type VerifyWebhookOptions, type WebhookRequest } from '../verify';

export type EventHandler<E extends HookEvent> = (event: E) => unknown;

export interface ReceiverOptions extends VerifyWebhookOptions {
  /** Where seen ids are remembered. Default: in memory, 24 h. Pass `false` to turn dedupe off. */
  store?: IdempotencyStore | false;
}

/** What an adapter should answer. The body is JSON and never carries a secret. */
export interface ReceiveResult {
  status: number;
  body: { ok: true; id: string; type: string; duplicate: boolean } | { ok: false; error: string; message: string };
  event?: HookEvent;
}

/** What the platform adapters need: anything that turns a request into a result. */
export interface WebhookReceiver {
  receive(request: WebhookRequest): Promise<ReceiveResult>;
}

/**
 * Verify-then-dispatch for people writing their own handler, in the style of
 * `@octokit/webhooks`: `receiver.on('score.updated', fn)`, dedupe built in.
 */
export class Receiver<E extends HookEvent = HookEvent> implements WebhookReceiver {
  private readonly handlers = new Map<string, EventHandler<E>[]>();
  private readonly anyHandlers: EventHandler<E>[] = [];
  private readonly store: IdempotencyStore | undefined;

  constructor(private readonly options: ReceiverOptions) {
    this.store = options.store === false ? undefined : (options.store ?? new MemoryIdempotencyStore());
  }

  on<T extends E['type']>(type: T | readonly T[], handler: EventHandler<Extract<E, { type: T }>>): this {
    for (const t of typeof type === 'string' ? [type] : (type as readonly T[])) {
      const list = this.handlers.get(t) ?? [];
      list.push(handler as EventHandler<E>);
      this.handlers.set(t, list);
    }
    return this;
  }

  onAny(handler: EventHandler<E>): this {
    this.anyHandlers.push(handler);
    return this;
  }

  /** Verifies and returns the event without dispatching; throws `WebhookVerificationError`. */
  verify(request: WebhookRequest): E {
    return verifyWebhook(request, this.options) as E;
  }

  /**
   * Verifies, deduplicates and runs the handlers. Never throws: failures become a result
   * with a status (4xx for bad requests; 500 when a handler failed, so the provider retries).
   */
  async receive(request: WebhookRequest): Promise<ReceiveResult> {
    let event: E;
    try {
      event = this.verify(request);
    } catch (error) {
      if (error instanceof WebhookVerificationError) {
        return { status: error.status, body: { ok: false, error: error.code, message: error.message } };
      }
      throw error;
    }
    const key = `${event.provider}:${event.id}`;
    if (this.store && !(await this.store.claim(key))) {
      return { status: 200, body: { ok: true, id: event.id, type: event.type, duplicate: true }, event };
    }
    try {
      for (const handler of [...(this.handlers.get(event.type) ?? []), ...this.anyHandlers]) {
        await handler(event);
      }
    } catch (error) {
      // Forget the id so the provider's retry is handled, not dropped as a duplicate.
      if (this.store) await this.store.release(key);
      const code = error instanceof HookbridgeError ? error.code : 'handler_failed';
      return { status: 500, body: { ok: false, error: code, message: 'The event handler failed' } };
    }
    return { status: 200, body: { ok: true, id: event.id, type: event.type, duplicate: false }, event };
  }
}
