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
export { validateCard, validateMessage, type CardProblem } from './validate';
export { sendToTeams, inspectTeamsAnswer } from './send';
export { previewHtml } from './preview';
