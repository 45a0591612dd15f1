import Handlebars from 'handlebars';
import type { HelperDelegate, TemplateDelegate } from 'handlebars';
import { TemplateError } from '../errors';
import { escapeFor, type EscapeMode } from './escape';
import { helpers } from './helpers';

const CAPTURE_HELPER = '__hb_capture';

/** The value the capture helper saw last; rendering is synchronous, so one slot is enough. */
let captured: unknown;

function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** An isolated Handlebars: our helpers only, nothing registered globally leaks in or out. */
const env = Handlebars.create();
for (const [name, fn] of Object.entries(helpers)) env.registerHelper(name, fn as HelperDelegate);
env.registerHelper(CAPTURE_HELPER, (value: unknown) => {
  captured = value;
  return '';
});

/** A property Handlebars refused to read (not an own property: prototype access stays denied). */
export interface TemplateWarning {
  /** The template's source, cut to 200 characters. */
  template: string;
  property: string;
  message: string;
}

let warn: (warning: TemplateWarning) => void = (w) => console.warn(`hookbridge: ${w.message} (template: ${w.template})`);
/** Routes template warnings to the host's logger (the relay's pino) instead of stderr. Each is reported once per template. */
export function onTemplateWarning(handler: (warning: TemplateWarning) => void): void {
  warn = handler;
}

/** The template being rendered (rendering is synchronous), so a warning can name it. */
let rendering: string | undefined;
const warned = new Set<string>();
const DENIED = /^Handlebars: Access has been denied to resolve the property "([^"]*)"/;
// Handlebars logs a denied property through its shared logger, once per property per process,
// to the console. Catch those messages, name the template, and report each once per template.
const logger = (Handlebars as unknown as { logger: { log: (level: unknown, ...message: unknown[]) => void } }).logger;
const handlebarsLog = logger.log.bind(logger);
logger.log = (level, ...message) => {
  const property = typeof message[0] === 'string' ? DENIED.exec(message[0])?.[1] : undefined;
  if (property === undefined || rendering === undefined) return handlebarsLog(level, ...message);
  // Let Handlebars log this property again for the next template; we deduplicate per template instead.
  (env as unknown as { resetLoggedPropertyAccesses(): void }).resetLoggedPropertyAccesses();
  const key = `${property}\u0000${rendering}`;
  if (warned.has(key)) return;
  if (warned.size >= 10_000) warned.clear();
  warned.add(key);
  warn({
    template: rendering.slice(0, 200),
    property,
    message: `template reads "${property}", which is not an own property of its parent: rendered empty (prototype access is denied)`,
  });
};

const escapers = Object.fromEntries(
  (['none', 'slack', 'discord', 'html'] as const).map((mode) => {
    const escape = escapeFor(mode);
    return [mode, (value: unknown) => escape(stringify(value))];
  }),
) as Record<EscapeMode, (value: unknown) => string>;

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

export interface RenderOptions {
  /** How `{{value}}` output is escaped. `{{{value}}}` is never escaped. Default `none`. */
  escape?: EscapeMode;
  /** Throw on a reference to a missing variable instead of rendering it empty. */
  strict?: boolean;
  /** Longest output, in characters. Default 100,000. */
  maxOutputLength?: number;
}

export interface TemplateProblem {
  message: string;
  line?: number;
  column?: number;
  /** In a JSON template, the path of the leaf. */
  path?: string;
}

type Ast = hbs.AST.Program;
type ProgramFn = (this: unknown, container: Container, ...rest: unknown[]) => string;

function locate(error: unknown, source: string): { line?: number; column?: number } {
  const e = error as { lineNumber?: number; column?: number; message?: string };
  if (typeof e.lineNumber === 'number') return { line: e.lineNumber, column: typeof e.column === 'number' ? e.column + 1 : undefined };
  const message = e.message ?? '';
  const lineMatch = /on line (\d+)/.exec(message);
  if (!lineMatch) return {};
  const line = Number(lineMatch[1]);
  // Jison shows the input up to the error, then a caret: find that tail in the source line.
  const [, excerpt = '', caret = ''] = message.split('\n');
  const tail = excerpt.slice(0, caret.indexOf('^')).replace(/^\.\.\./, '');
  const sourceLine = source.split('\n')[line - 1] ?? '';
  const at = tail ? sourceLine.lastIndexOf(tail) : -1;
  return { line, column: at >= 0 ? at + tail.length + 1 : undefined };
}

function describe(error: unknown): string {
  const message = (error as Error).message ?? String(error);
  const first = message.split('\n');
  return first.length > 2 ? `${first[0]} ${first[3] ?? ''}`.trim() : message.replace(/ - \d+:\d+$/, '');
}

const CACHE_LIMIT = 1000;
/** Compiled templates per escape mode and strictness, keyed by source. */
const caches = new Map<string, Map<string, TemplateDelegate>>();

function parse(source: string): Ast {
  try {
    return env.parse(source);
  } catch (error) {
    throw new TemplateError('template_syntax', `Template syntax error: ${describe(error)}`, locate(error, source), { cause: error });
  }
}

/** Compiles (once per source, escape mode and strictness) to a Handlebars function. Throws `TemplateError`. */
export function compileTemplate(source: string, strict = false, mode: EscapeMode = 'none'): TemplateDelegate {
  const cacheKey = mode + (strict ? ':strict' : '');
  let cache = caches.get(cacheKey);
  if (!cache) caches.set(cacheKey, (cache = new Map()));
  const cached = cache.get(source);
  if (cached) return cached;
  const compiled = compileWithEscaping(parse(source), strict, mode);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(source, compiled);
  return compiled;
}

function run(template: TemplateDelegate, source: string, context: unknown): string {
  const outer = rendering;
  rendering = source;
  try {
    // Prototype access stays at Handlebars' default: denied.
    return template(context);
  } catch (error) {
    if (error instanceof TemplateError) throw error;
    const where = locate(error, source);
    let message = describe(error);
    if (/ not defined in /.test(message) && where.line && where.column) {
      // Handlebars names only the last segment; name the whole path the user wrote.
      const path = /^[^\s}()]+/.exec((source.split('\n')[where.line - 1] ?? '').slice(where.column - 1))?.[0];
      if (path) message = `"${path}" is not defined (line ${where.line}, column ${where.column})`;
    }
    throw new TemplateError('template_render', `Template error: ${message}`, where, { cause: error });
  } finally {
    rendering = outer;
  }
}

function bounded(output: string, max: number): string {
  if (output.length > max) {
    throw new TemplateError('template_output_too_large', `Template output is ${output.length} characters; the limit is ${max}`);
  }
  return output;
}

/** Renders a text template. `{{x}}` is escaped for `options.escape`; objects render as JSON. */
export function renderTemplate(source: string, context: unknown, options: RenderOptions = {}): string {
  const output = run(compileTemplate(source, options.strict, options.escape), source, context);
  return bounded(output, options.maxOutputLength ?? 100_000);
}

const SINGLE_EXPRESSION = /^\{\{(?![#/^!>&{])\s*([^{}]+?)\s*\}\}$/;

/**
 * Renders `{{expr}}` alone and returns its value with its type (a number stays a
 * number). Used for JSON template leaves that are exactly one expression.
 */
export function evaluateExpression(expression: string, context: unknown, options: RenderOptions = {}): unknown {
  const trimmed = expression.trim();
  // A helper call (`number x 2`) becomes a sub-expression so its result, not its parts, is captured.
  const inner = /\s/.test(trimmed) && !trimmed.startsWith('(') ? `(${trimmed})` : trimmed;
  const source = `{{${CAPTURE_HELPER} ${inner}}}`;
  captured = undefined;
  run(compileTemplate(source, options.strict), source, context);
  const value = captured;
  captured = undefined;
  return value;
}

/** The expression inside a leaf like `"{{event.data.score}}"`, or undefined for any other text. */
export function singleExpression(leaf: string): string | undefined {
  const match = SINGLE_EXPRESSION.exec(leaf);
  return match ? match[1] : undefined;
}

/** Problems in a template, without rendering it: for editors (n8n and Zapier fields). */
export function validateTemplate(source: string): TemplateProblem[] {
  try {
    env.parse(source);
    return [];
  } catch (error) {
    return [{ message: describe(error), ...locate(error, source) }];
  }
}
