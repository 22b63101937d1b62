#!/usr/bin/env node
// CommonJS (see bin/package.json): starting needs no ES module loader.
'use strict';
const { join } = require('node:path');

const dist = join(__dirname, '..', 'dist');
// auth-decide's own modules run from a V8 code cache; Node 22+ caches the dependencies' code.
require(join(dist, 'cli', 'compile-cache.js')).useCompileCache(dist);
require('node:module').enableCompileCache?.();
require(join(dist, 'cli', 'index.js'));
