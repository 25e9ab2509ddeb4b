// Progressive enhancement only: every page works without this file.
// Send the session's CSRF token with htmx requests that change data.
document.addEventListener('htmx:configRequest', function (event) {
  var field = document.querySelector('input[name="csrf"]');
  if (field && event.detail.verb !== 'get') {
    event.detail.headers['X-CSRF-Token'] = field.value;
  }
});
