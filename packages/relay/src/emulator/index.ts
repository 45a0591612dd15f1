export { ProviderEmulator, type EmulatorOptions } from './emulator';
export type { EmulatedDelivery, StoredSubscription } from './state';
