// The parallel-requests page: N concurrent POSTs to api/attribute, each setting its own attribute to this
// run's token, then one GET of api/session to check that every one of them is there.
(function () {
  'use strict';
  var form = document.getElementById('parallel-form');
  var result = document.getElementById('result');

  function post(name, value) {
    return fetch('api/attribute', {
      method: 'POST',
      credentials: 'same-origin',
      cache: 'no-store',
      headers: {'Content-Type': 'application/x-www-form-urlencoded'},
      body: new URLSearchParams({name: name, value: value})
    }).then(function (r) {
      if (!r.ok) {
        throw new Error(name + ': HTTP ' + r.status);
      }
      return r.json();
    });
  }

  function fill(tbody, rows) {
    tbody.textContent = '';
    rows.forEach(function (row) {
      var tr = document.createElement('tr');
      row.forEach(function (text) {
        var td = document.createElement('td');
        td.textContent = text;
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
  }

  function pad(i) {
    return (i < 10 ? '0' : '') + i;
  }

  function run(count) {
    var token = Math.random().toString(36).slice(2, 10);
    result.className = '';
    result.removeAttribute('data-kept');
    result.textContent = 'Firing ' + count + ' requests...';
    // One request first: if the first requests of a visitor ran in parallel, each would create its own session.
    return post('parallel-run', token).then(function () {
      var all = [];
      for (var i = 0; i < count; i++) {
        all.push(post('parallel-' + pad(i), token));
      }
      return Promise.all(all);
    }).then(function (answers) {
      var perNode = {};
      answers.forEach(function (a) { perNode[a.node] = (perNode[a.node] || 0) + 1; });
      fill(document.querySelector('#served tbody'), Object.keys(perNode).sort().map(function (n) {
        return [n, String(perNode[n])];
      }));
      return fetch('api/session', {cache: 'no-store', credentials: 'same-origin'}).then(function (r) {
        return r.json();
      });
    }).then(function (state) {
      var attributes = (state.session && state.session.attributes) || {};
      var rows = [];
      var kept = 0;
      for (var i = 0; i < count; i++) {
        var name = 'parallel-' + pad(i);
        var value = attributes[name];
        if (value === token) {
          kept++;
        }
        rows.push([name, value === undefined ? '(lost)' : value === token ? value : value + ' (stale)']);
      }
      fill(document.querySelector('#attributes tbody'), rows);
      result.dataset.total = String(count);
      result.dataset.kept = String(kept);
      result.className = kept === count ? 'ok' : 'lost';
      result.textContent = kept === count
        ? 'All ' + count + ' changes kept (read back from ' + state.node + ').'
        : (count - kept) + ' of ' + count + ' changes lost.';
    }).catch(function (e) {
      result.className = 'lost';
      result.dataset.total = String(count);
      result.dataset.kept = '0';
      result.textContent = 'Failed: ' + e.message;
    });
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var count = Math.max(1, Math.min(100, parseInt(document.getElementById('count').value, 10) || 20));
    run(count);
  });
})();
