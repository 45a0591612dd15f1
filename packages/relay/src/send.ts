import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { bodyFingerprint, getProvider } from '@hookbridge/core';

export interface SendSampleOptions {
  provider: string;
  event: string;
  to: string;
  secret: string;
  /** Unix seconds to sign with (timestamped schemes); default now. */
  timestamp?: number;
  timeoutMs?: number;
}

export interface SendSampleResult {
  status: number;
  body: string;
  eventId: string;
  /** The signature headers sent, values shortened so nothing secret-derived is printed whole. */
  signatureHeaders: Record<string, string>;
}

/** Signs one sample event of the provider exactly as the provider would, and POSTs it. */
export async function sendSample(options: SendSampleOptions): Promise<SendSampleResult> {
  const profile = getProvider(options.provider);
  const payload = profile.samplePayload(options.event, {
    id: `evt_${randomUUID().replace(/-/g, '')}`,
    occurredAt: new Date().toISOString(),
  });
  const body = Buffer.from(JSON.stringify(payload));
  const eventId = profile.extract(payload, { verified: {}, now: Math.floor(Date.now() / 1000) }).id ?? bodyFingerprint(body);
  const signed = profile.scheme.sign(body, { secret: options.secret, timestamp: options.timestamp });
  const response = await request(options.to, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': `${profile.name}-Webhooks/1.0 (hookbridge send)`, ...signed },
    body,
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  });
  const text = await response.body.text();
  const signatureHeaders = Object.fromEntries(Object.entries(signed).map(([k, v]) => [k, v.length > 24 ? `${v.slice(0, 16)}…` : v]));
  return { status: response.statusCode, body: text.slice(0, 4096), eventId, signatureHeaders };
}
