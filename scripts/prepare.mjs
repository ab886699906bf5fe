// npm runs this after `npm ci` / `npm install`: it builds what `npm start` runs (dist/). Under
// `npm ci --omit=dev` the compilers are absent: the build made before (the Docker build stage) is kept.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const installed = (name) => {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
};
if (installed('typescript') && installed('esbuild')) {
  const { status } = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  process.exitCode = status ?? 1;
} else if (!existsSync('dist/src/main.js')) {
  console.log(
    'call-guard: dev dependencies are omitted and dist/ was never built, so `npm start` cannot run yet: run `npm ci` once with them.',
  );
}
