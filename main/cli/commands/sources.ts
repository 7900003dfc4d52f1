import type { Command } from 'commander';
import { ContractError } from '../../api.js';
import { loadConfig } from '../../control/config-load.js';
import { AgentCallError } from '../../transport/http-client.js';
import { configPathOf, dataDirOf, globals, UsageError } from '../program.js';
import { checkSourceName } from '../source-name.js';
import { answerJson, answerText, intakeState, sourcesJson, sourcesText, type ConfiguredIntake } from '../sources-output.js';
import { askState, type Answerer } from '../state-source.js';

// `candor sources`, `candor sources allow NAME`, `candor sources deny NAME` (issue 11).
// Pending apps live in the running agent's memory, so these ask it; without one, the
// answers in the files are listed and a new answer is written to the settings, which the
// agent reads at its start (and, while running without a local API, from the file).

/** What the config says of the intake, for the line shown when no agent answers. */
function configuredIntake(command: Command, from: Answerer): ConfiguredIntake | null {
  if (from.kind === 'agent') return null;
  const { otlp } = loadConfig({ cwd: process.cwd(), env: process.env, configPath: configPathOf(globals(command)) }).config.intake;
  return { enabled: otlp.enabled, port: otlp.port };
}

function noMoreArguments(command: Command, expected: number, name: string, hint: string): void {
  const extra = command.args.slice(expected);
  if (extra.length === 0) return;
  const words = extra.map((a) => JSON.stringify(a)).join(' ');
  throw new UsageError(`unexpected argument${extra.length === 1 ? '' : 's'} ${words} for 'candor ${name}' (${hint})`);
}

/**
 * The agent (or, without one, the local reader of the files) refused the name: the
 * command line was wrong. The running agent checks against its own machine's names,
 * which may differ from this process's (another home folder).
 */
function asUsageError(error: unknown, name: string): unknown {
  if (error instanceof ContractError && error.status === 400)
    return new UsageError(`NAME ${JSON.stringify(name)}: ${error.message.replace(/^answerSource: name: /, '')}`);
  if (error instanceof AgentCallError && error.status === 400) {
    const said = error.message.replace(/^.* answered answerSource with an error: (answerSource: name: )?/, '');
    return new UsageError(`NAME ${JSON.stringify(name)}: refused by the running agent: ${said}`);
  }
  return error;
}

function registerAnswer(sources: Command, verb: 'allow' | 'deny', description: string): void {
  sources
    .command(verb)
    .description(description)
    .argument('<name>', "the app's OpenTelemetry service.name")
    .option('--json', 'print the answered source as one JSON object')
    // Checked here, so the message names `sources allow`, not its parent.
    .allowExcessArguments(true)
    .action(async (name: string, _opts: unknown, command: Command) => {
      noMoreArguments(command, 1, `sources ${verb}`, 'one NAME per command');
      checkSourceName(name);
      const answer = verb === 'allow' ? 'allowed' : 'denied';
      const { value, from } = await askState(command, (api) => api.answerSource({ name, answer })).catch((error: unknown) => {
        throw asUsageError(error, name);
      });
      // `--json` before or after `allow`: commander gives it to whichever command declares it first.
      const json = command.optsWithGlobals<{ json?: boolean }>().json === true;
      process.stdout.write(json ? answerJson(from, value) : answerText(from, value));
    });
}

export function registerSourcesCommand(program: Command): void {
  const sources = program
    .command('sources')
    .description('the apps reporting through Candor (OpenTelemetry intake): each one pending, allowed or denied, and who answered')
    .option('--json', 'print the sources and the intake state as one JSON object')
    .allowExcessArguments(true)
    .action(async (opts: { json?: boolean }, command: Command) => {
      noMoreArguments(command, 0, 'sources', 'expected allow NAME, deny NAME or nothing');
      const { value, from } = await askState(command, (api) => api.sources({}));
      const configured = configuredIntake(command, from);
      const intake = intakeState(from, value.intake, configured);
      process.stdout.write(
        opts.json === true
          ? sourcesJson(from, intake, value.sources)
          : sourcesText(from, intake, value.sources, configured, dataDirOf(globals(command))),
      );
    });
  registerAnswer(sources, 'allow', "allow an app: its data goes into the reports (your answer wins over the operator's)");
  registerAnswer(sources, 'deny', "deny an app: its data is dropped as it arrives (your answer wins over the operator's)");
}
