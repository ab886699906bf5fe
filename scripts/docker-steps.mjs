// Replays the Dockerfile without a container engine: each stage is a temporary folder standing for
// the image's root; COPY takes the build context's files (the working tree as git sees it: tracked and
// untracked files, not ignored ones) or another stage's; RUN runs in the stage's folder with its ENV;
// the last stage's CMD is started as the USER (its uid in the image where this machine lacks it),
// its HEALTHCHECK run, /healthz and /console fetched, then it is stopped with SIGTERM. Any
// `npm warn` line a RUN prints fails the replay (a fresh install must not warn).
// Prints one JSON summary line and exits 0 when every check passed.
//   node scripts/docker-steps.mjs [--keep]      (--keep leaves the temporary folder for inspection)
// Deviations from `docker build`: npm uses this machine's cache (--prefer-offline) and Node version,
// and better-sqlite3's prebuilt binary, which a real build downloads from GitHub, is put in npm's
// prebuild cache from this checkout's node_modules (with no network it would compile for minutes).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const CONTEXT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const step = (line) => console.error(`docker-steps: ${line}`);
class StepFailed extends Error {}
const fail = (problem) => {
  throw new StepFailed(problem);
};

/** Dockerfile lines with continuations joined, comments dropped: [instruction, rest]. */
function instructions(text) {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [, instruction, rest] = /^(\S+)\s+(.*)$/.exec(line);
      return [instruction.toUpperCase(), rest];
    });
}

/** The build context as `docker build .` would get it from a clean checkout of this working tree. */
function contextFiles() {
  return execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: CONTEXT,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((file) => file !== '' && existsSync(join(CONTEXT, file)));
}

/** Docker's COPY: a file lands in the destination (inside it when that is a folder), a folder's contents under it. */
function copyFromContext(sources, destination, intoFolder, files) {
  for (const source of sources) {
    const prefix = source.replace(/\/$/, '');
    const matched = files.filter((file) => file === prefix || file.startsWith(`${prefix}/`));
    if (matched.length === 0) fail(`COPY ${source}: not in the build context`);
    for (const file of matched) {
      const target =
        file !== prefix
          ? join(destination, file.slice(prefix.length + 1))
          : intoFolder
            ? join(destination, basename(file))
            : destination;
      mkdirSync(dirname(target), { recursive: true });
      cpSync(join(CONTEXT, file), target);
    }
  }
}

const freePort = () =>
  new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });

/** Users of the base images that this machine may lack: the official Node images' `node`. */
const IMAGE_USERS = { node: { uid: 1000, gid: 1000 } };

/** uid and gid of a user of this machine, for setpriv. */
function ids(user) {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${user}:`));
  if (!line) return undefined;
  const [, , uid, gid] = line.split(':');
  return { user, uid: Number(uid), gid: Number(gid) };
}

async function waitFor(url, child) {
  for (let tries = 0; tries < 300; tries++) {
    if (child.exitCode !== null) fail(`the service exited with ${child.exitCode} before answering`);
    try {
      return await fetch(url);
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  fail(`${url} did not answer within 30 s`);
}

/** Seeds npm's prebuild cache with the compiled better-sqlite3 of this checkout, where prebuild-install looks before downloading. */
function seedPrebuildCache() {
  const packageDir = join(CONTEXT, 'node_modules', 'better-sqlite3');
  if (!existsSync(join(packageDir, 'build', 'Release', 'better_sqlite3.node'))) return;
  const fromPackage = createRequire(join(packageDir, 'package.json'));
  const util = fromPackage('prebuild-install/util');
  const pkg = fromPackage('./package.json');
  const cached = util.cachedPrebuild(util.getDownloadUrl({ ...fromPackage('prebuild-install/rc')(pkg), pkg }));
  if (existsSync(cached)) return;
  mkdirSync(dirname(cached), { recursive: true });
  execFileSync('tar', ['-czf', cached, '-C', packageDir, 'build/Release/better_sqlite3.node']);
  step(`seeded ${cached} from node_modules/better-sqlite3`);
}

/** A build step sees only the image's own environment, not this shell's (NODE_ENV, npm settings). */
const baseEnv = { PATH: process.env.PATH, HOME: process.env.HOME };

const root = mkdtempSync(join(tmpdir(), 'call-guard-docker-'));
chmodSync(root, 0o755); // the unprivileged user must reach the final stage
const summary = {};
try {
  seedPrebuildCache();
  const files = contextFiles();
  const stages = [];
  let stage;
  for (const [instruction, rest] of instructions(readFileSync(join(CONTEXT, 'Dockerfile'), 'utf8'))) {
    if (instruction === 'FROM') {
      const name = /\bAS\s+(\S+)/i.exec(rest)?.[1] ?? String(stages.length);
      const created = {
        name,
        dir: join(root, name),
        workdir: '/',
        env: {},
        user: 'root',
        cmd: undefined,
        healthcheck: undefined,
      };
      /** A path in this stage's image: absolute, or relative to its WORKDIR. */
      created.path = (path) => join(created.dir, path.startsWith('/') ? path : join(created.workdir, path));
      mkdirSync(created.dir);
      stages.push((stage = created));
      step(`FROM ${rest}`);
    } else if (instruction === 'WORKDIR') {
      stage.workdir = rest;
      mkdirSync(stage.path('.'), { recursive: true });
    } else if (instruction === 'ENV') {
      for (const [, key, value] of rest.matchAll(/(\w+)=(\S+)/g))
        stage.env[key] = value.startsWith('/') ? stage.path(value) : value;
    } else if (instruction === 'COPY') {
      const from = /^--from=(\S+)\s+/.exec(rest);
      const sources = (from ? rest.slice(from[0].length) : rest).split(/\s+/);
      const destinationArgument = sources.pop();
      const intoFolder = destinationArgument.endsWith('/') || sources.length > 1;
      const destination = stage.path(destinationArgument);
      if (from) {
        const source = stages.find((s) => s.name === from[1]);
        for (const path of sources) {
          const target = intoFolder ? join(destination, basename(path)) : destination;
          cpSync(source.path(path), target, { recursive: true });
        }
      } else copyFromContext(sources, destination, intoFolder, files);
      step(`COPY ${rest}`);
    } else if (instruction === 'RUN') {
      step(`RUN ${rest}`);
      const { status, stdout, stderr } = spawnSync('sh', ['-c', rest], {
        cwd: stage.path('.'),
        encoding: 'utf8',
        maxBuffer: 64 * 2 ** 20,
        env: { ...baseEnv, ...stage.env, npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false' },
      });
      process.stderr.write(stdout + stderr);
      // A clean install says nothing to worry about: any warning npm prints is reported.
      summary.npmWarnings = [
        ...(summary.npmWarnings ?? []),
        ...`${stdout}\n${stderr}`.split('\n').filter((line) => line.startsWith('npm warn')),
      ];
      if (status !== 0) fail(`RUN ${rest} exited with ${status}`);
    } else if (instruction === 'USER') stage.user = rest;
    else if (instruction === 'CMD') stage.cmd = JSON.parse(rest);
    else if (instruction === 'HEALTHCHECK') stage.healthcheck = /\bCMD\s+(.*)$/.exec(rest)?.[1];
  }

  const final = stages.at(-1);
  const modules = final.path('node_modules');
  summary.tsxShipped = existsSync(join(modules, 'tsx'));
  summary.typescriptShipped = existsSync(join(modules, 'typescript'));
  const ortBin = join(modules, 'onnxruntime-node', 'bin', 'napi-v6');
  summary.onnxruntimePlatforms = readdirSync(ortBin).flatMap((platform) =>
    readdirSync(join(ortBin, platform)).map((arch) => `${platform}/${arch}`),
  );

  // Only root can switch users; anyone else runs the service as themselves (the check below still wants a non-root uid).
  const imageUser = IMAGE_USERS[final.user] && {
    user: `${final.user} (uid ${IMAGE_USERS[final.user].uid}, as in the image)`,
    ...IMAGE_USERS[final.user],
  };
  const runAs = process.getuid?.() === 0 ? (ids(final.user) ?? imageUser ?? ids('nobody')) : undefined;
  const port = await freePort();
  const env = { ...baseEnv, ...final.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
  const [command, ...args] = runAs
    ? ['setpriv', `--reuid=${runAs.uid}`, `--regid=${runAs.gid}`, '--clear-groups', ...final.cmd]
    : final.cmd;
  summary.user = runAs?.user ?? `uid ${process.getuid?.()}`;
  step(`CMD ${final.cmd.join(' ')} as ${summary.user} on port ${port}`);
  const service = spawn(command, args, { cwd: final.path('.'), env, stdio: ['ignore', 'inherit', 'inherit'] });
  try {
    const base = `http://127.0.0.1:${port}`;
    summary.healthz = (await waitFor(`${base}/healthz`, service)).status;
    summary.serviceUid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${service.pid}/status`, 'utf8'))?.[1]);
    if (final.healthcheck) {
      try {
        execFileSync('sh', ['-c', final.healthcheck], { cwd: final.path('.'), env, stdio: 'inherit' });
        summary.healthcheck = 'passed';
      } catch {
        summary.healthcheck = 'failed';
      }
    }
    const page = await fetch(`${base}/console`);
    summary.console = page.status;
    summary.consoleIsHtml = (await page.text()).includes('<html');
    summary.consoleScript = (await fetch(`${base}/console/console.js`)).status;
  } finally {
    service.kill('SIGTERM');
    const [code] = service.exitCode === null ? await once(service, 'exit') : [service.exitCode];
    summary.exitOnSigterm = code;
  }
  summary.imageMiB = Math.round(sizeOf(final.dir) / 2 ** 20);
} catch (error) {
  if (!(error instanceof StepFailed)) throw error;
  summary.failure = error.message;
} finally {
  if (keep) step(`left ${root}`);
  else rmSync(root, { recursive: true, force: true });
}

function sizeOf(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  return stat.isDirectory()
    ? readdirSync(path).reduce((total, entry) => total + sizeOf(join(path, entry)), 0)
    : stat.size;
}

const expected = `${process.platform}/${process.arch}`;
const passed =
  summary.failure === undefined &&
  summary.healthz === 200 &&
  summary.console === 200 &&
  summary.consoleIsHtml &&
  summary.consoleScript === 200 &&
  summary.healthcheck !== 'failed' &&
  summary.serviceUid !== 0 &&
  summary.exitOnSigterm === 0 &&
  summary.npmWarnings?.length === 0 &&
  !summary.tsxShipped &&
  !summary.typescriptShipped &&
  summary.onnxruntimePlatforms?.join() === expected;
console.log(JSON.stringify({ passed, ...summary }));
process.exit(passed ? 0 : 1);
