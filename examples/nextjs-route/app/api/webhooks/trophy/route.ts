// app/api/webhooks/trophy/route.ts — Trophy's documented NextJS endpoint, verified and deduplicated.
import { Receiver, createFetchHandler, type TrophyEvent } from '@hookbridge/core';

export const receiver = new Receiver<TrophyEvent>({ provider: 'trophy', secrets: [process.env.TROPHY_WEBHOOK_SECRET ?? ''] });

receiver.on('points.changed', (event) => {
  console.log(`${event.data.user.name} now has ${event.data.points.total} ${event.data.points.system.name}`);
});
receiver.on('streak.extended', (event) => {
  console.log(`Streak extended to ${event.data.streak.length}`);
});

export const POST = createFetchHandler(receiver);
