import { DeliveryError } from './errors';
import type { DestinationGuard } from './outbound/address-policy';
import type { HttpTransport } from './outbound/transport';

/**
 * What core needs from the platform it runs on: a way to send HTTP and a way to wait. The
 * Node entry of `@hookbridge/core` provides both (undici behind the address policy, Node's
 * timers); the pure entry (`@hookbridge/core/pure`, for hosts such as n8n that refuse Node's
 * modules and timers) has neither, and the host passes its own per call.
 */
interface Runtime {
  transport?: (guard: DestinationGuard) => HttpTransport;
  sleep?: (ms: number) => Promise<void>;
}

const runtime: Runtime = {};

export function configureRuntime(defaults: Runtime): void {
  Object.assign(runtime, defaults);
}

export function defaultTransport(guard: DestinationGuard): HttpTransport {
  if (!runtime.transport) {
    throw new DeliveryError(
      'invalid_destination',
      'No HTTP transport: pass `transport` (the host platform’s HTTP client) or use the Node entry of @hookbridge/core',
    );
  }
  return runtime.transport(guard);
}

export function defaultSleep(ms: number): Promise<void> {
  if (!runtime.sleep) throw new Error('No timer: pass `sleep` (the host platform’s) or use the Node entry of @hookbridge/core');
  return runtime.sleep(ms);
}
