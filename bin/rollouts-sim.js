#!/usr/bin/env node
// Runs the compiled emulator; `npm install` builds dist/ through the prepare script.
import '../dist/sim/cli.js';
