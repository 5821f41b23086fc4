// The repository's package.json points Nx here. A path install (`npm i -D /path/to/clone`)
// links the unbuilt TypeScript sources, which Nx cannot load from a workspace ("loadTsFile could
// not find a workspace tsconfig"); so the plugin, every generator and every executor resolve to
// this file, which refuses with the route that works.
'use strict';
const path = require('node:path');
const { version } = require('../../package.json');

const quote = (text) => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`);
// With --install-links npm copies the folder into node_modules, where the clone's path is lost.
const clone = __dirname.split(path.sep).includes('node_modules') ? undefined : path.resolve(__dirname, '..', '..');
const steps = clone
  ? [`cd ${quote(clone)} && npm run pack`, `npm i -D ${quote(path.join(clone, `layered-${version}.tgz`))}`]
  : ['npm run pack                              # in your clone of layered', `npm i -D /path/to/clone/layered-${version}.tgz`];

throw new Error(
  [
    `layered: ${clone ?? 'this'} is a source checkout of layered, which Nx cannot load. Install the packed plugin instead:`,
    ...steps.map((line) => `  ${line}`),
  ].join('\n'),
);
