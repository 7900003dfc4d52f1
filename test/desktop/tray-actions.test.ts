import { describe, expect, it } from 'vitest';
import { TRAY_EXPORT_LEVEL, createTrayActions } from '../../main/desktop/tray-actions.js';
import { TRAY_ACTIONS, sourceAction } from '../../main/desktop/tray-menu.js';
import { setLogSink } from '../../main/util/log.js';
import { recordingApi } from './fake-api.js';

function setup() {
  const rec = recordingApi();
  const host: string[] = [];
  const errors: string[] = [];
  const run = createTrayActions({
    api: rec.api,
    openPreview: (section) => host.push(`open:${section ?? ''}`),
    showDeletionRequest: async () => {
      host.push('deletion');
    },
    showError: (_title, message) => errors.push(message),
    quit: () => host.push('quit'),
  });
  return { rec, host, errors, run };
}

describe('tray actions', () => {
  it('map each menu id to the contract call or host action', async () => {
    const { rec, host, run } = setup();
    for (const action of TRAY_ACTIONS) await run(action);
    expect(rec.calls).toEqual([
      { name: 'pause', input: { duration: '1h' } },
      { name: 'pause', input: { duration: 'until-restart' } },
      { name: 'resume', input: {} },
      { name: 'exportReport', input: { details_level: TRAY_EXPORT_LEVEL, anonymize: true } },
      { name: 'disable', input: {} },
      { name: 'enable', input: {} },
    ]);
    expect(host).toEqual(['open:', 'open:sources', 'deletion', 'quit']);
  });

  it("an app's Allow and Deny call answerSource with its name", async () => {
    const { rec, run } = setup();
    await run(sourceAction('allowed', 'shop-api'));
    await run(sourceAction('denied', 'web.front'));
    expect(rec.calls).toEqual([
      { name: 'answerSource', input: { name: 'shop-api', answer: 'allowed' } },
      { name: 'answerSource', input: { name: 'web.front', answer: 'denied' } },
    ]);
  });

  it('a refused answer is shown with the app it was for', async () => {
    const { rec, errors, run } = setup();
    setLogSink(() => undefined);
    (rec.api as unknown as Record<string, unknown>)['answerSource'] = async () => {
      throw new Error('settings file is read-only');
    };
    await run(sourceAction('denied', 'shop-api'));
    expect(errors).toEqual(['Deny shop-api: settings file is read-only']);
  });

  it('a failing action is reported to the person, not thrown into the tray', async () => {
    const { rec, errors, run } = setup();
    setLogSink(() => undefined);
    (rec.api as unknown as Record<string, unknown>)['disable'] = async () => {
      throw new Error('settings file is read-only');
    };
    await expect(run('disable')).resolves.toBeUndefined();
    expect(errors).toEqual(['disable: settings file is read-only']);
  });
});
