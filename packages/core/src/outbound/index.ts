export * from './address-policy';
export * from './transport';
export { sendOnce, statusError, USER_AGENT, type OutboundRequest, type SendOptions } from './send';
export { nodeTransport, guardedLookup } from './node-transport';
