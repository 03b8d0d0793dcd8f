import './loopback-guard.js';
