#!/usr/bin/env node
import '../dist/aws2fa.js';
