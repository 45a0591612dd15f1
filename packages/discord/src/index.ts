export {
  format,
  fitEmbed,
  enforceDiscordLimits,
  DISCORD_LIMITS,
  type DiscordMessage,
  type DiscordFormatOptions,
  type MentionType,
} from './format';
export { sendToDiscord, parseWebhookUrl, type DiscordSendOptions, type DiscordSendResult } from './send';
export { previewHtml } from './preview';
