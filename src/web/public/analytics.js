// First-party analytics, loaded only after the visitor accepts analytics cookies: reports the page path.
(function () {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (!meta || !window.fetch) return;
  fetch('/analytics/collect', {
    method: 'POST', credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-csrf-token': meta.getAttribute('content') },
    body: JSON.stringify({ path: location.pathname }),
  }).catch(function () {});
})();
