import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectContainer, isWslKernel } from '../../main/collect/container.js';

const roots: string[] = [];
afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

/** A temp dir laid out like / with the given files. */
async function fakeRoot(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'candor-root-'));
  roots.push(root);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

const HOST_CGROUP = '0::/init.scope\n';
const HOST_MOUNTINFO = '22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw\n';

describe('detectContainer', () => {
  it.each<[string, Record<string, string>, NodeJS.ProcessEnv, string | null]>([
    ['a plain host', { 'proc/1/cgroup': HOST_CGROUP, 'proc/self/mountinfo': HOST_MOUNTINFO }, {}, null],
    ['Docker (/.dockerenv)', { '.dockerenv': '' }, {}, '/.dockerenv'],
    ['Podman (/run/.containerenv)', { 'run/.containerenv': 'engine="podman"\n' }, {}, '/run/.containerenv'],
    ['systemd-nspawn ($container)', {}, { container: 'systemd-nspawn' }, '$container=systemd-nspawn'],
    ['Docker with cgroup v1', { 'proc/1/cgroup': '12:pids:/docker/0123abcd\n' }, {}, '/proc/1/cgroup /docker/'],
    ['Kubernetes with cgroup v1', { 'proc/1/cgroup': '3:cpu:/kubepods/besteffort/pod1\n' }, {}, '/proc/1/cgroup kubepods'],
    [
      'Docker with cgroup v2 (only mountinfo tells)',
      {
        'proc/1/cgroup': '0::/\n',
        'proc/self/mountinfo': '600 590 254:1 /var/lib/docker/containers/abc/hostname /etc/hostname rw - ext4 /dev/vda rw\n',
      },
      {},
      '/proc/self/mountinfo /docker/containers/',
    ],
  ])('%s', async (_name, files, env, hint) => {
    const probe = await detectContainer(await fakeRoot(files), env);
    expect(probe).toEqual({ container: hint !== null, hint });
  });

  it('finds nothing in an empty root (non-Linux machines)', async () => {
    expect(await detectContainer(await fakeRoot({}), {})).toEqual({ container: false, hint: null });
  });

  it('recognises WSL kernels', () => {
    expect(isWslKernel('5.15.153.1-microsoft-standard-WSL2')).toBe(true);
    expect(isWslKernel('6.1.0-18-amd64')).toBe(false);
  });
});
