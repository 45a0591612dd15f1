export { format, type SlackMessage, type SlackFormatOptions } from './format';
export { enforceSlackLimits, SLACK_LIMITS } from './limits';
export {
  sendWithBot,
  sendWithWebhook,
  interpretSlackApiAnswer,
  interpretSlackWebhookAnswer,
  type BotSendOptions,
  type WebhookSendOptions,
  type SlackSendResult,
} from './send';
export { previewHtml } from './preview';
