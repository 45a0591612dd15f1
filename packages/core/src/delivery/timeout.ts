/**
 * An abort signal that fires after `ms`, and `clear` to cancel it once the request is done.
 * Cheaper than `AbortSignal.timeout`, whose GC-tracked timer costs ~10 µs per request —
 * noticeable when the relay delivers thousands of events a second.
 */
export function timeoutSignal(ms: number): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`The operation timed out after ${ms} ms`, 'TimeoutError')), ms);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}
