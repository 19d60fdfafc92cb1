/**
 * The embedded default's data folder (HUIXIN_DATA_DIR) holds password hashes, raw mail, evidence with the persona's
 * phone number and the reply secret: only its owner may enter it. `privateDir` creates a folder 0700 — the data
 * folder and each of its subfolders — and tightens one that exists with wider permissions (an older huixin made
 * them 0755), saying so once in one line. With the folder closed, the files inside are out of others' reach
 * whatever their own mode.
 */
import { chmodSync, mkdirSync, statSync } from 'node:fs';

const PRIVATE_DIR_MODE = 0o700;

/** Folders already made private by this process (the CLI opens the stores once; tests many times). */
const done = new Set<string>();

/** Create `dir` 0700 (with its missing parents), or chmod an existing one to 0700 with a notice. Returns `dir`. */
export function privateDir(dir: string, log: (line: string) => void = (l) => process.stderr.write(`huixin: ${l}\n`)): string {
  if (done.has(dir)) return dir;
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const mode = statSync(dir).mode & 0o777;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    chmodSync(dir, PRIVATE_DIR_MODE);
    log(`数据目录权限已从 ${mode.toString(8).padStart(4, '0')} 收紧为 0700 / tightened ${dir} from ${mode.toString(8).padStart(4, '0')} to 0700 (owner only)`);
  }
  done.add(dir);
  return dir;
}
