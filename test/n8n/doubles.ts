import type { IncomingHttpHeaders } from 'node:http';
import type { IDataObject, IHookFunctions, INode, IWebhookFunctions, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

export const node: INode = {
  id: 'node-1',
  name: 'Hookbridge Trigger',
  type: 'n8n-nodes-hookbridge.hookbridgeTrigger',
  typeVersion: 1,
  position: [0, 0],
  parameters: {},
};

export interface Recorded {
  status?: number;
  body?: unknown;
}

/**
 * Hand-made test doubles of n8n's hook and webhook contexts: the methods our nodes call,
 * backed by plain objects, so a test can lose static data or switch URLs like n8n does.
 */
export function hookContext(options: {
  parameters: IDataObject;
  credentials: IDataObject;
  staticData: IDataObject;
  webhookUrl: string;
  request?: { headers: IncomingHttpHeaders; rawBody: Buffer };
  workflowId?: string;
}) {
  const recorded: Recorded = {};
  const response = {
    status(code: number) {
      recorded.status = code;
      return response;
    },
    json(body: unknown) {
      recorded.body = body;
      return response;
    },
  };
  const context = {
    getNode: () => node,
    getWorkflow: () => ({ id: options.workflowId ?? 'wf-1', name: 'test', active: true }),
    getNodeParameter: (name: string, fallback?: unknown) => (name in options.parameters ? options.parameters[name] : fallback),
    getWorkflowStaticData: () => options.staticData,
    getNodeWebhookUrl: () => options.webhookUrl,
    getCredentials: async () => options.credentials,
    getRequestObject: () => ({ headers: options.request?.headers ?? {}, rawBody: options.request?.rawBody }),
    getResponseObject: () => response,
    getHeaderData: () => options.request?.headers ?? {},
    helpers: { returnJsonArray: (items: IDataObject[]) => items.map((json) => ({ json })) },
  };
  return { hook: context as unknown as IHookFunctions, webhook: context as unknown as IWebhookFunctions, recorded };
}

export function executeContext(items: INodeExecutionData[], parameters: IDataObject) {
  return {
    getInputData: () => items,
    getNode: () => ({ ...node, name: 'Hookbridge', type: 'n8n-nodes-hookbridge.hookbridge' }),
    getNodeParameter: (name: string, _i: number, fallback?: unknown) => (name in parameters ? parameters[name] : fallback),
    continueOnFail: () => false,
  } as unknown as IExecuteFunctions;
}
