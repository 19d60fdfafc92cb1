// The Node.js the CLI needs (package.json `engines`), checked before anything else loads: run with an older Node (e.g.
// `node bin/huixin.js` where the system has Node 20) the CLI would otherwise die on a module Node 22 brought
// (node:sqlite) with a stack trace.
export const MIN_NODE = [22, 19];

/** The bilingual message for a Node.js version that is too old, or undefined when `version` (e.g. "22.19.0") will do. */
export function nodeTooOld(version) {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  if (major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1])) return undefined;
  const want = MIN_NODE.join('.');
  return (
    `huixin: 需要 Node.js ${want} 或更高版本（当前 v${version.replace(/^v/, '')}）：请用 npx huixin … 或 npm start / npm test，它们使用项目自带的 Node 22。\n` +
    `huixin: needs Node.js >= ${want} (this is v${version.replace(/^v/, '')}): run it as \`npx huixin …\` or through the npm scripts, which use the project's own Node 22.\n`
  );
}

/** Stop the process (exit 2) with that message when this Node.js is too old. */
export function exitIfNodeTooOld() {
  const tooOld = nodeTooOld(process.versions.node);
  if (!tooOld) return;
  process.stderr.write(tooOld);
  process.exit(2);
}
