import { version as platformVersion } from 'zapier-platform-core';
import { authentication } from './authentication';
import { triggers } from './triggers';
import { creates } from './creates';
import { addApiAuth } from './transport';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../package.json') as { version: string };

/** The Zapier app: Zapier loads `index.js`, the bundle of this file. */
const App = {
  version,
  platformVersion,
  authentication,
  beforeRequest: [addApiAuth],
  triggers,
  creates,
};

export = App;
