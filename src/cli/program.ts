/**
 * The one commander definition of auth-decide. Handlers are imported lazily so
 * `--help` and `--version` load nothing but commander.
 */
import { Command, Option } from 'commander';
import type { CliContext } from './context.js';

export interface ProgramInfo {
  version: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function buildProgram(context: CliContext, info: ProgramInfo): Command {
  const program = new Command('auth-decide')
    .description('Choose how callers authenticate to your REST API, record why, and scaffold tested auth code.')
    .version(info.version, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
    })
    .exitOverride();

  program
    .command('decide', { isDefault: true })
    .description('answer a few questions, compare the four methods and write an auth decision record')
    .option('-a, --answers <file>', 'read answers from a JSON or YAML file instead of asking')
    .option('-y, --yes', 'accept every default (with --answers: skip the confirmation)')
    .option('--json', 'print the decision as one JSON document on stdout')
    .option('--dry-run', 'show what would be written, write nothing')
    .option('--adr-dir <dir>', 'folder for decision records (default: detected)')
    .option('--title <title>', 'title of the decision record')
    .option('--decision-makers <names>', 'comma-separated names for the record front matter')
    .option('--no-record', 'do not write a decision record')
    .option('--scaffold', 'scaffold the chosen method after deciding (non-interactive runs)')
    // `decide` is the default command, so a mistyped command name lands here as an operand.
    .allowExcessArguments(true)
    .action(async (options, command: Command) => {
      const [unknown] = command.args;
      if (unknown !== undefined) {
        program.error(`error: unknown command '${unknown}' (run 'auth-decide --help' to see the commands)`, {
          code: 'commander.unknownCommand',
          exitCode: 2,
        });
      }
      const { runDecide } = await import('./commands/decide.js');
      await runDecide({ ...options, context, version: info.version });
    });

  program
    .command('explain')
    .description('show what the knowledge base says about one method, or the whole method × dimension matrix')
    .argument('[method]', 'api-key | oauth | jwt | session')
    .option('--json', 'print as JSON')
    .action(async (method: string | undefined, options) => {
      const { runExplain } = await import('./commands/explain.js');
      await runExplain({ ...options, method, context });
    });

  program
    .command('scaffold')
    .description("generate the decision's plan as working, tested auth code for your stack")
    .addOption(new Option('--method <method>', 'add or refresh one method (default: the whole plan)').choices(['api-key', 'jwt', 'session', 'oauth']))
    .option('--variant <variant>', 'with --method: which variant of it (e.g. session cookie | token)')
    .option('--boundary <id>', 'with --method: the route group that accepts it (e.g. partners)')
    .addOption(new Option('--token-format <format>', 'with --method oauth: access-token format').choices(['opaque', 'jwt']))
    .option('--issuer <url>', 'with --method oauth --variant resource-server: the issuer whose tokens the API trusts (written to .env.example)')
    .option('--audience <id>', 'with --method oauth --variant resource-server: the API\'s identifier at that issuer, the aud of its tokens')
    .addOption(new Option('--oauth-mode <mode>', 'with --method oauth: client connects your app to people\'s accounts at another provider').choices(['provider', 'client']))
    .addOption(new Option('--stack <stack>', 'web framework').choices(['express', 'fastify', 'hono']))
    .option('--dir <project>', 'project folder (default: current folder)')
    .option('--out <folder>', 'folder for generated files, relative to the project')
    .option('--store <store>', 'where credentials live: sqlite | postgres | redis')
    .addOption(new Option('--lang <lang>', 'output language').choices(['ts', 'js']))
    .addOption(new Option('--module <format>', 'module format for JavaScript output').choices(['esm', 'cjs']))
    .option('--dry-run', 'show the plan, write and install nothing')
    .option('--force', 'overwrite files that differ from what would be generated')
    .option('--no-install', 'print the install command instead of running it')
    .option('-y, --yes', 'do not ask; use detected and recorded defaults')
    .option('--json', 'print the plan and result as JSON')
    .action(async (options) => {
      const { runScaffold } = await import('./commands/scaffold.js');
      await runScaffold({ ...options, context });
    });

  program
    .command('revisit')
    .description('re-decide when one of the review triggers has fired')
    .option('-a, --answers <file>', 'changed answers only (JSON or YAML), merged onto the recorded ones')
    .option(
      '-t, --trigger <id...>',
      'what happened (repeatable): client-types, authorization-granularity, revocation-audit, distribution, framework-support, threat-model',
    )
    .option('--note <question=text>', 'answer to a review question (repeatable): identities, incidents, overcomplicated, hardest-flows, incremental-migration', collect)
    .option('--adr-dir <dir>', 'folder for decision records (default: detected)')
    .option('--title <title>', 'title of the new record when the recommendation changes')
    .option('--json', 'print the comparison as one JSON document on stdout')
    .option('--dry-run', 'show what would change, write nothing')
    .option('-y, --yes', 'in a terminal: keep the recorded answers and do not ask for confirmation')
    .action(async (options) => {
      const { runRevisit } = await import('./commands/revisit.js');
      await runRevisit({ ...options, context, version: info.version });
    });

  program
    .command('check')
    .description('for CI: exit 1 when the auth decision needs a review, 0 when all is well')
    .option('--adr-dir <dir>', 'folder for decision records (default: detected)')
    .option('--strict', 'treat edited or deleted generated files as a failure')
    .option('--json', 'print the findings as JSON')
    .action(async (options) => {
      const { runCheck } = await import('./commands/check.js');
      await runCheck({ ...options, context });
    });

  return program;
}
