export {
  format,
  fitEmbed,
  embedLength,
  enforceDiscordLimits,
  DISCORD_LIMITS,
  type DiscordMessage,
  type DiscordFormatOptions,
  type MentionType,
} from './format';
export {
  sendToDiscord,
  parseWebhookUrl,
  executeWebhookUrl,
  interpretDiscordAnswer,
  type DiscordSendOptions,
  type DiscordSendResult,
} from './send';
export { previewHtml } from './preview';
