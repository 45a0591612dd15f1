import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import type { CreateSubscriptionInput, WebhookSubscription, AttemptLog } from '@hookbridge/core';

/** A subscription as the emulated provider keeps it: the public object plus how to deliver. */
export interface StoredSubscription extends WebhookSubscription {
  auth_type: NonNullable<CreateSubscriptionInput['auth_type']>;
  auth?: Pick<CreateSubscriptionInput, 'auth_token' | 'auth_username' | 'auth_password' | 'api_key_header' | 'api_key_value'>;
  headers?: Record<string, string>;
}

/** One event sent to one URL, with every attempt: the provider's delivery log. */
export interface EmulatedDelivery {
  id: string;
  subscription_id: string | null;
  url: string;
  event_type: string;
  event_id: string;
  ok: boolean;
  status?: number;
  attempts: AttemptLog[];
  created_at: string;
}

/** Subscriptions in memory, optionally mirrored to a JSON file so they survive a restart. */
export class SubscriptionStore {
  private readonly items = new Map<string, StoredSubscription>();

  constructor(private readonly file?: string) {
    if (file && existsSync(file)) {
      for (const item of JSON.parse(readFileSync(file, 'utf8')) as StoredSubscription[]) this.items.set(item.id, item);
    }
  }

  list(): StoredSubscription[] {
    return [...this.items.values()];
  }

  get(id: string): StoredSubscription | undefined {
    return this.items.get(id);
  }

  put(item: StoredSubscription): void {
    this.items.set(item.id, item);
    this.save();
  }

  delete(id: string): boolean {
    const existed = this.items.delete(id);
    if (existed) this.save();
    return existed;
  }

  private save(): void {
    if (!this.file) return;
    writeFileSync(`${this.file}.tmp`, JSON.stringify(this.list(), null, 2));
    renameSync(`${this.file}.tmp`, this.file);
  }
}
