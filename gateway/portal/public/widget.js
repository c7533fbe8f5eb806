// The approval-count widget: signs in with a token, subscribes to
// approvalCountChanged over graphql-ws and keeps one badge per system.
// Data is written with textContent only: counts and names come from outside.
(function () {
  'use strict';
  var SUBSCRIPTION = 'subscription { approvalCountChanged { total items { system { id name url } count updatedAt url } } }';
  var $ = function (id) {
    return document.querySelector('[data-testid="' + id + '"]');
  };
  var client = null;

  function tokenFromPage() {
    var match = /(?:^|[#&])token=([^&]+)/.exec(location.hash);
    if (match) {
      sessionStorage.setItem('gatehouse.token', decodeURIComponent(match[1]));
      history.replaceState(null, '', location.pathname + location.search); // keep the token out of the address bar
    }
    return sessionStorage.getItem('gatehouse.token');
  }

  function setStatus(text, live) {
    var status = $('status');
    status.textContent = text;
    status.classList.toggle('live', Boolean(live));
  }

  function showError(message) {
    var error = $('error');
    error.textContent = message || '';
    error.hidden = !message;
  }

  function render(summary) {
    $('total').textContent = String(summary.total);
    var list = $('badges');
    list.replaceChildren();
    summary.items.forEach(function (item) {
      var link = document.createElement('a');
      link.href = /^https?:\/\//.test(item.url) ? item.url : '#';
      link.target = '_top';
      link.dataset.system = item.system.id;
      var name = document.createElement('span');
      name.className = 'name';
      name.textContent = item.system.name;
      var count = document.createElement('span');
      count.className = 'count';
      count.textContent = String(item.count);
      link.append(name, count);
      var entry = document.createElement('li');
      entry.append(link);
      list.append(entry);
    });
    $('empty').hidden = summary.items.length > 0;
  }

  function subscribe(token) {
    if (client) client.dispose();
    $('signin').hidden = true;
    var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/graphql';
    client = graphqlWs.createClient({
      url: url,
      connectionParams: { Authorization: 'Bearer ' + token },
      retryAttempts: Infinity,
      shouldRetry: function (event) {
        return !(event && event.code === 4403);
      },
      on: {
        connected: function () {
          setStatus('live', true);
          showError('');
        },
        closed: function (event) {
          if (event && event.code === 4403) {
            signOut('Your sign-in is no longer valid; sign in again.');
            return;
          }
          setStatus('reconnecting…', false);
        },
      },
    });
    // Every (re)subscription starts with the current summary, so a reconnect never leaves a stale count.
    client.subscribe(
      { query: SUBSCRIPTION },
      {
        next: function (result) {
          if (result.errors && result.errors.length) {
            showError(result.errors[0].message);
            return;
          }
          if (result.data) render(result.data.approvalCountChanged);
        },
        error: function (error) {
          var message = Array.isArray(error) ? error[0].message : (error && error.reason) || 'the subscription failed';
          showError(message);
        },
        complete: function () {
          setStatus('ended', false);
        },
      },
    );
  }

  function signOut(message) {
    sessionStorage.removeItem('gatehouse.token');
    if (client) client.dispose();
    client = null;
    setStatus('signed out', false);
    $('signin').hidden = false;
    showError(message);
  }

  $('signin').addEventListener('submit', function (event) {
    event.preventDefault();
    var token = event.target.elements.token.value.trim();
    if (!token) return;
    sessionStorage.setItem('gatehouse.token', token);
    subscribe(token);
  });

  var token = tokenFromPage();
  if (token) subscribe(token);
  else signOut('');
})();
