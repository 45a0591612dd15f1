import Handlebars from 'handlebars';
import type { HelperDelegate, TemplateDelegate } from 'handlebars';
import { escapers, reportDeniedProperty, templateHelpers, useTemplateCompiler, type Ast, type TemplateCompiler } from './engine';
import type { EscapeMode } from './escape';

/**
 * Templates compiled by Handlebars to JavaScript: faster than the interpreter (bench/format
 * reports both), and used wherever code generation is allowed — the Node entry of
 * `@hookbridge/core` (the relay, Zapier, your own server). Hosts that refuse `new Function`
 * (n8n) load the pure entry, which renders with the interpreter; both give the same output.
 */

/** An isolated Handlebars: our helpers only, nothing registered globally leaks in or out. */
const env = Handlebars.create();
for (const [name, fn] of Object.entries(templateHelpers)) env.registerHelper(name, fn as HelperDelegate);

const DENIED = /^Handlebars: Access has been denied to resolve the property "([^"]*)"/;
// Handlebars logs a denied property through its shared logger, once per property per process,
// to the console. Catch those messages and report them like the interpreter does (once per template).
const logger = (Handlebars as unknown as { logger: { log: (level: unknown, ...message: unknown[]) => void } }).logger;
const handlebarsLog = logger.log.bind(logger);
logger.log = (level, ...message) => {
  const property = typeof message[0] === 'string' ? DENIED.exec(message[0])?.[1] : undefined;
  if (property === undefined || !reportDeniedProperty(property)) return handlebarsLog(level, ...message);
  // Let Handlebars log this property again for the next template; deduplication is per template instead.
  (env as unknown as { resetLoggedPropertyAccesses(): void }).resetLoggedPropertyAccesses();
};

/** What Handlebars' runtime set up for a template on its first render (see `compileWithEscaping`). */
interface RuntimeState {
  helpers: unknown;
  partials: unknown;
  decorators: unknown;
  hooks: unknown;
  protoAccessControl: unknown;
}

type Container = RuntimeState & { escapeExpression: (value: unknown) => string };

/**
 * Compiles with the destination's escaping in place of Handlebars' HTML escaping. The
 * compiled code escapes `{{x}}` through `container.escapeExpression`; the container is
 * private to each compiled template, so setting it there changes nothing else.
 *
 * Speed: on every top-level call Handlebars copies all registered helpers into a new
 * object and wraps each in a closure — for our 19 helpers, more than the render itself.
 * The first render keeps what that set-up produced (the same for every call: our
 * environment is private and never changes after load), and later renders hand it back
 * through the runtime's own `partial` path, which skips the copy. Prototype access control
 * and missing-helper hooks are the ones the first set-up created.
 */
function compileWithEscaping(ast: Ast, strict: boolean, mode: EscapeMode): TemplateDelegate {
  // Handlebars' own compile() builds its functions from this same source with new Function.
  const spec = new Function(`return ${env.precompile(ast, { strict })}`)() as { main: ProgramFn };
  const main = spec.main;
  const escape = escapers[mode];
  let state: RuntimeState | undefined;
  spec.main = function (container, ...rest) {
    container.escapeExpression = escape;
    state ??= {
      helpers: container.helpers,
      partials: container.partials,
      decorators: container.decorators,
      hooks: container.hooks,
      protoAccessControl: container.protoAccessControl,
    };
    return main.call(this, container, ...rest);
  };
  const template = env.template(spec as unknown as Parameters<typeof env.template>[0]);
  // One options object per template, reused: building a fresh one per call costs more than the copy it saves.
  let reuse: (RuntimeState & { partial: true; data: { root: unknown } }) | undefined;
  const render = (context: unknown, options?: Handlebars.RuntimeOptions): string => {
    if (!state || options) return template(context, options);
    reuse ??= { ...state, partial: true, data: { root: undefined } };
    // `data.root` is what the runtime's initData would have set (for @root and helpers' options.data).
    // Read by the runtime before anything renders, so a nested render cannot disturb it.
    reuse.data = { root: context };
    return template(context, reuse as Handlebars.RuntimeOptions);
  };
  return render as TemplateDelegate;
}

type ProgramFn = (this: unknown, container: Container, ...rest: unknown[]) => string;

export const compiledTemplates: TemplateCompiler = (ast, strict, mode) => compileWithEscaping(ast, strict, mode);

/** Renders templates with compiled Handlebars from now on (the Node entry calls this once). */
export function useCompiledTemplates(): void {
  useTemplateCompiler(compiledTemplates);
}
