/**
 * `npm run demo`. The end-to-end omnichannel demo arrives with the decide module; until then this runs the best
 * example available and says so.
 */
console.log('crosschannel demo — the decide pipeline has not landed yet; running examples/time-windows.ts instead.\n');
await import('./time-windows.js');
