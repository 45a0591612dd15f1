// Signs a sample event of each provider as the provider would, verifies it, prints the canonical event.
const { listProviders, verifyWebhook, generateStandardSecret } = require('@hookbridge/core');

function run(log = console.log) {
  for (const profile of listProviders()) {
    const secret = profile.id === 'standard' ? generateStandardSecret() : `${profile.id}-example-secret`;
    const type = profile.events[0]?.type ?? 'example.created';
    const rawBody = Buffer.from(JSON.stringify(profile.samplePayload(type)));
    const headers = profile.scheme.sign(rawBody, { secret });
    const event = verifyWebhook({ headers, rawBody }, { provider: profile.id, secrets: [secret] });
    log(
      `${profile.name.padEnd(18)} ${Object.keys(headers).join(', ').padEnd(55)} → ${event.type} ${event.id}${event.summary ? ` — ${event.summary}` : ''}`,
    );
  }
}

if (require.main === module) run();
module.exports = { run };
