export { Receiver, type ReceiverOptions, type ReceiveResult, type EventHandler, type WebhookReceiver } from './receiver';
export { createNodeMiddleware, readRawBody, BodyTooLargeError } from './node';
export { createFetchHandler } from './web';
