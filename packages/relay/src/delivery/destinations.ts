import { appendFileSync } from 'node:fs';
import {
  createScheme,
  deliver,
  DeliveryError,
  TemplateError,
  renderJsonTemplate,
  templateContext,
  type DestinationGuard,
  type HookEvent,
  type JsonTemplate,
  type RetryPolicy,
  type SchemeName,
} from '@hookbridge/core';
import * as slack from '@hookbridge/slack';
import * as discord from '@hookbridge/discord';
import * as teams from '@hookbridge/teams';
import type { DestinationConfig, RouteConfig } from '../config/schema';

/** The outcome of one attempt at one destination. */
export interface SendOutcome {
  ok: boolean;
  status?: number;
  error?: DeliveryError;
}

export interface SendContext {
  /** One attempt only: the relay's queue owns retries, so they survive a restart. */
  policy: RetryPolicy;
  guard: DestinationGuard;
  log: (line: string) => void;
}

type Formatting = Pick<RouteConfig, 'template' | 'text' | 'title' | 'allowMentions'>;

/** The message a destination would receive, rendered but not sent (log destinations, console previews). */
export function renderFor(kind: 'slack' | 'discord' | 'teams' | 'json', event: HookEvent, route: Formatting): unknown {
  const template = route.template as JsonTemplate | undefined;
  switch (kind) {
    case 'slack':
      return slack.format(event, { template, text: route.text, title: route.title, allowMentions: route.allowMentions });
    case 'discord':
      return discord.format(event, {
        template,
        text: route.text,
        title: route.title,
        allowMentions: route.allowMentions ? ['everyone', 'users', 'roles'] : [],
      });
    case 'teams':
      return teams.format(event, { template, text: route.text, title: route.title });
    case 'json': {
      if (template !== undefined) return renderJsonTemplate(template, templateContext(event));
      return event;
    }
  }
}

function fromFailure(error: unknown): SendOutcome {
  if (error instanceof DeliveryError) return { ok: false, status: error.status, error };
  // A template that cannot render will not render next time either: final.
  if (error instanceof TemplateError)
    return { ok: false, error: new DeliveryError('template_failed', error.message, { retryable: false }, { cause: error }) };
  return {
    ok: false,
    error: new DeliveryError('network_error', (error as Error).message ?? String(error), { retryable: true }, { cause: error }),
  };
}

/** Renders the event for the destination and makes one attempt to send it. */
export async function sendTo(destination: DestinationConfig, event: HookEvent, route: Formatting, ctx: SendContext): Promise<SendOutcome> {
  const oneTry = { ...ctx.policy, retries: 0 };
  try {
    switch (destination.type) {
      case 'slack': {
        const message = renderFor('slack', event, route) as slack.SlackMessage;
        const via = { policy: oneTry, guard: ctx.guard };
        if (destination.webhookUrl) await slack.sendWithWebhook(message, destination.webhookUrl, via);
        else
          await slack.sendWithBot(message, {
            ...via,
            token: destination.token!,
            channel: destination.channel!,
            slackApiUrl: destination.apiUrl,
          });
        return { ok: true, status: 200 };
      }
      case 'discord': {
        const message = renderFor('discord', event, route) as discord.DiscordMessage;
        if (destination.username) message.username = destination.username;
        await discord.sendToDiscord(message, destination.webhookUrl, { policy: oneTry, guard: ctx.guard });
        return { ok: true, status: 200 };
      }
      case 'teams': {
        const result = await teams.sendToTeams(renderFor('teams', event, route) as teams.TeamsMessage, destination.workflowUrl, {
          policy: oneTry,
          guard: ctx.guard,
        });
        return result.ok ? { ok: true, status: result.status } : { ok: false, status: result.status, error: result.error };
      }
      case 'webhook': {
        const sign = destination.sign
          ? {
              scheme: createScheme(destination.sign.scheme as SchemeName, { signature: destination.sign.header ?? 'webhook-signature' }),
              secret: destination.sign.secret,
            }
          : undefined;
        const result = await deliver(
          {
            url: destination.url,
            body: renderFor('json', event, route) as object,
            headers: { 'content-type': 'application/json', ...destination.headers },
          },
          { policy: oneTry, guard: ctx.guard, auth: destination.auth, sign },
        );
        return result.ok ? { ok: true, status: result.status } : { ok: false, status: result.status, error: result.error };
      }
      case 'log': {
        const rendered =
          destination.format === 'text'
            ? `${event.provider} ${event.type} ${event.id}: ${event.summary ?? ''}`
            : JSON.stringify(renderFor(destination.format === 'json' ? 'json' : destination.format, event, route), null, 2);
        const line = `[${destination.format}] ${rendered}`;
        if (destination.file) appendFileSync(destination.file, line + '\n');
        else ctx.log(line);
        return { ok: true };
      }
    }
  } catch (error) {
    return fromFailure(error);
  }
}
