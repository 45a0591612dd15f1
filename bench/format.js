// bench/format: renders/s of a typical template and of each formatter, against raw compiled
// Handlebars and a hand-written template literal, in the same run.
const Handlebars = require('handlebars');
const core = require('@hookbridge/core');
const slack = require('@hookbridge/slack');
const discord = require('@hookbridge/discord');
const teams = require('@hookbridge/teams');
const { compare, table, fmt } = require('./harness');

const SOURCE =
  'Alert: {{brand.name}} ({{brand.website}}) {{event.type}} at {{timestamp}}: score {{event.data.previous_score}} → ' +
  '{{event.data.current_score}} ({{event.data.change_percent}}%, {{event.data.direction}}) on {{event.data.model}} — {{summary}} [{{event.id}}]';

function run({ durationMs = 150, log = console.log } = {}) {
  const profile = core.getProvider('trakkr');
  const event = core.eventFromPayload(profile, profile.samplePayload('visibility_changed'));
  const context = core.templateContext(event);
  const raw = Handlebars.create().compile(SOURCE, { noEscape: true });
  // Handlebars' default: every value through its (HTML) escapeExpression — the peer of our escaping modes.
  const rawEscaped = Handlebars.create().compile(SOURCE);
  // The same helper set registered: Handlebars copies and wraps every registered helper on each render.
  const withHelpers = Handlebars.create();
  for (const [name, fn] of Object.entries(core.helpers)) withHelpers.registerHelper(name, fn);
  const rawWithHelpers = withHelpers.compile(SOURCE, { noEscape: true });
  const literal = (c) =>
    `Alert: ${c.brand.name} (${c.brand.website}) ${c.event.type} at ${c.timestamp}: score ${c.event.data.previous_score} → ` +
    `${c.event.data.current_score} (${c.event.data.change_percent}%, ${c.event.data.direction}) on ${c.event.data.model} — ${c.summary} [${c.event.id}]`;
  // The two renderers of core, side by side: compiled Handlebars (Node) and the interpreter (n8n, no code generation).
  const compiled = core.compiledTemplates(core.parseTemplate(SOURCE), false, 'none');
  const interpreted = core.interpretTemplates(core.parseTemplate(SOURCE), false, 'none');
  if (core.renderTemplate(SOURCE, context) !== raw(context) || raw(context) !== literal(context)) throw new Error('renders differ');
  if (compiled(context) !== raw(context) || interpreted(context) !== raw(context))
    throw new Error('compiled and interpreted renders differ');

  // Results go to a sink so the optimiser cannot drop the work.
  let sink = 0;
  const keep = (s) => (sink += s.length);
  const r = compare(
    {
      'template literal (hand-written)': () => keep(literal(context)),
      'raw compiled Handlebars': () => keep(raw(context)),
      'raw compiled Handlebars + our 19 helpers': () => keep(rawWithHelpers(context)),
      'raw compiled Handlebars (HTML escaping)': () => keep(rawEscaped(context)),
      'hookbridge renderTemplate': () => core.renderTemplate(SOURCE, context),
      'hookbridge renderTemplate (slack escaping)': () => core.renderTemplate(SOURCE, context, { escape: 'slack' }),
      'hookbridge renderTemplate (discord escaping)': () => core.renderTemplate(SOURCE, context, { escape: 'discord' }),
      'hookbridge templateContext + render': () => core.renderTemplate(SOURCE, core.templateContext(event)),
      'core compiled renderer (Node)': () => keep(compiled(context)),
      'core interpreter (n8n: no code generation)': () => keep(interpreted(context)),
      'slack.format (Block Kit)': () => slack.format(event),
      'discord.format (embed)': () => discord.format(event),
      'teams.format (Adaptive Card)': () => teams.format(event),
    },
    { durationMs, baseline: 'raw compiled Handlebars' },
  );
  if (sink === 0) throw new Error('nothing rendered');
  const same = r['raw compiled Handlebars + our 19 helpers'].ratio;
  const rows = Object.entries(r).map(([name, { ops, ratio }]) => ({
    case: name,
    'renders/s': fmt(ops),
    'cost vs bare Handlebars': (1 / ratio).toFixed(2) + 'x',
    'cost vs Handlebars + same helpers': (same / ratio).toFixed(2) + 'x',
  }));
  log('bench/format — targets: the template layer costs at most 1.2x raw compiled Handlebars; each formatter ≥ 20,000 messages/s');
  log(table(rows));
  for (const name of ['slack.format (Block Kit)', 'discord.format (embed)', 'teams.format (Adaptive Card)']) {
    log(`${name}: ${fmt(r[name].ops)} messages/s — ${r[name].ops >= 20_000 ? 'meets' : 'BELOW'} the 20,000/s target`);
  }
  return rows;
}

if (require.main === module) run();
module.exports = { run };
