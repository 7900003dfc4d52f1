import { contextBridge, ipcRenderer } from 'electron';
import type { AgentApi, AgentStatus, CallName } from '../api.js';
import { CALL_NAMES, STATUS_CHANNEL, channelFor, type IpcResult } from '../transport/ipc-channels.js';

// Sandboxed preload, bundled by esbuild to one CommonJS file that requires only
// 'electron'. It exposes window.candor: one named verb per contract call plus
// onStatus — never a function that takes a channel name.

async function invoke(name: CallName, input: unknown): Promise<unknown> {
  const result = (await ipcRenderer.invoke(channelFor(name), input)) as IpcResult;
  if (result.ok) return result.value;
  const error = new Error(result.error.message);
  error.name = result.error.name;
  throw error;
}

function onStatus(listener: (status: AgentStatus) => void): () => void {
  if (typeof listener !== 'function') throw new TypeError('onStatus: listener must be a function');
  // The IPC event (with its sender) stays here: the page only ever sees the status.
  const wrapped = (_event: unknown, status: AgentStatus): void => listener(status);
  ipcRenderer.on(STATUS_CHANNEL, wrapped);
  return () => {
    ipcRenderer.removeListener(STATUS_CHANNEL, wrapped);
  };
}

const verbs = Object.fromEntries(CALL_NAMES.map((name) => [name, (input: unknown) => invoke(name, input)]));
// Built from CALL_NAMES, which the type check proves covers every CallName; results are typed by the contract.
const candor = { ...verbs, onStatus } as unknown as AgentApi;

contextBridge.exposeInMainWorld('candor', candor);
