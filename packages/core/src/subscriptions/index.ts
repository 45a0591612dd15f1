export * from './types';
export { SubscriptionClient, generateSigningSecret, type SubscriptionClientOptions } from './client';
export * from './api-auth';
