import { machineIdentifiers, NameChecker, type NameProblem } from '../intake/safe-names.js';
import { UsageError } from './program.js';

// `candor sources allow NAME`: a NAME the intake could never take as a service.name is a
// mistake on the command line, said before anything is asked or written. The check is
// the intake's own (main/intake/safe-names.ts), with this machine's identifiers, so the
// CLI and the agent on this machine refuse the same names.

const WHY: Record<NameProblem, string> = {
  syntax: 'a service.name is a letter followed by up to 127 letters, digits, ".", "_" or "-"',
  id: 'it looks like an id (12+ hex characters or 5+ digits in a row), which the intake never takes as a name',
  address: 'it looks like an address (IP, MAC, host name or localhost), which the intake never takes as a name',
  machine: "it contains this machine's host name or user name, which the intake never takes as a name",
};

/** The NAME as given, or a UsageError naming it and saying why no app can have it. */
export function checkSourceName(name: string): string {
  const problem = new NameChecker(machineIdentifiers()).name(name);
  if (problem === null) return name;
  throw new UsageError(`NAME ${JSON.stringify(name)} is not a possible source (OpenTelemetry service.name): ${WHY[problem]}`);
}
