export * from './errors';
export * from './event';
export { headerLookup, type HeadersInput, type HeaderLookup } from './headers';
export { getPath, isRecord } from './json-path';
export * from './signatures';
export * from './providers';
export * from './verify';
export * from './dedupe';
export * from './receiver';
