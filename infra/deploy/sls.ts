import { spawn } from 'node:child_process';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { buildAll } from './build.js';
import { ROOT, type BundleName } from './bundles.js';

/**
 * Runs the Serverless Framework (v3, the project's own copy) on freshly built bundles:
 *
 *   tsx infra/deploy/sls.ts package [serverless options]   (`npm run package`)
 *   tsx infra/deploy/sls.ts deploy --stage prod [--param="auth=jwt" ...]
 *   tsx infra/deploy/sls.ts remove --stage prod
 *
 * `package` works offline: it needs no account, no login and no credentials (checked with none
 * configured and no network); telemetry and update notices are turned off.
 */
const SERVERLESS = join(ROOT, 'node_modules', 'serverless', 'bin', 'serverless.js');
/** The bundles serverless.yml packages (the container bundle goes into the image instead). */
export const LAMBDA_BUNDLES: BundleName[] = ['api', 'worker', 'lifecycle'];
/** Files serverless.yml reads, relative to the service directory. */
export const SERVICE_FILES = [
  'serverless.yml',
  'infra/deploy/resources.yml',
  'infra/deploy/iam-roles.yml',
  'infra/deploy/monitoring.yml',
];

const QUIET = {
  SLS_TELEMETRY_DISABLED: '1',
  SLS_NOTIFICATIONS_MODE: 'off',
  SLS_INTERACTIVE_SETUP_DISABLE: '1',
};
export function runServerless(
  args: string[],
  options: { cwd: string; quiet?: boolean },
): Promise<{ code: number; output: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...QUIET };
  // The emulator override is for the local service, never for CloudFormation.
  delete env.AWS_ENDPOINT_URL;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [SERVERLESS, ...args], {
      cwd: options.cwd,
      env,
      stdio: options.quiet === true ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => {
      resolvePromise({ code: code ?? 1, output });
    });
  });
}

/**
 * `serverless package` of this service into `outDir`, from a copy in `serviceDir` (so tests and
 * parallel runs do not share `dist/`). Returns the path of the CloudFormation template. The
 * template does not depend on the bundles' contents, so `bundles: 'placeholder'` packages empty
 * ones, for tests of the template alone.
 */
export async function packageService(options: {
  serviceDir: string;
  outDir: string;
  stage?: string;
  params?: Record<string, string>;
  bundles?: 'build' | 'placeholder';
}): Promise<string> {
  const serviceDir = resolve(options.serviceDir);
  if (serviceDir !== resolve(ROOT)) {
    for (const file of SERVICE_FILES) {
      await mkdir(join(serviceDir, file, '..'), { recursive: true });
      await cp(join(ROOT, file), join(serviceDir, file));
    }
  }
  if (options.bundles === 'placeholder') {
    for (const name of LAMBDA_BUNDLES) {
      await mkdir(join(serviceDir, 'dist', name), { recursive: true });
      await writeFile(join(serviceDir, 'dist', name, 'index.mjs'), '// placeholder\n');
    }
  } else {
    await buildAll(join(serviceDir, 'dist'), LAMBDA_BUNDLES);
  }
  const params = Object.entries(options.params ?? {}).map(([k, v]) => `--param=${k}=${v}`);
  const args = [
    'package',
    '--stage',
    options.stage ?? 'dev',
    '--package',
    resolve(options.outDir),
    ...params,
  ];
  const result = await runServerless(args, { cwd: serviceDir, quiet: true });
  if (result.code !== 0)
    throw new Error(`serverless package failed (exit ${result.code}):\n${result.output}`);
  return join(resolve(options.outDir), 'cloudformation-template-update-stack.json');
}

const invokedAsScript =
  process.argv[1] !== undefined && resolve(process.argv[1]) === new URL(import.meta.url).pathname;
if (invokedAsScript) {
  const [command = 'package', ...rest] = process.argv.slice(2);
  // Only commands that upload or package code need fresh bundles (not `remove`, `info`, ...).
  if (command === 'package' || command === 'deploy') await buildAll(join(ROOT, 'dist'), LAMBDA_BUNDLES);
  const { code } = await runServerless([command, ...rest], { cwd: ROOT });
  process.exitCode = code;
}
