/**
 * `@hookbridge/core/pure`: everything that needs nothing but `node:crypto` and its arguments —
 * verification, providers, the canonical event, dedupe, templates (rendered by the
 * interpreter), the address policy, and the outbound and REST-hook logic over a transport the
 * caller passes. For hosts that refuse Node's modules, timers and code generation (n8n's
 * community-node rules); `@hookbridge/core` adds the Node transport, timers, receivers for
 * Node servers, and compiled templates.
 */
export * from './errors';
export * from './event';
export { headerLookup, redactHeaders, type HeadersInput, type HeaderLookup } from './headers';
export { getPath, isRecord } from './json-path';
export * from './signatures';
export * from './providers';
export * from './verify';
export * from './dedupe';
export * from './templates';
export * from './outbound/address-policy';
export * from './outbound/transport';
export { sendOnce, statusError, USER_AGENT, type OutboundRequest, type SendOptions } from './outbound/send';
export * from './delivery';
export * from './subscriptions';
