// Progressive enhancement only: every page works without this file.
// Send the session's CSRF token with htmx requests that change data.
document.addEventListener('htmx:configRequest', function (event) {
  var field = document.querySelector('input[name="csrf"]');
  if (field && event.detail.verb !== 'get') {
    event.detail.headers['X-CSRF-Token'] = field.value;
  }
});


// After htmx replaced search results, announce only the new result count (a live region around
// the whole table would make screen readers read every row on each keystroke).
document.addEventListener('htmx:afterSwap', function (event) {
  var target = event.detail.target;
  var status = document.getElementById('facility-status');
  if (!status || !target || target.id !== 'facility-results') return;
  var count = target.querySelector('.kn-result-count');
  status.textContent = count ? count.textContent : '';
});
