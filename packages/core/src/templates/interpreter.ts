/**
 * A Handlebars interpreter: renders the AST of Handlebars' own parser without generating
 * code, for hosts that refuse `new Function` (n8n's community-node rules). It follows the
 * runtime of Handlebars 4.7 for everything our templates use — paths (`a.b`, `../`, `this`,
 * `@root`, `@index`/`@key`/`@first`/`@last`, block params), helpers with params, hash and
 * sub-expressions, `#if`/`#unless`/`#each`/`#with`/`lookup`/`log`, blocks over values
 * (`{{#items}}`), `{{else}}` chains, triple-stash, strict mode and prototype-access denial —
 * and a property test renders generated templates both ways and compares (interpreter.test.ts).
 * Partials and decorators are not supported (templates are single, user-written strings).
 */
// Handlebars' parser alone (no compiler, no runtime): pure, as the bundle scan requires.
import { parse as parseHandlebars } from 'handlebars/dist/cjs/handlebars/compiler/base';

type Node = hbs.AST.Node;
type Program = hbs.AST.Program;
type Expression = hbs.AST.Expression;
type PathExpression = hbs.AST.PathExpression;
type Call = hbs.AST.MustacheStatement | hbs.AST.BlockStatement | hbs.AST.SubExpression;

export type Helper = (this: unknown, ...args: unknown[]) => unknown;

/** What a render needs from its caller: helpers, how `{{x}}` is escaped, strictness, and where a denied property is reported. */
export interface InterpretOptions {
  helpers: Readonly<Record<string, Helper>>;
  escape: (value: unknown) => string;
  strict: boolean;
  onDeniedProperty?: (property: string) => void;
}

/** Thrown as Handlebars throws: a message, and the line and column when the node has them. */
export class TemplateRuntimeError extends Error {
  readonly lineNumber?: number;
  readonly column?: number;
  constructor(message: string, node?: Node) {
    const start = node?.loc?.start;
    super(start ? `${message} - ${start.line}:${start.column}` : message);
    this.name = 'Error';
    if (start) {
      this.lineNumber = start.line;
      this.column = start.column;
    }
  }
}

export function parseTemplate(source: string): Program {
  return parseHandlebars(source) as Program;
}

interface Frame {
  [key: string]: unknown;
  _parent?: Frame;
}

/** The block params in scope: names declared by a program, and the values its call passed. */
interface ParamScope {
  names: readonly string[];
  values: readonly unknown[];
  outer?: ParamScope;
}

interface Scope {
  /** depths[0] is the current context, depths[n] the one `n` levels of `../` up. */
  depths: unknown[];
  data: Frame;
  params?: ParamScope;
}

const hasOwn = Object.prototype.hasOwnProperty;
/** Handlebars' `nullContext`: what helpers get as `this` when the context is null or undefined. */
const NULL_CONTEXT = Object.seal({});
const thisFor = (context: unknown) => (context != null ? context : NULL_CONTEXT);
// Handlebars' default prototype-access lists: these are refused silently, anything else inherited is refused and reported.
const silentlyDenied = new Set([
  '__proto__',
  'constructor',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
]);

function isEmpty(value: unknown): boolean {
  return (!value && value !== 0) || (Array.isArray(value) && value.length === 0);
}

/** `{{"name"}}`, `{{1}}` and `{{true}}` look up a property of that name, as Handlebars' compiler rewrites them. */
function asPath(expression: Expression): PathExpression {
  if ('parts' in expression) return expression as PathExpression;
  const original = String((expression as hbs.AST.StringLiteral).original ?? (expression as hbs.AST.StringLiteral).value);
  return { type: 'PathExpression', data: false, depth: 0, parts: [original], original, loc: expression.loc };
}

const isScoped = (path: PathExpression) => /^\.|this\b/.test(path.original);
const isSimpleId = (path: PathExpression) => path.parts.length === 1 && !isScoped(path) && !path.depth;

/** Helpers Handlebars resolves when compiling (its default `knownHelpers`). */
const KNOWN_HELPERS = new Set(['helperMissing', 'blockHelperMissing', 'each', 'if', 'unless', 'with', 'log', 'lookup']);

export class Interpreter {
  private readonly helpers: Record<string, Helper>;

  constructor(private readonly options: InterpretOptions) {
    // No prototype: `{{constructor}}` or `{{__proto__}}` must not find Object's members as helpers.
    this.helpers = Object.assign(Object.create(null) as Record<string, Helper>, builtins(), options.helpers);
  }

  /** The program's output as compiled Handlebars returns it (see `program`); callers turn it into a string. */
  render(program: Program, context: unknown): unknown {
    return this.program(program, { depths: [context], data: { root: context } });
  }

  /** Handlebars' `lookupProperty`: own properties, nothing inherited (prototype access is denied). */
  lookupProperty = (parent: unknown, name: string): unknown => {
    const value = (parent as Record<string, unknown>)[name];
    if (value == null) return value;
    if (hasOwn.call(parent, name) && !(name === 'constructor' && typeof value === 'function' && parent === value.prototype)) return value;
    if (!silentlyDenied.has(name)) this.options.onDeniedProperty?.(name);
    return undefined;
  };

  /**
   * Joins the statements' outputs with JavaScript's `+`, as the code Handlebars generates does
   * (its `mergeSource`): statements are one expression (`a + b`) up to a block Handlebars cannot
   * resolve when compiling (`{{#name}}`, see `addsToBuffer`), which adds that run to the buffer as
   * one sum (`buffer += a + b`, or starts the buffer with it when nothing came before), then its
   * own output unless null; the last run is returned left to right (`return buffer + a + b`), or
   * alone in a program without such blocks (`return a + b`). So adjacent unescaped numbers add up
   * (`{{{a}}}{{{b}}}` with 1 and 2 renders "3") unless the buffer's string comes first — kept, so
   * both renderers agree.
   */
  private program(program: Program, scope: Scope): unknown {
    // One statement (Handlebars' `isSimple`): its output itself.
    if (program.body.length === 1) return this.statement(program.body[0]!, scope);
    let buffer: unknown; // defined once such a block was seen (every output is null-free: '' at least)
    let run: unknown; // this run's sum (`a + b`), defined once the run has a statement
    let tail: unknown; // the buffer, then this run added left to right: `buffer + a + b`
    for (const statement of program.body) {
      // Comments and content emptied by whitespace control add nothing, not even an empty string.
      if (statement.type === 'CommentStatement') continue;
      if (statement.type === 'ContentStatement' && !(statement as hbs.AST.ContentStatement).value) continue;
      if (statement.type !== 'BlockStatement' || !this.addsToBuffer(statement as hbs.AST.BlockStatement, scope)) {
        const piece = this.statement(statement, scope);
        run = run === undefined ? piece : (run as string) + (piece as string);
        if (buffer !== undefined) tail = (tail as string) + (piece as string);
        continue;
      }
      if (buffer === undefined) buffer = run ?? '';
      else if (run !== undefined) buffer = (buffer as string) + (run as string);
      run = undefined;
      const value = this.call(statement as hbs.AST.BlockStatement, scope);
      if (value != null) buffer = (buffer as string) + (value as string);
      tail = buffer;
    }
    if (buffer !== undefined) return tail;
    return run ?? '';
  }

  /**
   * `{{#name}}` with no arguments, where `name` is neither one of Handlebars' known helpers nor a
   * block parameter: a helper or a value, known only when rendering. Handlebars' code for it adds
   * its output to the buffer itself; every other block is an expression like a mustache.
   */
  private addsToBuffer(block: hbs.AST.BlockStatement, scope: Scope): boolean {
    const path = asPath(block.path as Expression);
    return (
      isSimpleId(path) &&
      block.params.length === 0 &&
      !block.hash &&
      !KNOWN_HELPERS.has(path.parts[0]!) &&
      this.blockParam(scope.params, path.parts[0]!) === undefined
    );
  }

  private statement(node: hbs.AST.Statement, scope: Scope): unknown {
    switch (node.type) {
      case 'ContentStatement':
        return (node as hbs.AST.ContentStatement).value;
      case 'CommentStatement':
        return '';
      case 'BlockStatement': {
        const value = this.call(node as hbs.AST.BlockStatement, scope);
        return value == null ? '' : value;
      }
      case 'MustacheStatement': {
        const mustache = node as hbs.AST.MustacheStatement;
        const value = this.call(mustache, scope);
        if (mustache.escaped) return this.options.escape(value);
        return value == null ? '' : value;
      }
      default:
        throw new TemplateRuntimeError(`${node.type.replace('Statement', '').toLowerCase()}s are not supported in templates`, node);
    }
  }

  /** A mustache, block or sub-expression: a helper call, a value, or (for blocks) a value deciding the block. */
  private call(node: Call, scope: Scope): unknown {
    const path = asPath(node.path as Expression);
    const block = node.type === 'BlockStatement' ? (node as hbs.AST.BlockStatement) : undefined;
    const simple = isSimpleId(path);
    const blockParam = simple && this.blockParam(scope.params, path.parts[0]!) !== undefined;
    const hasArguments = node.params.length > 0 || !!node.hash || node.type === 'SubExpression';
    const name = path.parts[0]!;
    if (!blockParam && hasArguments) {
      // Helper form: the helper, else a function on the context, else "Missing helper".
      const helper = simple ? this.helpers[name] : undefined;
      const fn = helper ?? this.path(path, scope, true);
      if (typeof fn !== 'function') throw new TemplateRuntimeError(`Missing helper: "${path.original}"`);
      return (fn as Helper).call(thisFor(scope.depths[0]), ...this.arguments(node, scope, path.original, block));
    }
    if (!blockParam && simple) {
      // Ambiguous `{{name}}` / `{{#name}}`: a helper of that name wins over the context's value.
      const helper = this.helpers[name];
      if (helper) return helper.call(thisFor(scope.depths[0]), this.helperOptions(node, scope, name, block));
      const value = this.path(path, scope, true);
      if (!block)
        return typeof value === 'function' ? (value as Helper).call(scope.depths[0], this.helperOptions(node, scope, name)) : value;
      return this.blockValue(value, this.helperOptions(node, scope, name, block), scope);
    }
    const value = this.path(path, scope, true);
    if (!block) return typeof value === 'function' ? (value as Helper).call(scope.depths[0], this.helperOptions(node, scope, name)) : value;
    return this.blockValue(value, this.helperOptions(node, scope, path.original, block), scope);
  }

  /** `blockHelperMissing`: a block over a plain value. */
  private blockValue(value: unknown, options: HelperOptions, scope: Scope): unknown {
    const current = scope.depths[0];
    if (typeof value === 'function') value = (value as Helper).call(current, options);
    if (value === true) return options.fn(current);
    if (value === false || value == null) return options.inverse(current);
    if (Array.isArray(value)) return value.length > 0 ? this.helpers.each!.call(current, value, options) : options.inverse(current);
    return options.fn(value, options);
  }

  private arguments(node: Call, scope: Scope, name: string, block?: hbs.AST.BlockStatement): unknown[] {
    const values = node.params.map((param) => this.expression(param, scope));
    values.push(this.helperOptions(node, scope, name, block));
    return values;
  }

  private helperOptions(node: Call, scope: Scope, name: string, block?: hbs.AST.BlockStatement): HelperOptions {
    const hash: Record<string, unknown> = {};
    for (const pair of node.hash?.pairs ?? []) hash[pair.key] = this.expression(pair.value, scope);
    return {
      name,
      hash,
      data: scope.data,
      loc: node.loc,
      lookupProperty: this.lookupProperty,
      fn: this.programFn(block?.program, scope),
      inverse: this.programFn(block?.inverse, scope),
    };
  }

  /** `options.fn` / `options.inverse`: run a program on a context, with the frame and block params the helper gives. */
  private programFn(program: Program | undefined, scope: Scope): ProgramFn {
    if (!program) return () => '';
    return (context, options) => {
      // A new context (not the same value; null and undefined count as one) is one more `../` level.
      const current = scope.depths[0];
      let depths: unknown[];
      if (context === current || (context == null && current == null)) depths = scope.depths;
      // A helper handed back Handlebars' stand-in for a null context: it becomes `this`, without a new `../` level.
      else if (context === NULL_CONTEXT && current === null) depths = [context, ...scope.depths.slice(1)];
      else depths = [context, ...scope.depths];
      const names = program.blockParams ?? [];
      const params = names.length ? { names, values: options?.blockParams ?? [], outer: scope.params } : scope.params;
      return this.program(program, { depths, data: (options?.data as Frame | undefined) ?? scope.data, params });
    };
  }

  private blockParam(params: ParamScope | undefined, name: string): { value: unknown } | undefined {
    for (let p = params; p; p = p.outer) {
      const i = p.names.indexOf(name);
      if (i >= 0) return { value: p.values[i] };
    }
    return undefined;
  }

  private expression(node: Expression, scope: Scope): unknown {
    switch (node.type) {
      case 'StringLiteral':
      case 'NumberLiteral':
      case 'BooleanLiteral':
        return (node as hbs.AST.StringLiteral).value;
      case 'UndefinedLiteral':
        return undefined;
      case 'NullLiteral':
        return null;
      case 'SubExpression':
        return this.call(node as hbs.AST.SubExpression, scope);
      case 'PathExpression':
        return this.path(node as PathExpression, scope, false);
      default:
        throw new TemplateRuntimeError(`${node.type} is not supported in templates`, node);
    }
  }

  /**
   * Resolves a path. Missing links give `undefined`; in strict mode a missing last segment
   * (`requireTerminal`: the path is what a mustache shows) throws `"x" not defined in …`.
   */
  private path(path: PathExpression, scope: Scope, requireTerminal: boolean): unknown {
    const parts = path.parts;
    let current: unknown;
    let i = 0;
    if (path.data) {
      let frame: Frame | undefined = scope.data;
      for (let d = 0; d < path.depth && frame; d++) frame = frame._parent;
      current = frame;
    } else {
      const param = !isScoped(path) && parts.length > 0 ? this.blockParam(scope.params, parts[0]!) : undefined;
      if (param) {
        current = param.value;
        i = 1;
      } else current = scope.depths[path.depth];
    }
    const strict = this.options.strict;
    for (; i < parts.length; i++) {
      if (strict && requireTerminal && i === parts.length - 1) {
        if (!current || !(parts[i]! in (current as object))) {
          throw new TemplateRuntimeError(`"${parts[i]}" not defined in ${String(current)}`, path);
        }
        current = this.lookupProperty(current, parts[i]!);
      } else if (strict) {
        current = this.lookupProperty(current, parts[i]!);
      } else {
        if (current == null) return current;
        current = this.lookupProperty(current, parts[i]!);
      }
    }
    return current;
  }
}

type ProgramFn = (context: unknown, options?: { data?: unknown; blockParams?: unknown[] }) => unknown;

interface HelperOptions {
  name: string;
  hash: Record<string, unknown>;
  data: Frame;
  loc: hbs.AST.SourceLocation;
  lookupProperty: (parent: unknown, name: string) => unknown;
  fn: ProgramFn;
  inverse: ProgramFn;
}

/** Handlebars' built-in helpers, as its runtime defines them. */
function builtins(): Record<string, Helper> {
  function ifHelper(this: unknown, ...args: unknown[]): unknown {
    const options = args.pop() as HelperOptions;
    if (args.length !== 1) throw new TemplateRuntimeError('#if requires exactly one argument');
    let conditional = args[0];
    if (typeof conditional === 'function') conditional = (conditional as Helper).call(this);
    if ((!options.hash.includeZero && !conditional) || isEmpty(conditional)) return options.inverse(this);
    return options.fn(this);
  }
  return {
    if: ifHelper,
    // `#if` with the branches swapped, as Handlebars defines it.
    unless(this: unknown, ...args: unknown[]) {
      const options = args.pop() as HelperOptions;
      if (args.length !== 1) throw new TemplateRuntimeError('#unless requires exactly one argument');
      return ifHelper.call(this, args[0], { ...options, fn: options.inverse, inverse: options.fn });
    },
    with(this: unknown, ...args: unknown[]) {
      const options = args.pop() as HelperOptions;
      if (args.length !== 1) throw new TemplateRuntimeError('#with requires exactly one argument');
      let context = args[0];
      if (typeof context === 'function') context = (context as Helper).call(this);
      if (isEmpty(context)) return options.inverse(this);
      return options.fn(context, { data: options.data, blockParams: [context] });
    },
    each(this: unknown, ...args: unknown[]) {
      const options = args.pop() as HelperOptions | undefined;
      if (!options || args.length !== 1) throw new TemplateRuntimeError('Must pass iterator to #each');
      let context = args[0];
      if (typeof context === 'function') context = (context as Helper).call(this);
      const data: Frame = { ...options.data, _parent: options.data };
      let out: unknown = '';
      let count = 0;
      const iterate = (key: string | number, index: number, last: boolean, value: unknown) => {
        data.key = key;
        data.index = index;
        data.first = index === 0;
        data.last = last;
        out = (out as string) + (options.fn(value, { data, blockParams: [value, key] }) as string);
      };
      if (context && typeof context === 'object') {
        if (Array.isArray(context)) {
          for (let i = 0; i < context.length; i++) {
            if (!(i in context)) continue;
            iterate(i, i, i === context.length - 1, context[i]);
            count++;
          }
        } else {
          const keys = Object.keys(context);
          keys.forEach((key, i) => iterate(key, i, i === keys.length - 1, (context as Record<string, unknown>)[key]));
          count = keys.length;
        }
      }
      return count === 0 ? options.inverse(this) : out;
    },
    // Positional, as Handlebars defines it: `(lookup a)` has no options in third place and fails the same way.
    lookup(object: unknown, field: unknown, options?: unknown) {
      if (!object) return object;
      return (options as HelperOptions).lookupProperty(object, field as string);
    },
    log() {
      return undefined;
    },
  };
}
