import { EventEmitter } from 'node:events';

// A recording stand-in for the parts of Electron's main-process API that main/desktop
// uses, for runner-level mocks: vi.mock('electron', () => import('./fake-electron.js').then((m) => m.fakeElectron)).

type Listener = (...args: unknown[]) => unknown;
type InvokeHandler = (event: unknown, raw: unknown) => Promise<unknown>;

export class FakeContents extends EventEmitter {
  static nextId = 1;
  readonly id = FakeContents.nextId++;
  url = '';
  sent: unknown[][] = [];
  openHandler: ((details: { url: string }) => { action: string }) | null = null;
  getURL(): string {
    return this.url;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push([channel, ...args]);
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.openHandler = handler;
  }
  isDestroyed(): boolean {
    return false;
  }
}

export class FakeWindow extends EventEmitter {
  readonly webContents = new FakeContents();
  loaded: string[] = [];
  destroyed = false;
  constructor(readonly options: { webPreferences: Record<string, unknown> }) {
    super();
    recorder.windows.push(this);
  }
  static getAllWindows(): FakeWindow[] {
    return recorder.windows.filter((w) => !w.destroyed);
  }
  static getFocusedWindow(): FakeWindow | null {
    return null;
  }
  get id(): number {
    return this.webContents.id;
  }
  loadURL(url: string): Promise<void> {
    this.loaded.push(url);
    this.webContents.url = url;
    return Promise.resolve();
  }
  removeMenu(): void {}
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isMinimized(): boolean {
    return false;
  }
  restore(): void {}
  show(): void {}
  focus(): void {}
  close(): void {
    this.destroyed = true;
    this.emit('closed');
  }
  destroy(): void {
    this.close();
  }
}

export class FakeTray {
  image: unknown;
  tooltip = '';
  menu: unknown[] = [];
  destroyed = false;
  constructor(image: unknown) {
    this.image = image;
    recorder.trays.push(this);
  }
  setImage(image: unknown): void {
    this.image = image;
  }
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  setContextMenu(menu: unknown[]): void {
    this.menu = menu;
  }
  on(): void {}
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

function createRecorder() {
  return {
    steps: [] as string[],
    appListeners: new Map<string, Listener[]>(),
    paths: new Map<string, string>(),
    windows: [] as FakeWindow[],
    trays: [] as FakeTray[],
    handlers: new Map<string, InvokeHandler>(),
    clipboard: [] as string[],
    externals: [] as string[],
    saveDialogPath: null as string | null,
    messageBoxResponse: 2,
    messageBoxes: [] as { buttons: string[] }[],
    quitCount: 0,
    exited: null as number | null,
    reset(): void {
      this.steps = [];
      this.appListeners.clear();
      this.paths.clear();
      this.windows = [];
      this.trays = [];
      this.handlers.clear();
      this.clipboard = [];
      this.externals = [];
      this.messageBoxes = [];
      this.quitCount = 0;
      this.exited = null;
    },
  };
}

// One recorder per worker even when vi.resetModules() loads this module again.
const RECORDER_KEY = Symbol.for('candor.test.fake-electron');
export const recorder: ReturnType<typeof createRecorder> =
  (Reflect.get(globalThis, RECORDER_KEY) as ReturnType<typeof createRecorder> | undefined) ?? createRecorder();
Reflect.set(globalThis, RECORDER_KEY, recorder);

function emitApp(event: string, ...args: unknown[]): void {
  for (const listener of recorder.appListeners.get(event) ?? []) listener(...args);
}

const app = {
  isPackaged: false,
  dock: { hide: () => recorder.steps.push('dock.hide') },
  setPath: (name: string, value: string) => recorder.paths.set(name, value),
  getPath: (name: string) => recorder.paths.get(name) ?? `/fake/${name}`,
  getVersion: () => '0.0.0-test',
  requestSingleInstanceLock: () => {
    recorder.steps.push('requestSingleInstanceLock');
    return true;
  },
  on: (event: string, listener: Listener) => {
    recorder.appListeners.set(event, [...(recorder.appListeners.get(event) ?? []), listener]);
    return app;
  },
  whenReady: async () => {
    recorder.steps.push('whenReady');
  },
  /** Like Electron: 'before-quit' first; quitting happens only if no listener prevented it. */
  quit: () => {
    let prevented = false;
    emitApp('before-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) recorder.quitCount++;
  },
  exit: (code: number) => {
    recorder.exited = code;
  },
  emit: emitApp,
};

export const fakeElectron = {
  app,
  BrowserWindow: FakeWindow,
  Tray: FakeTray,
  Menu: { buildFromTemplate: (template: unknown[]) => template },
  nativeImage: { createFromPath: (path: string) => ({ path }) },
  ipcMain: {
    handle: (channel: string, handler: InvokeHandler) => recorder.handlers.set(channel, handler),
    removeHandler: (channel: string) => recorder.handlers.delete(channel),
    on: () => undefined,
  },
  protocol: {
    registerSchemesAsPrivileged: () => recorder.steps.push('registerSchemesAsPrivileged'),
    handle: (scheme: string) => recorder.steps.push(`protocol.handle:${scheme}`),
  },
  session: {
    defaultSession: {
      setPermissionRequestHandler: () => recorder.steps.push('setPermissionRequestHandler'),
      setPermissionCheckHandler: () => undefined,
      on: () => undefined,
    },
  },
  shell: { openExternal: async (url: string) => void recorder.externals.push(url), openPath: async () => '' },
  dialog: {
    showSaveDialog: async () =>
      recorder.saveDialogPath ? { canceled: false, filePath: recorder.saveDialogPath } : { canceled: true, filePath: '' },
    showMessageBox: async (...args: unknown[]) => {
      // Called as (options) or (window, options).
      const options = (args.length > 1 ? args[1] : args[0]) as { buttons?: string[] };
      recorder.messageBoxes.push({ buttons: options.buttons ?? [] });
      return { response: recorder.messageBoxResponse, checkboxChecked: false };
    },
    showErrorBox: (title: string, message: string) => recorder.steps.push(`error:${title}:${message}`),
  },
  clipboard: { writeText: (text: string) => recorder.clipboard.push(text) },
};
