/**
 * Which AWS SDK commands a bundle can send, read from the bundle itself (its unminified esbuild
 * output, see bundles.ts), so the list follows the code without anyone keeping it.
 *
 * esbuild starts each source file's code with a `// <path>` line. Code from the SDK's own
 * packages (`@aws-sdk/*`, `@smithy/*`, `@aws-crypto/*`) defines the commands; everything else
 * (our sources and other libraries, e.g. sqs-consumer) is where calls are made. A call is
 * `new XxxCommand(`, or a paginator or waiter of the SDK, whose commands are the ones its own
 * code names. The command's package (e.g. `@aws-sdk/client-iot`) is where its class is defined.
 * An aggregated client (`new IoT()`, `iot.createThing()`) cannot be read this way and is reported.
 */
export interface SdkCall {
  /** The command class, e.g. `CreateThingCommand`. */
  command: string;
  /** The package that defines it, e.g. `@aws-sdk/client-iot`. */
  pkg: string;
  /** The source files whose code sends it, e.g. `src/provisioning/steps/thing.ts`. */
  sentFrom: string[];
  /**
   * For a DynamoDB write transaction: the item operations (`Put`, `Update`, `Delete`,
   * `ConditionCheck`) written in the code of the files that send it, each authorised on its own.
   */
  transactItems?: string[];
}

export interface SdkScan {
  calls: SdkCall[];
  /** Constructs the scan cannot turn into commands; each is a reason to fail. */
  problems: string[];
}

interface Section {
  path: string;
  code: string;
}

const SECTION_START = /^\/\/ ((?:node_modules|[\w.@-]+)\/[^\s]+\.(?:[cm]?js|[cm]?ts|json))$/gm;
const SDK_PACKAGE =
  /(?:^|\/)node_modules\/(@aws-sdk\/[^/]+|@smithy\/[^/]+|@aws-crypto\/[^/]+)\/(?!.*node_modules\/)/;

export function splitSections(text: string): Section[] {
  const starts = [...text.matchAll(SECTION_START)];
  return starts.map((m, i) => ({
    path: m[1] ?? '',
    code: text.slice(m.index + m[0].length, starts[i + 1]?.index ?? text.length),
  }));
}

/** `@aws-sdk/client-iot` for a file of that package (the innermost node_modules wins). */
export function sdkPackageOf(path: string): string | undefined {
  return SDK_PACKAGE.exec(path)?.[1];
}

/** esbuild renames a second `GetCommand` in the bundle `GetCommand2`. */
const baseName = (identifier: string) => identifier.replace(/\d+$/, '');

export function scanSdkCalls(text: string): SdkScan {
  const sections = splitSections(text);
  const commands = new Map<string, string>(); // identifier → package
  const helpers = new Map<string, { pkg: string; code: string }>(); // paginateX / waitUntilX
  const aggregated = new Set<string>();
  for (const { path, code } of sections) {
    const pkg = sdkPackageOf(path);
    if (pkg === undefined) continue;
    for (const m of code.matchAll(/^var (\w+Command\d*) = class\b/gm)) commands.set(m[1] ?? '', pkg);
    for (const m of code.matchAll(
      /^(?:var|async function\*?|function\*?) ((?:paginate|waitUntil)[A-Z]\w*)\b/gm,
    )) {
      helpers.set(m[1] ?? '', { pkg, code });
    }
    for (const m of code.matchAll(/^var (\w+) = class extends (\w+Client)\d* \{/gm))
      aggregated.add(m[1] ?? '');
  }

  const calls = new Map<string, SdkCall>();
  const problems: string[] = [];
  const record = (identifier: string, pkg: string, from: string, code: string) => {
    const command = baseName(identifier);
    const key = `${pkg} ${command}`;
    const call: SdkCall = calls.get(key) ?? { command, pkg, sentFrom: [] };
    if (!call.sentFrom.includes(from)) call.sentFrom.push(from);
    if (/^TransactWrite(Items)?Command$/.test(command)) {
      const kinds = [...code.matchAll(/\b(Put|Update|Delete|ConditionCheck)\s*:\s*\{/g)].map(
        (k) => k[1] ?? '',
      );
      call.transactItems = [...new Set([...(call.transactItems ?? []), ...kinds])].sort();
    }
    calls.set(key, call);
  };
  for (const { path, code } of sections) {
    if (sdkPackageOf(path) !== undefined) continue;
    for (const m of code.matchAll(/\bnew\s+(\w+Command\d*)\s*\(/g)) {
      const pkg = commands.get(m[1] ?? '');
      // Another library's own `...Command` class, not an AWS request.
      if (pkg !== undefined) record(m[1] ?? '', pkg, path, code);
    }
    for (const m of code.matchAll(/\b((?:paginate|waitUntil)[A-Z]\w*)\s*\(/g)) {
      const helper = helpers.get(m[1] ?? '');
      if (helper === undefined) continue;
      const used = [...helper.code.matchAll(/\b(\w+Command\d*)\b/g)]
        .map((c) => c[1] ?? '')
        .filter((c) => commands.has(c));
      if (used.length === 0) problems.push(`${path}: cannot tell which commands ${m[1] ?? ''}() sends`);
      for (const c of new Set(used)) record(c, commands.get(c) ?? helper.pkg, path, code);
    }
    for (const m of code.matchAll(/\bnew\s+(\w+)\s*\(/g)) {
      if (aggregated.has(m[1] ?? '')) {
        problems.push(
          `${path}: 'new ${m[1] ?? ''}(...)' is an aggregated SDK client; send commands (client.send(new XxxCommand(...))) so the IAM check can see them`,
        );
      }
    }
  }
  return {
    calls: [...calls.values()].sort((a, b) => `${a.pkg} ${a.command}`.localeCompare(`${b.pkg} ${b.command}`)),
    problems,
  };
}
