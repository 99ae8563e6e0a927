import fs from 'node:fs/promises';
import path from 'node:path';
import { errnoCode } from '../errors.js';

/** What is wrong with one candidate file, or undefined when it can be executed. */
async function fileProblem(file: string): Promise<string | undefined> {
  let stats;
  try {
    stats = await fs.stat(file);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'not found';
    return `cannot be examined (${code ?? 'unknown error'})`;
  }
  if (!stats.isFile()) return 'not executable (not a regular file)';
  try {
    await fs.access(file, fs.constants.X_OK);
  } catch {
    return 'not executable';
  }
  return undefined;
}

/** A bare name is looked up in PATH as the shell does; the first executable one wins. */
async function searchProblem(name: string, searchPath: string): Promise<string | undefined> {
  let problem = `not found in PATH (${searchPath})`;
  for (const dir of searchPath.split(':')) {
    const found = await fileProblem(path.resolve('/', dir === '' ? '.' : dir, name));
    if (found === undefined) return undefined;
    if (found !== 'not found') problem = `${found} (in ${dir})`;
  }
  return problem;
}

/**
 * Why the shell could not exec `dsmc_executable` (it exited 126 or 127),
 * naming the path: `dsmc_executable /opt/x/dsmc: not found`. dsmc runs with
 * `/` as its working directory, so a relative path is taken from there.
 */
export async function diagnoseExecutable(executable: string, searchPath: string, shellCode: number): Promise<string> {
  const problem = executable.includes('/') ? await fileProblem(path.resolve('/', executable)) : await searchProblem(executable, searchPath);
  const what = problem ?? `could not be run (shell code ${shellCode}: an interpreter or program it needs may be missing)`;
  return `dsmc_executable ${executable}: ${what}`;
}
