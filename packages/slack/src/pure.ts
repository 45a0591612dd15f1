/** `@hookbridge/slack/pure`: the formatter and the senders over a host's transport, without Node modules (for n8n). */
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
