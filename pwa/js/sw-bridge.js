// The page's side of the service worker: register it, and offer an update instead of swapping
// code under the person's hand (the waiting worker takes over only when they tap "Reload").

export async function registerWorker({ onUpdateReady }) {
  if (!("serviceWorker" in navigator)) return null;
  const registration = await navigator.serviceWorker.register("/sw.js", {
    type: "module", scope: "/", updateViaCache: "none",
  });
  let reloading = false;
  let controlled = Boolean(navigator.serviceWorker.controller);
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (reloading) window.location.reload();
    // Another tab took the update: this one keeps running its code until the person reloads it.
    else if (controlled) onUpdateReady(() => window.location.reload());
    controlled = true;
  });
  const offer = (worker) => onUpdateReady(() => {
    reloading = true;
    worker.postMessage({ type: "skip-waiting" });
  });
  const watch = (worker) => {
    worker.addEventListener("statechange", () => {
      if (worker.state === "installed" && navigator.serviceWorker.controller) offer(worker);
    });
  };
  if (registration.waiting && navigator.serviceWorker.controller) offer(registration.waiting);
  if (registration.installing) watch(registration.installing);
  registration.addEventListener("updatefound", () => watch(registration.installing));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") registration.update().catch(() => {});
  });
  return registration;
}
