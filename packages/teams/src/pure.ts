/** `@hookbridge/teams/pure`: the card formatter and the sender over a host's transport, without `adaptivecards` or Node modules (for n8n). */
export {
  format,
  envelope,
  messageBytes,
  TEAMS_MAX_BYTES,
  type AdaptiveCard,
  type CardElement,
  type TeamsMessage,
  type TeamsFormatOptions,
} from './card';
export { sendToTeams, inspectTeamsAnswer } from './send';
