import { callWithArgs, ContractError, parseInput, type AgentApi, type CallArgs, type CallName } from '../api.js';
import { log } from '../util/log.js';
import { CALL_NAMES, channelFor, type IpcResult } from './ipc-channels.js';

// The Electron IPC transport of the AgentApi contract, kept free of electron imports
// so it is tested in plain Node. main/desktop/ipc-main.ts registers these with
// ipcMain.handle. Every handler checks the sender, validates against the contract
// schema and turns every failure into an error result: a handler never throws.

export { CALL_NAMES, STATUS_CHANNEL, channelFor, type IpcResult } from './ipc-channels.js';

/** The part of Electron's IpcMainInvokeEvent the handlers read. */
export interface IpcSenderEvent {
  senderFrame: { url: string } | null;
  sender: { id: number };
}

export type IpcHandler = (event: IpcSenderEvent, raw: unknown) => Promise<IpcResult>;

export type IsTrustedSender = (senderUrl: string, senderId: number) => boolean;

function failure(error: ContractError): IpcResult {
  return { ok: false, error: { name: error.name, message: error.message, status: error.status } };
}

function handlerFor(name: CallName, api: AgentApi, isTrusted: IsTrustedSender): IpcHandler {
  const channel = channelFor(name);
  return async (event, raw) => {
    // senderFrame is null once the frame navigated away or was destroyed: nothing to trust.
    const url = event.senderFrame?.url ?? '';
    if (!isTrusted(url, event.sender.id)) {
      log.warn(`${channel}: refused a call from an untrusted sender (${url || 'no frame'})`);
      return failure(new ContractError(`${name}: refused: the sender is not a Candor window`));
    }
    let args: CallArgs<CallName>;
    try {
      args = parseInput(name, raw);
    } catch (error) {
      if (error instanceof ContractError) return failure(error);
      return failure(new ContractError(`${name}: input: could not be read`));
    }
    try {
      return { ok: true, value: await callWithArgs(api, name, args) };
    } catch (error) {
      if (error instanceof ContractError) return failure(error);
      const message = error instanceof Error ? error.message : String(error);
      log.error(`${channel} failed: ${message}`);
      return failure(new ContractError(`${name}: failed: ${message}`, 500));
    }
  };
}

/** One handler per call of the contract, keyed by its channel name. */
export function createIpcHandlers(api: AgentApi, isTrusted: IsTrustedSender): Record<string, IpcHandler> {
  return Object.fromEntries(CALL_NAMES.map((name) => [channelFor(name), handlerFor(name, api, isTrusted)]));
}
