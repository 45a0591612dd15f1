import { TemplateError } from '../errors';
import { getProvider } from '../providers';
import { eventFromPayload } from '../verify';
import {
  onTemplateWarning,
  renderTemplate,
  type TemplateWarning,
  renderJsonTemplate,
  parseJsonTemplate,
  validateTemplate,
  validateJsonTemplate,
  templateContext,
  digestEvent,
  neutralizeSlackMentions,
  neutralizeDiscordMentions,
  escapeFor,
} from '.';
import fc from 'fast-check';
import { interpretTemplates, useTemplateCompiler } from './engine';
import { compiledTemplates } from './compiled';

const trakkr = eventFromPayload('trakkr', getProvider('trakkr').samplePayload('visibility_changed'));
const trackscore = eventFromPayload('trackscore', getProvider('trackscore').samplePayload('score.updated'));
const ctx = templateContext(trakkr);

function templateError(fn: () => unknown): TemplateError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TemplateError);
    return e as TemplateError;
  }
  throw new Error('no TemplateError');
}

// The behaviour suite runs on both renderers: compiled Handlebars (Node) and the interpreter (n8n).
describe.each([
  ['compiled Handlebars', compiledTemplates],
  ['the interpreter', interpretTemplates],
] as const)('rendered by %s', (name, renderer) => {
  beforeAll(() => useTemplateCompiler(renderer));
  afterAll(() => useTemplateCompiler(compiledTemplates));

  describe(`JSON templates (Trakkr's webhook docs "Payload Templating")`, () => {
    test("Trakkr's documented example renders with types kept for single-expression leaves", () => {
      const template = parseJsonTemplate(
        '{"text": "Alert: {{brand.name}} visibility changed!", "score": "{{event.data.current_score}}", "change": "{{event.data.change_percent}}%"}',
      );
      expect(renderJsonTemplate(template, ctx)).toEqual({ text: 'Alert: Acme Coffee visibility changed!', score: 51, change: '21.4%' });
    });

    test("every Trakkr's webhook docs variable resolves, for every provider", () => {
      const source =
        '{{brand.id}}|{{brand.name}}|{{brand.website}}|{{event.type}}|{{event.data.current_score}}|{{summary}}|{{workflow.name}}|{{timestamp}}|{{provider}}|{{event.id}}';
      expect(renderTemplate(source, ctx)).toBe(
        '4f7c2a9e-1b3d-4e8f-9a6b-2c5d7e9f1a3b|Acme Coffee|https://acme-coffee.example|visibility_changed|51|Acme Coffee visibility increased 21.4% (42 → 51)||2025-06-09T10:30:00.000Z|trakkr|evt_01j9z3k4m5n6p7q8',
      );
      expect(renderTemplate('{{brand.name}}: {{event.type}} {{event.data.new_score}} {{summary}}', templateContext(trackscore))).toBe(
        'TrackScore: score.updated 950 pt_555666777 scored 850 → 950 (rank 5 → 3)',
      );
    });

    test('values with quotes, newlines and braces still give valid JSON with the written structure', () => {
      const evil = { ...ctx, brand: { id: 'x', name: '"}, "admin": true, {"\n\\' } };
      const out = renderJsonTemplate({ a: 'Hi {{brand.name}}', nested: ['{{brand.name}}', { n: 1 }] }, evil);
      expect(JSON.parse(JSON.stringify(out))).toEqual({
        a: 'Hi "}, "admin": true, {"\n\\',
        nested: ['"}, "admin": true, {"\n\\', { n: 1 }],
      });
    });

    test('a missing single-expression leaf becomes null; objects stay objects', () => {
      expect(renderJsonTemplate({ x: '{{nope}}', brand: '{{brand}}' }, ctx)).toEqual({ x: null, brand: ctx.brand });
    });

    test('a broken leaf names its path, line and column', () => {
      const error = templateError(() => renderJsonTemplate({ blocks: [{ text: 'ok' }, { text: 'Hi\n{{#if x}} never closed' }] }, ctx));
      expect(error.code).toBe('template_syntax');
      expect(error.path).toBe('blocks[1].text');
      expect(error.line).toBe(2);
    });

    test('invalid JSON in a JSON template is a TemplateError with a position', () => {
      const error = templateError(() => parseJsonTemplate('{\n  "a": "x",\n  oops\n}'));
      expect(error.code).toBe('template_syntax');
      expect(error.line).toBe(3);
    });
  });

  describe('text templates', () => {
    test('strict mode: a missing variable is a TemplateError with line and column', () => {
      const error = templateError(() => renderTemplate('line one\n  {{event.data.missing.deep}}', ctx, { strict: true }));
      expect(error).toMatchObject({ code: 'template_render', line: 2, column: 5 }); // column of `event`
      expect(error.message).toContain('"event.data.missing.deep" is not defined (line 2, column 5)');
      expect(renderTemplate('[{{event.data.missing}}]', ctx)).toBe('[]');
    });

    test('syntax errors carry line and column; validateTemplate reports without rendering', () => {
      const error = templateError(() => renderTemplate('Hello {{name', ctx));
      expect(error.code).toBe('template_syntax');
      expect(error.line).toBe(1);
      expect(validateTemplate('fine {{x}}')).toEqual([]);
      expect(validateTemplate('a\nb {{#each x}}')).toEqual([expect.objectContaining({ line: 2 })]);
      expect(validateJsonTemplate({ a: ['{{ok}}', '{{/bad}}'] })).toEqual([expect.objectContaining({ path: 'a[1]' })]);
    });

    test('an unknown helper is a render error naming it', () => {
      expect(templateError(() => renderTemplate('{{shout brand.name}}', ctx)).message).toContain('shout');
    });

    test('output size is bounded', () => {
      expect(templateError(() => renderTemplate('{{#each data}}{{json ../raw}}{{/each}}', ctx, { maxOutputLength: 100 })).code).toBe(
        'template_output_too_large',
      );
    });

    test('prototype access is denied', () => {
      expect(renderTemplate('{{constructor.name}}{{__proto__}}{{brand.constructor}}', ctx)).toBe('');
      expect(renderTemplate('{{#with brand}}{{lookup this "constructor"}}{{/with}}', ctx)).toBe('');
    });

    test('a denied property is reported to the warning handler once per template, never to stderr on every render', () => {
      const warnings: TemplateWarning[] = [];
      const stderr = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      onTemplateWarning((w) => warnings.push(w));
      try {
        const a = `{{brand.name}} {{brand.name.toUpperCase}} (a, ${name})`;
        const b = `{{brand.name.toUpperCase}} (b, ${name})`;
        for (let i = 0; i < 5; i++) {
          renderTemplate(a, ctx);
          renderTemplate(b, ctx);
        }
        expect(warnings.map((w) => [w.template, w.property])).toEqual([
          [a, 'toUpperCase'],
          [b, 'toUpperCase'],
        ]);
        expect(warnings[0]!.message).toContain('not an own property');
        expect(stderr).not.toHaveBeenCalled();
      } finally {
        stderr.mockRestore();
        onTemplateWarning(() => undefined);
      }
    });

    test('every render of a cached template behaves like the first (the runtime set-up is reused, not weakened)', () => {
      const source =
        '{{constructor.name}}{{#with brand}}{{lookup this "constructor"}}{{name}}/{{@root.event.type}}{{/with}}{{upper brand.name}}';
      const first = renderTemplate(source, ctx);
      expect(first).toBe(`${ctx.brand.name}/visibility_changed${ctx.brand.name.toUpperCase()}`);
      for (let i = 0; i < 3; i++) expect(renderTemplate(source, ctx)).toBe(first);
      const other = { ...ctx, brand: { ...ctx.brand, name: 'Other' } };
      expect(renderTemplate(source, other)).toBe('Other/visibility_changedOTHER');
      // Strict mode and unknown helpers still fail on later renders.
      for (let i = 0; i < 2; i++) {
        expect(templateError(() => renderTemplate('{{brand.nope}}', ctx, { strict: true })).code).toBe('template_render');
        expect(templateError(() => renderTemplate('{{shout brand.name}}', ctx)).message).toContain('shout');
      }
    });

    test.each([
      ['{{json event.data.direction}}', '"increased"'],
      ['{{default workflow.name "no workflow"}}', 'no workflow'],
      ['{{#if (eq event.type "visibility_changed")}}yes{{/if}}', 'yes'],
      ['{{#if (ne event.type "x")}}yes{{/if}}', 'yes'],
      ['{{#if (gt event.data.current_score 50)}}high{{/if}}', 'high'],
      ['{{#if (lt event.data.current_score 50)}}low{{else}}not low{{/if}}', 'not low'],
      ['{{#if (and brand.name (not workflow))}}ok{{/if}}', 'ok'],
      ['{{#if (or workflow brand)}}ok{{/if}}', 'ok'],
      ['{{upper brand.name}} {{lower brand.name}}', 'ACME COFFEE acme coffee'],
      ['{{truncate summary 12}}', 'Acme Coffee…'],
      ['{{number 1234567.891}}', '1,234,567.89'],
      ['{{number 1234567.891 1 locale="de-DE"}}', '1.234.567,9'],
      ['{{number 0.214 style="percent"}}', '21.4%'],
      ['{{date timestamp "iso"}}', '2025-06-09T10:30:00.000Z'],
      ['{{date timestamp "datetime" tz="America/New_York"}}', 'Jun 9, 2025, 6:30 AM'],
      ['{{date timestamp "date" tz="Asia/Tokyo"}}', 'Jun 9, 2025'],
      ['{{pluralize 1 "point"}} / {{pluralize 3 "point"}} / {{pluralize 2 "person" "people"}}', '1 point / 3 points / 2 people'],
      ['{{join (lookup raw "nope") ", "}}|{{join tags " · "}}', '|a · b'],
    ])('helper: %s', (source, expected) => {
      expect(renderTemplate(source, { ...ctx, tags: ['a', 'b'] })).toBe(expected);
    });
  });

  describe('escaping per destination', () => {
    const context = { name: 'Tom & <Jerry> *bold* @everyone <!channel>' };
    test('slack escapes &, <, > only; triple-stash opts out', () => {
      expect(renderTemplate('{{name}}', context, { escape: 'slack' })).toBe('Tom &amp; &lt;Jerry&gt; *bold* @everyone &lt;!channel&gt;');
      expect(renderTemplate('{{{name}}}', context, { escape: 'slack' })).toBe(context.name);
    });
    test('discord escapes markdown and breaks mass mentions', () => {
      const out = renderTemplate('{{name}}', context, { escape: 'discord' });
      expect(out).toContain('\\*bold\\*');
      expect(out).not.toMatch(/@everyone/);
      expect(out).toContain('@\u200beveryone');
    });
    test('json and none leave values alone (no HTML entities)', () => {
      expect(renderTemplate(`{{name}} "quoted" it's`, context)).toBe(`${context.name} "quoted" it's`);
    });
    test('Slack special mentions written into a template are neutralised', () => {
      expect(neutralizeSlackMentions('hey <!channel> and <!here|here> and <@U123>')).toBe(
        'hey &lt;!channel&gt; and &lt;!here|here&gt; and &lt;@U123&gt;',
      );
    });
  });
});

describe('digestEvent', () => {
  test('pairs old/new values, including nested rank_change', () => {
    const d = digestEvent(trackscore);
    expect(d.title).toBe('Score Updated · pt_555666777');
    expect(d.fields).toEqual([
      { name: 'Leaderboard Id', value: 'lb_987654321' },
      { name: 'Participant Id', value: 'pt_555666777' },
      { name: 'Score', value: '850 → 950' },
      { name: 'Rank', value: '5 → 3' },
    ]);
    expect(digestEvent(trakkr).fields[0]).toEqual({ name: 'Score', value: '42 → 51' });
  });
  test('finds a link for the button', () => {
    const report = eventFromPayload('trakkr', getProvider('trakkr').samplePayload('report_completed'));
    expect(digestEvent(report).url).toBe('https://app.trakkr.example/reports/rpt_8d2f61');
  });
});

describe('escapers: the fast path (no special character) changes nothing', () => {
  // The plain replace chains, kept here as the reference the quick-test versions must equal.
  const reference = {
    slack: (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
    html: (t: string) =>
      t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'),
    discord: (t: string) => neutralizeDiscordMentions(t.replace(/([\\*_~`|[\]])/g, '\\$1').replace(/^([#>-])/gm, '\\$1')),
  };
  const text = fc.oneof(fc.string(), fc.stringMatching(/^[a-z &<>"'@#*_~`|[\]\\\n\r\u2028>-]{0,40}$/));
  test.each(['slack', 'html', 'discord'] as const)('%s equals the reference on any text', (mode) => {
    const escape = escapeFor(mode);
    fc.assert(fc.property(text, (t) => expect(escape(t)).toBe(reference[mode](t))));
  });
});
