// Preloaded into Prisma CLI processes only. The wasm schema engine arms a 10 s timer on every run and never
// clears it, so `migrate deploy` sat idle for 10 s after finishing. An unref'd timer still fires while the
// engine has work in flight (its sockets keep the process alive) but no longer holds an idle process open.
'use strict';
const originalSetTimeout = global.setTimeout;
global.setTimeout = function setTimeoutUnrefLong(callback, ms, ...args) {
  const timer = originalSetTimeout.call(this, callback, ms, ...args);
  if (typeof ms === 'number' && ms >= 10_000 && timer && typeof timer.unref === 'function') timer.unref();
  return timer;
};
