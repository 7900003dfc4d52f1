import type { AgentApi, AgentStatus, CallName } from '../main/api.js';
import { AgentUnreachable } from './http-client.js';
import { routes } from './routes.js';

// The page's one error line (#error). A message stays until it is out of date: the
// person starts another action, the call that failed succeeds, or, after the agent
// could not be reached, any call or pushed state shows it is back. A refused token
// is final for that token: the controls go inert and its message stays until the page
// has a new token (`recover`).

export interface ErrorLine {
  report(error: unknown): void;
  refuse(message: string): void;
  /** A new token works: the controls take clicks again. */
  recover(): void;
  clear(): void;
  /** The same API, telling this line which calls fail and succeed. */
  watch(api: AgentApi): AgentApi;
  readonly refused: boolean;
}

export function createErrorLine(box: HTMLElement, controls: HTMLElement): ErrorLine {
  let refused = false;
  /** What the shown message came from: a call's name, 'unreachable', or null (anything else). */
  let source: string | null = null;
  const failedCall = new WeakMap<object, CallName>();

  function report(error: unknown): void {
    if (refused) return;
    box.textContent = error instanceof Error ? error.message : String(error);
    source =
      error instanceof AgentUnreachable
        ? 'unreachable'
        : typeof error === 'object' && error !== null
          ? (failedCall.get(error) ?? null)
          : null;
  }

  function clear(): void {
    if (refused) return;
    box.textContent = '';
    source = null;
  }

  function succeeded(name: CallName | 'push'): void {
    if (source !== null && (source === name || source === 'unreachable')) clear();
  }

  function watch(api: AgentApi): AgentApi {
    const methods = Object.fromEntries(
      (Object.keys(routes) as CallName[]).map((name) => [
        name,
        // Looked up at call time, so whatever window.candor holds then is what runs.
        (input: unknown) =>
          (api[name] as (input: unknown) => Promise<unknown>).call(api, input).then(
            (result) => {
              succeeded(name);
              return result;
            },
            (error: unknown) => {
              if (typeof error === 'object' && error !== null) failedCall.set(error, name);
              throw error;
            },
          ),
      ]),
    );
    const onStatus = (listener: (status: AgentStatus) => void): (() => void) =>
      api.onStatus((status) => {
        succeeded('push');
        listener(status);
      });
    // One wrapper per entry of the route table, which TypeScript checks covers every call.
    return { ...methods, onStatus } as unknown as AgentApi;
  }

  // Any action the person starts makes an older message stale.
  for (const type of ['click', 'change', 'input']) {
    controls.addEventListener(
      type,
      (event) => {
        if (event.target instanceof Element && event.target.closest('button, input, summary, a, textarea') !== null) clear();
      },
      { capture: true },
    );
  }

  return {
    report,
    clear,
    watch,
    refuse(message) {
      report(message);
      refused = true;
      source = null;
      // Clicks would otherwise be silently ignored by an agent that no longer knows this page.
      controls.inert = true;
    },
    recover() {
      if (!refused) return;
      refused = false;
      controls.inert = false;
      clear();
    },
    get refused() {
      return refused;
    },
  };
}
