import type * as ACTypes from 'adaptivecards';
import type { AdaptiveCard, TeamsMessage } from './card';
import { messageBytes, TEAMS_MAX_BYTES } from './card';

// The package's main entry is ESM without extensions and fails to load in Node; the
// bundled build loads without a DOM and is enough to parse and validate.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AC = require('adaptivecards/dist/adaptivecards.js') as typeof ACTypes;

export interface CardProblem {
  phase: 'parse' | 'validate' | 'size' | 'envelope';
  message: string;
}

/** Parses a card with the `adaptivecards` library and returns every parse and validation event. */
export function validateCard(card: AdaptiveCard | unknown): CardProblem[] {
  const parsed = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  context.targetVersion = AC.Versions.v1_5;
  parsed.parse(card as ACTypes.PropertyBag, context);
  const problems: CardProblem[] = [];
  for (let i = 0; i < context.eventCount; i++) problems.push({ phase: 'parse', message: context.getEventAt(i).message });
  for (const event of parsed.validateProperties().validationEvents) problems.push({ phase: 'validate', message: event.message });
  return problems;
}

/** The envelope, the card and the size limit together: what Teams would refuse. */
export function validateMessage(message: TeamsMessage): CardProblem[] {
  const problems: CardProblem[] = [];
  const attachment = message.attachments?.[0];
  if (message.type !== 'message' || attachment?.contentType !== 'application/vnd.microsoft.card.adaptive') {
    problems.push({
      phase: 'envelope',
      message: 'Expected { type: "message", attachments: [{ contentType: "application/vnd.microsoft.card.adaptive" }] }',
    });
  }
  if (messageBytes(message) > TEAMS_MAX_BYTES)
    problems.push({ phase: 'size', message: `Message is ${messageBytes(message)} bytes; Teams takes ${TEAMS_MAX_BYTES}` });
  if (attachment) problems.push(...validateCard(attachment.content));
  return problems;
}
