import { z } from 'zod';
import { isIP } from 'node:net';
import { SCHEME_NAMES, listProviders } from '@hookbridge/core';
import { parseDuration, parseSize } from './units';

const duration = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a duration like "500ms", "1s", "7d" or milliseconds, got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return ms;
});

const size = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const bytes = parseSize(v);
  if (bytes === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a size like "256kb", "1mb" or bytes, got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return bytes;
});

const cidr = z.string().refine((v) => {
  const [address, bits, extra] = v.split('/');
  if (extra !== undefined || !address || !isIP(address)) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return Number.isInteger(n) && n >= 0 && n <= (isIP(address) === 4 ? 32 : 128);
}, 'expected an IP address or CIDR range like "10.0.0.0/8"');

const url = z.string().refine((v) => /^https?:\/\/[^\s]+$/.test(v), 'expected an http(s) URL');
const nonEmpty = z.string().min(1, 'must not be empty');

export const retrySchema = z
  .object({
    retries: z.number().int().min(0).max(50).default(3),
    delays: z.array(duration).min(1).default([1000, 2000, 4000]),
    jitter: z.number().min(0).max(1).default(0),
    maxRetryAfter: duration.default(60_000),
    timeout: duration.default(10_000),
  })
  .strict();

const providerIds = () => listProviders().map((p) => p.id);

const genericProvider = z
  .object({
    scheme: z.enum(SCHEME_NAMES as [string, ...string[]]),
    headers: z.object({ signature: nonEmpty, timestamp: z.string().optional(), id: z.string().optional() }).strict(),
    paths: z
      .object({ id: z.string(), type: z.string(), time: z.string(), data: z.string(), summary: z.string() })
      .partial()
      .strict()
      .optional(),
    events: z.array(z.string()).optional(),
    name: z.string().optional(),
  })
  .strict();

export const sourceSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]+$/, 'expected letters, digits, "-" or "_" (it is part of the URL /hooks/<id>)'),
    provider: z.union([
      z
        .string()
        .refine((v) => providerIds().includes(v), { message: `expected one of ${providerIds().join(', ')}, or a generic provider object` }),
      genericProvider,
    ]),
    secrets: z.array(nonEmpty).min(1, 'at least one signing secret is required (list several to rotate)'),
    toleranceSeconds: z.number().int().min(1).default(300),
    maxBodyBytes: size.default(1024 * 1024),
    allowIps: z.array(cidr).optional(),
    trustedProxies: z.array(cidr).default([]),
    unknownEvents: z.enum(['reject', 'accept']).default('accept'),
  })
  .strict();

const slackDestination = z
  .object({
    type: z.literal('slack'),
    token: z.string().optional(),
    channel: z.string().optional(),
    webhookUrl: url.optional(),
    apiUrl: url.optional(),
  })
  .strict()
  .refine((d) => (d.token && d.channel) || d.webhookUrl, 'slack needs token + channel, or webhookUrl');

const authSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }).strict(),
  z.object({ type: z.literal('bearer'), token: nonEmpty }).strict(),
  z.object({ type: z.literal('basic'), username: nonEmpty, password: nonEmpty }).strict(),
  z.object({ type: z.literal('api_key'), header: nonEmpty, value: nonEmpty }).strict(),
]);

export const destinationSchema = z.discriminatedUnion('type', [
  slackDestination,
  z.object({ type: z.literal('discord'), webhookUrl: url, username: z.string().optional() }).strict(),
  z.object({ type: z.literal('teams'), workflowUrl: url }).strict(),
  z
    .object({
      type: z.literal('webhook'),
      url,
      auth: authSchema.optional(),
      headers: z.record(z.string(), z.string()).optional(),
      sign: z
        .object({ scheme: z.enum(SCHEME_NAMES as [string, ...string[]]), header: z.string().optional(), secret: nonEmpty })
        .strict()
        .optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('log'),
      format: z.enum(['slack', 'discord', 'teams', 'json', 'text']).default('text'),
      file: z.string().optional(),
    })
    .strict(),
]);

export const routeSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'expected letters, digits, ".", "-" or "_"'),
    sources: z.array(nonEmpty).min(1),
    events: z.array(nonEmpty).default(['*']),
    when: z.string().optional(),
    destination: destinationSchema,
    template: z.unknown().optional(),
    text: z.string().optional(),
    title: z.string().optional(),
    allowMentions: z.boolean().default(false),
    retry: retrySchema.partial().optional(),
    concurrency: z.number().int().min(1).max(256).default(4),
    ratePerSecond: z.number().positive().optional(),
    onFailure: destinationSchema.optional(),
  })
  .strict();

export const configSchema = z
  .object({
    server: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8787),
        adminToken: z.string().min(16, 'expected at least 16 characters').optional(),
        /** Allow plain http and loopback/private destinations (local demos and tests). */
        allowInsecureDestinations: z.boolean().default(false),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 8787, allowInsecureDestinations: false }),
    storage: z
      .object({
        /** The SQLite file (the embedded default). */
        path: z.string().default('./data/hookbridge.db'),
        synchronous: z.enum(['full', 'normal']).default('full'),
        /** A PostgreSQL database (postgres://user:password@host:5432/db): several relays share it. Replaces `path`. */
        url: z
          .string()
          .regex(/^postgres(ql)?:\/\/\S+$/, 'expected a PostgreSQL URL like "postgres://user:password@host:5432/hookbridge"')
          .optional(),
        /** Connections per pool (the relay opens two: intake and admin, deliveries). */
        poolSize: z.number().int().min(1).max(100).default(8),
        /** PostgreSQL: a statement not answered in this long fails (a hung database answers 503, not never). */
        queryTimeout: duration.default(30_000),
      })
      .strict()
      .default({ path: './data/hookbridge.db', synchronous: 'full', poolSize: 8, queryTimeout: 30_000 }),
    retention: z
      .object({ deliveredMaxAge: duration.default(7 * 86_400_000), interval: duration.default(3_600_000) })
      .strict()
      .default({ deliveredMaxAge: 7 * 86_400_000, interval: 3_600_000 }),
    retry: retrySchema.default({ retries: 3, delays: [1000, 2000, 4000], jitter: 0, maxRetryAfter: 60_000, timeout: 10_000 }),
    workers: z
      .object({
        concurrency: z.number().int().min(1).max(1024).default(32),
        pollInterval: duration.default(200),
        /** How long a claimed delivery is this relay's; after that any relay may claim it again. Default: 3 × retry.timeout + 60 s. */
        lease: duration.optional(),
      })
      .strict()
      .default({ concurrency: 32, pollInterval: 200 }),
    sources: z.array(sourceSchema).min(1, 'at least one source is required'),
    routes: z.array(routeSchema).default([]),
  })
  .strict()
  .superRefine((config, ctx) => {
    const sourceIds = new Set<string>();
    config.sources.forEach((s, i) => {
      if (sourceIds.has(s.id)) ctx.addIssue({ code: 'custom', path: ['sources', i, 'id'], message: `duplicate source id "${s.id}"` });
      sourceIds.add(s.id);
    });
    const routeIds = new Set<string>();
    config.routes.forEach((r, i) => {
      if (routeIds.has(r.id)) ctx.addIssue({ code: 'custom', path: ['routes', i, 'id'], message: `duplicate route id "${r.id}"` });
      routeIds.add(r.id);
      r.sources.forEach((s, j) => {
        if (!sourceIds.has(s))
          ctx.addIssue({
            code: 'custom',
            path: ['routes', i, 'sources', j],
            message: `expected a source id (${[...sourceIds].join(', ')}), got "${s}"`,
          });
      });
    });
  });

export type RelayConfig = z.output<typeof configSchema>;
export type SourceConfig = RelayConfig['sources'][number];
export type RouteConfig = RelayConfig['routes'][number];
export type DestinationConfig = RouteConfig['destination'];
export type RetryConfig = RelayConfig['retry'];
