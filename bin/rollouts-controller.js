#!/usr/bin/env node
import '../dist/src/controller/cli.js';
