// A TrackScore receiver in a dozen lines: the handler from TrackScore's webhook docs, verified on the raw body.
const express = require('express');
const { Receiver, createNodeMiddleware } = require('@hookbridge/core');

function createApp(secret = process.env.WEBHOOK_SECRET, log = console.log) {
  const receiver = new Receiver({ provider: 'trackscore', secrets: [secret] });
  receiver.on('score.updated', (e) => log(`Score updated: ${e.data.participant_id} now has ${e.data.new_score} points`));
  receiver.on('leaderboard.created', (e) => log(`New leaderboard: ${e.data.name}`));
  receiver.onAny((e) => log(`Received ${e.type} ${e.id}`));

  const app = express();
  // Mounted before any express.json(): verification needs the exact bytes.
  app.post('/webhooks/trackscore', createNodeMiddleware(receiver));
  return app;
}

if (require.main === module) {
  createApp().listen(3000, () => console.log('Webhook server listening on port 3000'));
}
module.exports = { createApp };
