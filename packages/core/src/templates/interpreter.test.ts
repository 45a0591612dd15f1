import fc from 'fast-check';
import { compiledTemplates } from './compiled';
import { interpretTemplates, type TemplateCompiler } from './engine';
import type { EscapeMode } from './escape';
import { parseTemplate } from './interpreter';

/** Renders with one renderer; an error becomes `{ threw }` so both sides can be compared. */
function render(compiler: TemplateCompiler, source: string, context: unknown, strict: boolean, mode: EscapeMode): string | { threw: true } {
  try {
    // A fresh AST each time: Handlebars' compiler rewrites parts of the tree it is given.
    return String(compiler(parseTemplate(source), strict, mode)(context));
  } catch {
    return { threw: true };
  }
}

const MODES: EscapeMode[] = ['none', 'slack', 'discord', 'html'];

// Leaves that exercise escaping, truthiness, numbers and JSON rendering.
const leaf = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', 'B', ' ', '<', '>', '&', '"', "'", '*', '_', '~', '`', '@', '=', 'é', '\n') }),
  fc.integer({ min: -5, max: 2000 }),
  fc.constantFrom(0, 1, 1.5, true, false, null, '', 'x'),
);
const context = fc
  .record({
    a: leaf,
    n: fc.integer({ min: -3, max: 5 }),
    s: leaf,
    flag: fc.boolean(),
    b: fc.record({ c: leaf, d: fc.array(leaf, { maxLength: 3 }) }),
    list: fc.array(fc.record({ name: leaf, n: fc.integer({ min: 0, max: 3 }) }), { maxLength: 3 }),
    obj: fc.dictionary(fc.constantFrom('x', 'y', 'z'), leaf, { maxKeys: 3 }),
    empty: fc.constant([]),
  })
  .map((value) => JSON.parse(JSON.stringify(value)) as unknown); // plain objects, as parsed webhook payloads are

const TOP_PATHS = [
  'a',
  'n',
  's',
  'flag',
  'b',
  'b.c',
  'b.d',
  'list',
  'obj',
  'obj.x',
  'empty',
  'missing',
  'b.missing',
  'this',
  '@root.n',
  '@root.b.c',
  'b.c.length',
  's.length',
  'constructor',
  'b.__proto__',
  'list.length',
  './a',
  'this.n',
];
const INNER_PATHS = [
  'name',
  'n',
  '../n',
  '../a',
  '@index',
  '@key',
  '@first',
  '@last',
  'this',
  '.',
  'x',
  '../../s',
  '@../index',
  'item',
  'i',
];
const HELPERS_1 = ['upper', 'lower', 'not', 'json', 'default', 'truncate', 'number', 'join', 'lookup'];
const HELPERS_2 = ['eq', 'ne', 'gt', 'lt', 'gte', 'lte', 'and', 'or', 'default', 'pluralize', 'truncate', 'lookup'];

const text = fc
  .string({ unit: fc.constantFrom('a', ' ', '\n', '-', '<', '&', '.', ':', '}', '{') })
  .map((t) => t.replace(/\{\{|\{$/g, '('));

/** A template grammar over what our templates use; `inner` adds the paths that only make sense inside blocks. */
const template = fc.letrec<{ expr: string; statement: string; program: string }>((tie) => {
  const path = fc.constantFrom(...TOP_PATHS, ...INNER_PATHS);
  const literal = fc.oneof(fc.constantFrom('"x"', "'<b>'", '1', '0', '2.5', 'true', 'false', 'null', 'undefined', '"a b"'));
  const expr = fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    path,
    literal,
    fc.tuple(fc.constantFrom(...HELPERS_1), tie('expr')).map(([h, a]) => `(${h} ${a})`),
    fc.tuple(fc.constantFrom(...HELPERS_2), tie('expr'), tie('expr')).map(([h, a, b]) => `(${h} ${a} ${b})`),
  );
  const hash = fc.option(fc.constantFrom(' includeZero=true', ' length=3', ' ellipsis="~"', ' indent=2', ' omitCount=true'), { nil: '' });
  const ws = fc.constantFrom('', '~');
  const body = tie('program');
  const elseBranch = fc.option(
    body.map((p) => `{{else}}${p}`),
    { nil: '' },
  );
  const statement = fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    fc.tuple(ws, path, ws).map(([l, p, r]) => `{{${l}${p}${r}}}`),
    path.map((p) => `{{{${p}}}}`),
    path.map((p) => `{{& ${p}}}`),
    fc.tuple(fc.constantFrom(...HELPERS_1), expr, hash).map(([h, a, x]) => `{{${h} ${a}${x}}}`),
    fc.tuple(fc.constantFrom(...HELPERS_2), expr, expr, hash).map(([h, a, b, x]) => `{{${h} ${a} ${b}${x}}}`),
    fc.constantFrom('{{!-- note --}}', '{{! c }}', '{{upper}}', '{{json}}', '{{nohelper a}}', '{{"a"}}', '{{1}}'),
    fc
      .tuple(fc.constantFrom('if', 'unless'), expr, hash, body, elseBranch)
      .map(([b, e, x, p, el]) => `{{#${b} ${e}${x}}}${p}${el}{{/${b}}}`),
    fc.tuple(expr, body, expr, body, body).map(([e, p, e2, p2, p3]) => `{{#if ${e}}}${p}{{else if ${e2}}}${p2}{{else}}${p3}{{/if}}`),
    fc
      .tuple(fc.constantFrom('list', 'b.d', 'obj', 'empty', 'a', 'missing', 'this'), body, elseBranch)
      .map(([e, p, el]) => `{{#each ${e}}}${p}${el}{{/each}}`),
    fc.tuple(fc.constantFrom('list', 'b.d', 'obj'), body).map(([e, p]) => `{{#each ${e} as |item i|}}${p}{{/each}}`),
    fc.tuple(fc.constantFrom('b', 'obj', 'missing', 'a', 'list'), body, elseBranch).map(([e, p, el]) => `{{#with ${e}}}${p}${el}{{/with}}`),
    fc
      .tuple(fc.constantFrom('b', 'list', 'flag', 'missing', 'n', 'empty', 'b.c', 's'), body, elseBranch)
      .map(([e, p, el]) => `{{#${e}}}${p}${el}{{/${e}}}`),
    fc.tuple(fc.constantFrom('list', 'obj', 'b'), body).map(([e, p]) => `{{^${e}}}${p}{{/${e}}}`),
  );
  const program = fc.array(statement, { maxLength: 4 }).map((parts) => parts.join(''));
  return { expr, statement, program };
}).program;

describe('the interpreter renders exactly what compiled Handlebars renders', () => {
  test('property: generated templates and contexts, every escape mode, strict and not', () => {
    fc.assert(
      fc.property(template, context, fc.constantFrom(...MODES), fc.boolean(), (source, ctx, mode, strict) => {
        let ok = true;
        try {
          parseTemplate(source);
        } catch {
          ok = false; // not a template: both sides refuse it at parse time, which the engine reports the same way
        }
        fc.pre(ok);
        const compiled = render(compiledTemplates, source, ctx, strict, mode);
        const interpreted = render(interpretTemplates, source, ctx, strict, mode);
        expect({ source, out: interpreted }).toEqual({ source, out: compiled });
      }),
      {
        numRuns: Number(process.env.INTERPRETER_RUNS ?? 3000),
        // Found by this property (a run of numbers between two blocks): always checked from now on.
        examples: [
          [
            '{{#b}}{{/b}}{{{a}}}{{& a}}{{#b}}{{/b}}',
            JSON.parse('{"a":0,"n":0,"s":"","flag":false,"b":{"c":0,"d":[]},"list":[],"obj":{},"empty":[]}') as unknown,
            'none',
            false,
          ],
          [
            '{{#each list as |item i|}}{{/each}}{{{a}}}{{& a}}{{#each list}}{{/each}}',
            JSON.parse('{"a":0,"n":0,"s":0,"flag":false,"b":{"c":0,"d":[]},"list":[],"obj":{},"empty":[]}') as unknown,
            'none',
            false,
          ],
        ],
      },
    );
  });

  test.each([
    ['{{{a}}}{{{a}}}', '2', 'a run alone is one sum'],
    ['{{#b}}{{/b}}{{{a}}}{{{a}}}{{#b}}{{/b}}', '2', 'a run before a block is summed, then added to the buffer'],
    ['{{#b}}{{/b}}{{{a}}}{{{a}}}', '11', 'the last run is added to the buffer left to right'],
    ['{{{a}}}{{{a}}}{{#b}}{{/b}}{{{a}}}', '21', 'a run first starts the buffer as its sum'],
    ['{{#each list}}{{/each}}{{{a}}}{{{a}}}{{#each list}}{{/each}}', '11', "a known helper's block is part of the run"],
  ])('numbers join as the code Handlebars generates joins them: %s renders %s (%s)', (source, expected) => {
    const ctx = { a: 1, b: {}, list: [] };
    expect(render(compiledTemplates, source, ctx, false, 'none')).toBe(expected);
    expect(render(interpretTemplates, source, ctx, false, 'none')).toBe(expected);
  });

  test.each([
    ['{{#each list}}{{@index}}:{{name}}/{{../n}}{{#if @first}}^{{/if}}{{#if @last}}${{/if}} {{/each}}', 'paths in loops'],
    ['{{#each obj}}{{@key}}={{this}};{{else}}none{{/each}}', 'objects and else'],
    ['{{#with b}}{{c}} {{../a}} {{#each d}}[{{.}}|{{../c}}|{{../../n}}]{{/each}}{{/with}}', 'nested depths'],
    ['{{#each list as |item i|}}{{i}}={{item.name}} {{#each ../b.d as |v|}}{{v}}{{item.n}}{{/each}}{{/each}}', 'block params'],
    ['{{json b indent=2}} {{truncate s 3 ellipsis="…"}} {{number n 1}} {{pluralize n "point"}} {{default missing "none"}}', 'helpers'],
    ['{{#if (and flag (gt n 1))}}yes{{else if (eq s "x")}}x{{else}}no{{/if}} {{lookup obj "x"}} {{lookup list 0}}', 'conditions'],
    ['  {{#if flag}}\n  in\n  {{/if}}\n{{~a~}}  |  {{{s}}} {{&s}} {{s}}', 'whitespace control and escaping'],
    ['{{#list}}<{{name}}>{{/list}}{{^empty}}empty{{/empty}}{{#flag}}F{{/flag}}{{#b}}{{c}}{{/b}}', 'blocks over values'],
  ])('%s (%s)', (source) => {
    const ctx = {
      a: 'A&<b>',
      n: 2,
      s: 'x',
      flag: true,
      b: { c: 'C*', d: [1, 'two'] },
      list: [
        { name: 'one', n: 1 },
        { name: 'two', n: 0 },
      ],
      obj: { x: 'X', y: null },
      empty: [],
    };
    for (const mode of MODES) {
      for (const strict of [false, true])
        expect(render(interpretTemplates, source, ctx, strict, mode)).toEqual(render(compiledTemplates, source, ctx, strict, mode));
    }
    expect(render(interpretTemplates, source, ctx, false, 'none')).not.toEqual({ threw: true });
  });
});
