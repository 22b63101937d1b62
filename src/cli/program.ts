/**
 * The one commander definition of auth-decide. Handlers are imported lazily so
 * `--help` and `--version` load nothing but commander.
 */
import { Command, Option } from 'commander';
import type { CliContext } from './context.js';
import type { CheckOptions } from './commands/check.js';
import type { DecideOptions } from './commands/decide.js';
import type { ExplainOptions } from './commands/explain.js';
import type { RevisitOptions } from './commands/revisit.js';
import type { ScaffoldOptions } from './commands/scaffold.js';

/** The command handlers; tests may replace them to see what a command line parses to. */
export interface Handlers {
  decide(options: DecideOptions): Promise<void>;
  explain(options: ExplainOptions): Promise<void>;
  scaffold(options: ScaffoldOptions): Promise<void>;
  revisit(options: RevisitOptions): Promise<void>;
  check(options: CheckOptions): Promise<void>;
}

export interface ProgramInfo {
  version: string;
  /** Handlers to use instead of the real ones. */
  handlers?: Partial<Handlers>;
}

const realHandlers: Handlers = {
  decide: async (options) => (await import('./commands/decide.js')).runDecide(options),
  explain: async (options) => (await import('./commands/explain.js')).runExplain(options),
  scaffold: async (options) => (await import('./commands/scaffold.js')).runScaffold(options),
  revisit: async (options) => (await import('./commands/revisit.js')).runRevisit(options),
  check: async (options) => (await import('./commands/check.js')).runCheck(options),
};

const STACK_CHOICES = ['express', 'fastify', 'hono'];
const STORE_CHOICES = ['sqlite', 'postgres', 'redis'];

/** Options `decide` hands to the scaffold it runs or offers, the same as `scaffold` takes them. */
function addScaffoldOptions(command: Command, context: 'decide' | 'scaffold'): Command {
  const forDecide = (text: string) => (context === 'decide' ? `scaffold: ${text}` : text);
  return command
    .addOption(new Option('--stack <stack>', forDecide('web framework')).choices(STACK_CHOICES))
    .option('--out <folder>', forDecide('folder for generated files, relative to the project'))
    .addOption(new Option('--store <store>', forDecide('where credentials live')).choices(STORE_CHOICES))
    .addOption(new Option('--lang <lang>', forDecide('output language')).choices(['ts', 'js']))
    .addOption(new Option('--module <format>', forDecide('module format for JavaScript output')).choices(['esm', 'cjs']))
    .option('--force', forDecide('overwrite files that differ from what would be generated'))
    .option('--no-install', forDecide('print the install command instead of running it'));
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function buildProgram(context: CliContext, info: ProgramInfo): Command {
  const handlers: Handlers = { ...realHandlers, ...info.handlers };
  const program = new Command('auth-decide')
    .description('Choose how callers authenticate to your REST API, record why, and scaffold tested auth code.')
    .version(info.version, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
    })
    .exitOverride()
    // Our own `help`, so `help nosuch` is an error instead of the general help.
    .helpCommand(false);

  const decide = program
    .command('decide', { isDefault: true })
    .description('answer a few questions, compare the four methods and write an auth decision record')
    .option('-a, --answers <file>', 'read answers from a JSON or YAML file (- for standard input) instead of asking')
    .option('-y, --yes', 'accept every default (with --answers: skip the confirmation)')
    .option('--json', 'print the decision as one JSON document on stdout')
    .option('--dry-run', 'show what would be written, write nothing')
    .option('--adr-dir <dir>', 'folder for decision records (default: detected)')
    .option('--title <title>', 'title of the decision record')
    .option('--decision-makers <names>', 'comma-separated names for the record front matter')
    .option('--no-record', 'do not write a decision record')
    .option('--supersede', 'when a current auth decision record exists, write a new one that supersedes it')
    .option('--scaffold', 'scaffold the plan after deciding, without asking');
  addScaffoldOptions(decide, 'decide')
    // `decide` is the default command, so a mistyped command name lands here as an operand.
    .allowExcessArguments(true)
    .action(async (options, command: Command) => {
      const [unknown] = command.args;
      if (unknown !== undefined) unknownCommand(unknown);
      await handlers.decide({ ...options, context, version: info.version });
    });

  program
    .command('explain')
    .description('show what the knowledge base says about one method and its variants, or the whole method × dimension matrix')
    .argument('[method]', 'api-key | oauth | jwt | session')
    .option('-a, --answers <file>', 'show the ratings and scores as they come out for these answers (JSON or YAML)')
    .option('--json', 'print as JSON')
    .action(async (method: string | undefined, options) => {
      await handlers.explain({ ...options, method, context });
    });

  const scaffold = program
    .command('scaffold')
    .description("generate the decision's plan as working, tested auth code for your stack")
    .addOption(new Option('--method <method>', 'add or refresh one method (default: the whole plan)').choices(['api-key', 'jwt', 'session', 'oauth']))
    .option('--variant <variant>', 'with --method: which variant of it (e.g. session cookie | token)')
    .option('--boundary <id>', 'with --method: the route group that accepts it (e.g. partners)')
    .addOption(new Option('--token-format <format>', 'with --method oauth: access-token format').choices(['opaque', 'jwt']))
    .option('--issuer <url>', 'with --method oauth --variant resource-server: the issuer whose tokens the API trusts (written to .env.example)')
    .option('--audience <id>', 'with --method oauth --variant resource-server: the API\'s identifier at that issuer, the aud of its tokens')
    .addOption(new Option('--oauth-mode <mode>', 'with --method oauth: client connects your app to people\'s accounts at another provider').choices(['provider', 'client']))
    .option('--dir <project>', 'project folder (default: the project the current folder is in)');
  addScaffoldOptions(scaffold, 'scaffold')
    .option('--dry-run', 'show the plan, write and install nothing')
    .option('-y, --yes', 'do not ask; use detected and recorded defaults')
    .option('--json', 'print the plan and result as JSON')
    .action(async (options) => {
      await handlers.scaffold({ ...options, context });
    });

  program
    .command('revisit')
    .description('re-decide when one of the review triggers has fired')
    .option('-a, --answers <file>', 'changed answers only (JSON or YAML; - for standard input), merged onto the recorded ones')
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
      await handlers.revisit({ ...options, context, version: info.version });
    });

  program
    .command('check')
    .description('for CI: exit 1 when the auth decision needs a review, 0 when all is well')
    .option('--adr-dir <dir>', 'folder for decision records (default: detected)')
    .option('--strict', 'treat edited or deleted generated files as a failure')
    .option('--json', 'print the findings as JSON')
    .action(async (options) => {
      await handlers.check({ ...options, context });
    });

  program
    .command('inspect')
    .description('decode a JWT, API key or session token offline and flag its risks (never sent anywhere)')
    .argument('<credential>', 'the token or key, an Authorization header, or - to read it from stdin (keeps it out of shell history)')
    .option('--json', 'print the findings as one JSON document')
    .option('--strict', 'exit 1 when the credential shows risks or errors')
    .option('--adr-dir <dir>', 'folder for decision records, whose plan sets the expected lifetimes (default: detected)')
    .action(async (credential: string, options) => {
      const { runInspect } = await import('./commands/inspect.js');
      await runInspect({ ...options, credential, context });
    });

  program
    .command('help')
    .description('show help for a command')
    .argument('[command]', 'the command to explain')
    .action((name: string | undefined) => {
      if (name === undefined) return program.help();
      const command = program.commands.find((candidate) => candidate.name() === name);
      if (command === undefined) unknownCommand(name);
      command.help();
    });

  /** An unknown command name is bad usage, with the names that exist. */
  function unknownCommand(name: string): never {
    const names = program.commands.map((command) => command.name());
    const close = names.find((candidate) => candidate.startsWith(name.slice(0, 3)) || name.startsWith(candidate));
    program.error(
      `error: unknown command '${name}'${close ? ` (did you mean '${close}'?)` : ''}\nThe commands: ${names.join(', ')}.`,
      { code: 'commander.unknownCommand', exitCode: 2 },
    );
    // NOTE: program.error throws (exitOverride); this line only satisfies the type checker.
    throw new Error('unreachable');
  }

  return program;
}
