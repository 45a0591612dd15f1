import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INodeProperties } from 'n8n-workflow';
import { getProvider } from '@hookbridge/core';
import { HookbridgeTrigger } from '../../packages/n8n-nodes-hookbridge/nodes/HookbridgeTrigger/HookbridgeTrigger.node';
import { Hookbridge } from '../../packages/n8n-nodes-hookbridge/nodes/Hookbridge/Hookbridge.node';

interface WorkflowNode {
  name: string;
  type: string;
  typeVersion: number;
  parameters: Record<string, unknown>;
  credentials?: Record<string, unknown>;
}

const dir = join(__dirname, '../../examples/n8n');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
const ours: Record<string, INodeProperties[]> = {
  'n8n-nodes-hookbridge.hookbridgeTrigger': new HookbridgeTrigger().description.properties,
  'n8n-nodes-hookbridge.hookbridge': new Hookbridge().description.properties,
};

test('there are Slack, Discord and Teams examples', () => {
  expect(files.sort()).toEqual(['trackscore-to-teams.json', 'trakkr-to-slack.json', 'trophy-to-discord.json']);
});

test.each(files)('%s: node types exist, parameters are ones the nodes define, events are in the catalogue, connections resolve', (file) => {
  const workflow = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
    nodes: WorkflowNode[];
    connections: Record<string, { main: { node: string }[][] }>;
  };
  const names = new Set(workflow.nodes.map((n) => n.name));
  for (const node of workflow.nodes) {
    expect(['n8n-nodes-base.httpRequest', ...Object.keys(ours)]).toContain(node.type);
    const properties = ours[node.type];
    if (!properties) continue;
    const known = new Set(properties.map((p) => p.name));
    for (const key of Object.keys(node.parameters)) expect(known).toContain(key);
    if (node.type.endsWith('hookbridgeTrigger')) {
      expect(node.credentials).toHaveProperty('hookbridgeApi');
      const provider = getProvider(node.parameters.provider as string);
      const events = node.parameters[`${provider.id}Events`] as string[];
      for (const e of events) expect(['*', ...provider.events.map((x) => x.type)]).toContain(e);
    } else {
      const platforms = (properties.find((p) => p.name === 'platform')!.options as { value: string }[]).map((o) => o.value);
      expect(platforms).toContain(node.parameters.platform);
    }
  }
  for (const [from, { main }] of Object.entries(workflow.connections)) {
    expect(names).toContain(from);
    for (const link of main.flat()) expect(names).toContain(link.node);
  }
});
