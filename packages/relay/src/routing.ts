import { evaluateExpression, eventMatches, templateContext, type HookEvent } from '@hookbridge/core';
import type { RouteConfig } from './config/schema';

/** The routes an event from `source` goes to: source listed, type matches a pattern, `when` holds. */
export function matchRoutes(routes: readonly RouteConfig[], source: string, event: HookEvent): string[] {
  let context: ReturnType<typeof templateContext> | undefined;
  return routes
    .filter((route) => {
      if (!route.sources.includes(source) || !eventMatches(event.type, route.events)) return false;
      if (route.when === undefined) return true;
      context ??= templateContext(event);
      try {
        return Boolean(evaluateExpression(route.when, context));
      } catch {
        // A condition that cannot be evaluated for this event does not match it.
        return false;
      }
    })
    .map((route) => route.id);
}
