import { sleep, type IDataObject, type IHookFunctions, type IWebhookFunctions } from 'n8n-workflow';
import {
  createGenericProvider,
  eventMatches,
  getProvider,
  INSECURE_GUARD,
  MemoryIdempotencyStore,
  parseJsonTemplate,
  renderJsonTemplate,
  SubscriptionClient,
  templateContext,
  type HookEvent,
  type ProviderProfile,
  type SchemeName,
} from '@hookbridge/core/pure';

import { credentialAuth } from '../../credentials/HookbridgeApi.credentials';
import { n8nTransport } from './N8nTransport';

type Context = IHookFunctions | IWebhookFunctions;

export interface StoredSubscription {
  id: string;
  secret: string;
}

/** Static data keeps one subscription per webhook URL, so test and production URLs never clobber each other. */
export function subscriptions(context: Context): Record<string, StoredSubscription> {
  const data = context.getWorkflowStaticData('node');
  if (!data.subscriptions || typeof data.subscriptions !== 'object') data.subscriptions = {};
  return data.subscriptions as Record<string, StoredSubscription>;
}

export function profileOf(context: Context): ProviderProfile {
  const provider = context.getNodeParameter('provider') as string;
  if (provider !== 'generic') return getProvider(provider);
  const paths = context.getNodeParameter('paths', {}) as IDataObject;
  const timestampHeader = context.getNodeParameter('timestampHeader', '') as string;
  return createGenericProvider({
    id: 'generic',
    scheme: context.getNodeParameter('scheme') as SchemeName,
    headers: { signature: context.getNodeParameter('signatureHeader') as string, timestamp: timestampHeader || undefined },
    paths: { id: (paths.id as string) || 'id', type: (paths.type as string) || 'type', time: (paths.time as string) || 'timestamp' },
  });
}

/** The selected event types (`*` for all). */
export function selectedEvents(context: Context, profile: ProviderProfile): string[] {
  if (profile.events.length === 0) {
    return (context.getNodeParameter('eventPatterns', '*') as string)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
  const chosen = context.getNodeParameter(`${profile.id}Events`, ['*']) as string[];
  return chosen.length ? chosen : ['*'];
}

export async function clientFor(context: IHookFunctions, profile: ProviderProfile): Promise<SubscriptionClient> {
  const credentials = await context.getCredentials('hookbridgeApi');
  // Refuses an unusable choice (empty key, bad header name) before any request is made.
  credentialAuth(credentials);
  return new SubscriptionClient({
    provider: profile,
    baseUrl: (credentials.baseUrl as string) || undefined,
    // n8n sends the requests and the credential's `authenticate` adds the auth.
    auth: { type: 'none' },
    transport: n8nTransport(context),
    sleep,
    policy: { retries: 2, delaysMs: [500, 1000], timeoutMs: 10_000 },
    // The user's own provider API, typed into their own n8n (as with its HTTP Request node); n8n's own network rules apply.
    guard: INSECURE_GUARD,
  });
}

/** Per node and process: ids seen recently (n8n's static data is not saved from webhook calls). */
const seen = new Map<string, MemoryIdempotencyStore>();

export function dedupeStore(context: IWebhookFunctions, windowSeconds: number): MemoryIdempotencyStore {
  const key = `${context.getWorkflow().id}:${context.getNode().id}:${windowSeconds}`;
  let store = seen.get(key);
  if (!store) seen.set(key, (store = new MemoryIdempotencyStore({ ttlMs: windowSeconds * 1000, maxEntries: 50_000 })));
  return store;
}

export function wanted(event: HookEvent, events: string[]): boolean {
  return events.includes('*') || eventMatches(event.type, events);
}

export function shapeOutput(event: HookEvent, output: string, templateSource: string): IDataObject {
  if (output === 'payload') return event.raw as IDataObject;
  if (output === 'template') return renderJsonTemplate(parseJsonTemplate(templateSource), templateContext(event)) as IDataObject;
  return {
    id: event.id,
    provider: event.provider,
    type: event.type,
    occurredAt: event.occurredAt,
    summary: event.summary ?? null,
    subject: event.subject ?? null,
    brand: (event.brand as unknown as IDataObject) ?? null,
    workflow: (event.workflow as unknown as IDataObject) ?? null,
    data: event.data as IDataObject,
  };
}
