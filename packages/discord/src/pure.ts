/** `@hookbridge/discord/pure`: the formatter and the sender over a host's transport, without Node modules (for n8n). */
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
