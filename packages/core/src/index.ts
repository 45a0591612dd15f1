/**
 * `@hookbridge/core` for Node: the pure core (see `pure.ts`) with Node's defaults filled in —
 * undici behind the address policy for HTTP, Node's timers for retries, receivers for Node
 * servers and Fetch handlers, and templates compiled by Handlebars (the fastest path).
 */
import { setTimeout as wait } from 'node:timers/promises';
import { configureRuntime } from './runtime';
import { nodeTransport } from './outbound/node-transport';
import { useCompiledTemplates } from './templates/compiled';

configureRuntime({ transport: nodeTransport, sleep: (ms) => wait(ms) });
useCompiledTemplates();

export * from './pure';
export * from './receiver';
export { nodeTransport, guardedLookup } from './outbound/node-transport';
export { useCompiledTemplates, compiledTemplates } from './templates/compiled';
