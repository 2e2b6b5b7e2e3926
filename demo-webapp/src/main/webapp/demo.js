// The live panel of the demo page: polls metrics.json through the balancer and keeps the latest
// counters of every node that answered. Round-robin balancing alternates the nodes, so two polls per
// tick show both. The load time shown is the mean over the loads since the node's previous sample (the
// mean since start is dominated by the first, cold requests). Plain browser JavaScript, no framework.
(function () {
  'use strict';
  var POLL_MILLIS = 1500;
  var latest = {};           // node name -> {metrics, at, recentLoadMillis}
  var body = document.querySelector('#metrics tbody');
  var tierTable = document.getElementById('tier-metrics');
  if (!body) {
    return;
  }

  function cell(text) {
    var td = document.createElement('td');
    td.textContent = text;
    return td;
  }

  function render() {
    var now = Date.now();
    body.textContent = '';
    Object.keys(latest).sort().forEach(function (node) {
      var m = latest[node].metrics;
      var tr = document.createElement('tr');
      tr.dataset.node = node;
      tr.appendChild(cell(node));
      if (!m.available) {
        var td = cell('memsession is not running on this node');
        td.colSpan = 7;
        tr.appendChild(td);
      } else {
        [m.loads, m.saves, m.touches, m.conflicts, m.droppedSaves, m.storeFailures].forEach(function (n) {
          tr.appendChild(cell(String(n)));
        });
        var millis = latest[node].recentLoadMillis;
        if (millis === null) {
          millis = m.meanLoadMillis;
        }
        tr.appendChild(cell(millis === null ? '-' : millis.toFixed(2) + ' ms'));
      }
      tr.appendChild(cell(Math.round((now - latest[node].at) / 1000) + ' s ago'));
      body.appendChild(tr);
    });
    renderTier();
  }

  // The durable tier's counters (metrics.json's "tier", null where the tier is off); the table stays
  // hidden until some node reports the tier on.
  function renderTier() {
    if (!tierTable) {
      return;
    }
    var tierBody = tierTable.querySelector('tbody');
    tierBody.textContent = '';
    var any = false;
    Object.keys(latest).sort().forEach(function (node) {
      var t = latest[node].metrics.tier;
      var tr = document.createElement('tr');
      tr.dataset.node = node;
      tr.appendChild(cell(node));
      if (t) {
        any = true;
        [t.databaseStatements, t.cacheMisses, t.databaseFailures].forEach(function (n) {
          tr.appendChild(cell(String(n)));
        });
      } else {
        var td = cell('off');
        td.colSpan = 3;
        tr.appendChild(td);
      }
      tierBody.appendChild(tr);
    });
    tierTable.hidden = !any;
  }

  function pollOnce() {
    return fetch('metrics.json', {cache: 'no-store', credentials: 'same-origin'})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (m) {
        if (m && m.node) {
          var before = latest[m.node];
          var recent = before ? before.recentLoadMillis : null;
          if (before && m.available && m.loads > before.metrics.loads) {
            recent = (m.loadNanos - before.metrics.loadNanos) / (m.loads - before.metrics.loads) / 1e6;
          }
          latest[m.node] = {metrics: m, at: Date.now(), recentLoadMillis: recent};
        }
      })
      .catch(function () { /* a node is down or restarting: keep its last numbers, their age shows it */ });
  }

  function tick() {
    pollOnce().then(pollOnce).then(render).then(function () {
      setTimeout(tick, POLL_MILLIS);
    });
  }
  tick();
})();
