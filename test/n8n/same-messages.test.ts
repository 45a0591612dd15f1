import { join } from 'node:path';
import { eventFromPayload, listProviders, type HookEvent } from '@hookbridge/core';
import type { INodeExecutionData, INodeType } from 'n8n-workflow';
import * as slack from '@hookbridge/slack';
import * as discord from '@hookbridge/discord';
import * as teams from '@hookbridge/teams';
import { executeContext } from './doubles';

// The package as n8n loads it: the built bundle of the pure entries (templates interpreted, no discord.js).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Hookbridge } = require(join(__dirname, '../../packages/n8n-nodes-hookbridge/dist/nodes/Hookbridge/Hookbridge.node.js')) as {
  Hookbridge: new () => INodeType;
};

const events: [string, HookEvent][] = listProviders().flatMap((p) =>
  p.events.map((e) => [`${p.id} ${e.type}`, eventFromPayload(p, p.samplePayload(e.type))] as [string, HookEvent]),
);
// What the relay sends for each platform: the Node packaging (compiled templates, the formatters' main entries).
const relayFormat = { slack: slack.format, discord: discord.format, teams: teams.format };
const options = { title: '{{upper event.type}} · {{brand.name}}', text: '{{summary}} — {{json event.data}} <@here> *{{subject}}*' };

describe("one formatter, two packagings: n8n's bundled node gives exactly the relay's message", () => {
  test.each(events)('%s', async (_name, event) => {
    const node = new Hookbridge();
    const item = { json: JSON.parse(JSON.stringify(event)) };
    for (const platform of ['slack', 'discord', 'teams'] as const) {
      for (const chosen of [{ title: '', text: '' }, options]) {
        const [out] = (await node.execute!.call(
          executeContext([item], { operation: 'formatMessage', platform, ...chosen }),
        )) as INodeExecutionData[][];
        const expected = relayFormat[platform](event, { title: chosen.title || undefined, text: chosen.text || undefined });
        expect(out![0]!.json.message).toEqual(JSON.parse(JSON.stringify(expected)));
      }
    }
  });
});
