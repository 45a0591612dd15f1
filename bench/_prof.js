const core = require('@hookbridge/core');
const slack = require('@hookbridge/slack');
const discord = require('@hookbridge/discord');
const teams = require('@hookbridge/teams');
const profile = core.getProvider('trakkr');
const event = core.eventFromPayload(profile, profile.samplePayload('visibility_changed'));
function rate(name, fn) { const end = Date.now() + 400; let n = 0; while (Date.now() < end) { for (let i = 0; i < 100; i++) fn(); n += 100; } console.log(name, Math.round(n / 0.4)); }
rate('digestEvent', () => core.digestEvent(event));
rate('templateContext', () => core.templateContext(event));
rate('slack', () => slack.format(event));
rate('discord', () => discord.format(event));
rate('teams', () => teams.format(event));
