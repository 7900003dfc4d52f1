// What the figures were measured on: CPU model, cores, RAM, Node, OS, and the load
// average before and after (other work on the machine shows up there).

import { readFileSync } from 'node:fs';
import os from 'node:os';

function osRelease() {
  try {
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? null;
  } catch {
    return null;
  }
}

function cpuModel() {
  try {
    return /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? null;
  } catch {
    return os.cpus()[0]?.model ?? null;
  }
}

export function describeMachine() {
  return {
    cpu: cpuModel(),
    logicalCores: os.cpus().length,
    availableParallelism: os.availableParallelism(),
    ramGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    v8: process.versions.v8,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    distro: osRelease(),
    loadavgAtStart: os.loadavg().map((x) => Number(x.toFixed(2))),
  };
}
