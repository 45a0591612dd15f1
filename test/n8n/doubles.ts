import type { IncomingHttpHeaders } from 'node:http';
import type {
  ICredentialDataDecryptedObject,
  IDataObject,
  IHookFunctions,
  IHttpRequestOptions,
  INode,
  IWebhookFunctions,
  IExecuteFunctions,
  INodeExecutionData,
} from 'n8n-workflow';
import { HookbridgeApi } from '../../packages/n8n-nodes-hookbridge/credentials/HookbridgeApi.credentials';

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
  /** Every `helpers.httpRequestWithAuthentication` call, as the node made it (before the credential's auth). */
  httpCalls: { credential: string; options: IHttpRequestOptions }[];
}

/**
 * n8n's `httpRequestWithAuthentication`, as n8n 1.x runs it: the credential type's
 * `authenticate` applied to the request, then a real HTTP call; with `returnFullResponse`
 * the status, headers and body; an error for non-2xx unless `ignoreHttpStatusErrors`.
 */
async function httpRequestWithAuthentication(
  credentials: IDataObject,
  recorded: Recorded,
  credential: string,
  options: IHttpRequestOptions,
): Promise<unknown> {
  recorded.httpCalls.push({ credential, options: structuredClone(options) });
  if (credential !== 'hookbridgeApi') throw new Error(`unknown credential type ${credential}`);
  const signed = await new HookbridgeApi().authenticate(credentials as ICredentialDataDecryptedObject, options);
  const response = await fetch(signed.url, {
    method: signed.method ?? 'GET',
    headers: signed.headers as Record<string, string>,
    body: signed.body as string | undefined,
    redirect: signed.disableFollowRedirect ? 'manual' : 'follow',
    signal: AbortSignal.timeout(signed.timeout ?? 300_000),
  });
  const body = await response.text();
  if (!signed.ignoreHttpStatusErrors && !response.ok) throw new Error(`Request failed with status code ${response.status}`);
  if (!signed.returnFullResponse) return body;
  return { statusCode: response.status, headers: Object.fromEntries(response.headers), body };
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
  const recorded: Recorded = { httpCalls: [] };
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
    helpers: {
      returnJsonArray: (items: IDataObject[]) => items.map((json) => ({ json })),
      httpRequestWithAuthentication: (credential: string, request: IHttpRequestOptions) =>
        httpRequestWithAuthentication(options.credentials, recorded, credential, request),
    },
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
