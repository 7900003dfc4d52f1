// Container detection from files the container runtimes leave behind. systeminformation
// only knows about virtual machines; a Docker container on bare metal looks physical to it.

import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ContainerProbe {
  container: boolean;
  /** Which hint decided, for logs and tests; never sent. */
  hint: string | null;
}

// Path fragments that runtimes put into /proc/1/cgroup (cgroup v1) and into
// /proc/self/mountinfo (bind mounts of /etc/hostname etc., also with cgroup v2).
const CGROUP_HINTS = ['/docker/', '/docker-', 'kubepods', '/containerd/', '/lxc/', 'libpod', '/podman', '/garden/'];
const MOUNTINFO_HINTS = ['/docker/containers/', '/containers/storage/', '/kubelet/pods/', '/var/lib/lxc/', '/libpod-'];

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function readOrEmpty(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}

/** `root` lets tests point at a temp dir laid out like /. `env` is process.env by default. */
export async function detectContainer(root = '/', env: NodeJS.ProcessEnv = process.env): Promise<ContainerProbe> {
  if (await exists(join(root, '.dockerenv'))) return { container: true, hint: '/.dockerenv' };
  if (await exists(join(root, 'run', '.containerenv'))) return { container: true, hint: '/run/.containerenv' };
  // systemd-nspawn, podman and LXC set $container for PID 1; it is inherited when not cleared.
  const envHint = env['container'];
  if (envHint !== undefined && envHint !== '') return { container: true, hint: `$container=${envHint}` };
  const cgroup = await readOrEmpty(join(root, 'proc', '1', 'cgroup'));
  const cgroupHit = CGROUP_HINTS.find((h) => cgroup.includes(h));
  if (cgroupHit !== undefined) return { container: true, hint: `/proc/1/cgroup ${cgroupHit}` };
  const mountinfo = await readOrEmpty(join(root, 'proc', 'self', 'mountinfo'));
  const mountHit = MOUNTINFO_HINTS.find((h) => mountinfo.includes(h));
  if (mountHit !== undefined) return { container: true, hint: `/proc/self/mountinfo ${mountHit}` };
  return { container: false, hint: null };
}

/** WSL runs on Hyper-V; the kernel release says so ("...-microsoft-standard-WSL2"). */
export function isWslKernel(release: string): boolean {
  return /microsoft/i.test(release);
}
