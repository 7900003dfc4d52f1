import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isRendererUrl, isSafeExternalUrl, isSamePageNavigation, rendererFileFor, rendererUrl } from '../../main/desktop/url-policy.js';

describe('isSafeExternalUrl', () => {
  it.each([
    ['https://candor.dev/privacy', true],
    ['http://example.com/a?b=c#d', true],
    ['HTTPS://EXAMPLE.COM', true],
    ['file:///etc/passwd', false],
    ['javascript:alert(1)', false],
    ['data:text/html,<script>x</script>', false],
    ['smb://attacker/share/run.exe', false],
    ['ms-msdt:/id PCWDiagnostic', false],
    ['candor://app/index.html', false],
    ['https://user:pass@example.com/', false],
    ['https://', false],
    ['not a url', false],
    ['', false],
  ])('%s -> %s', (url, safe) => {
    expect(isSafeExternalUrl(url)).toBe(safe);
  });

  it('refuses absurdly long URLs', () => {
    expect(isSafeExternalUrl(`https://example.com/${'a'.repeat(3000)}`)).toBe(false);
  });
});

describe('renderer URLs', () => {
  it('accepts our page with any fragment, nothing else', () => {
    expect(isRendererUrl(rendererUrl())).toBe(true);
    expect(isRendererUrl(rendererUrl('consent'))).toBe(true);
    expect(rendererUrl('deletion')).toBe('candor://app/index.html#deletion');
    for (const url of [
      'candor://app/other.html',
      'candor://evil/index.html',
      'file:///index.html',
      'https://app/index.html',
      'candor://x@app/index.html',
      '',
    ]) {
      expect(isRendererUrl(url), url).toBe(false);
    }
  });

  it('allows fragment-only navigation and refuses leaving the page', () => {
    expect(isSamePageNavigation(rendererUrl(), rendererUrl('consent'))).toBe(true);
    expect(isSamePageNavigation(rendererUrl(), 'https://example.com/')).toBe(false);
    expect(isSamePageNavigation(rendererUrl(), 'candor://app/index.html?x=1')).toBe(false);
    expect(isSamePageNavigation(rendererUrl(), 'candor://app/main.js')).toBe(false);
  });
});

describe('rendererFileFor', () => {
  const root = join('/opt', 'candor', 'renderer');
  it('maps our files and refuses traversal, other hosts and unshipped types', () => {
    expect(rendererFileFor(root, 'candor://app/index.html')).toBe(join(root, 'index.html'));
    expect(rendererFileFor(root, 'candor://app/main.js?v=1')).toBe(join(root, 'main.js'));
    expect(rendererFileFor(root, 'candor://app/')).toBe(join(root, 'index.html'));
    // The URL parser already resolves literal dot segments inside our folder.
    expect(rendererFileFor(root, 'candor://app/../../secrets.json')).toBe(join(root, 'secrets.json'));
    expect(rendererFileFor(root, 'candor://app/%2e%2e/%2e%2e/etc/passwd.json')).toBe(join(root, 'etc/passwd.json'));
    for (const url of [
      'candor://app/%2e%2e%2f%2e%2e%2fetc%2fpasswd.json',
      'candor://app/..%2fsecrets.json',
      'candor://app/main.js.map',
      'candor://app/a%00.html',
      'candor://app/%E0%A4%A',
      'candor://other/index.html',
      'file:///opt/candor/renderer/index.html',
    ]) {
      expect(rendererFileFor(root, url), url).toBeNull();
    }
  });
});
