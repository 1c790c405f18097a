// The staff console's only script: deadlines count down every second, and the queue refreshes
// itself: every few seconds it asks /console/queue.digest whether the queue changed (a digest,
// no data, so no audit record per poll) and only then fetches /console/queue.html (a view, which
// is audited). Without it every page still works (reload).
(function () {
  "use strict";

  function span(seconds) {
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    return h ? h + "h " + m + "m" : m ? m + "m " + s + "s" : s + "s";
  }

  // The same text as the server's countdown filter: "in 2m 13s" or "overdue by 40s".
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".countdown[data-deadline]").forEach(function (el) {
      var seconds = Math.trunc((Date.parse(el.dataset.deadline) - now) / 1000);
      var text = seconds >= 0 ? "in " + span(seconds) : "overdue by " + span(-seconds);
      if (el.textContent !== text) el.textContent = text;
      el.classList.toggle("overdue", seconds < 0);
    });
  }

  function refresh(box, status) {
    fetch(box.dataset.refresh, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (response.redirected || !response.ok) {
          status.textContent = response.redirected
            ? "Your session has ended: sign in again to see the queue."
            : "The queue could not be refreshed (" + response.status + "); retrying.";
          return null;
        }
        return response.text();
      })
      .then(function (html) {
        if (html === null || html === box.dataset.last) return;
        var before = box.querySelector("[data-count]");
        var focused = document.activeElement && box.contains(document.activeElement)
          ? document.activeElement.getAttribute("href") : null;
        box.innerHTML = html;
        box.dataset.last = html;
        var after = box.querySelector("[data-count]");
        var count = after ? after.dataset.count : "0";
        // Announce only a change in size, not every refresh.
        if (!before || before.dataset.count !== count) {
          status.textContent = count + " open case" + (count === "1" ? "" : "s") + ".";
        }
        if (focused) {
          var again = box.querySelector('a[href="' + focused + '"]');
          if (again) again.focus();
        }
        tick();
      })
      .catch(function () {
        status.textContent = "The queue could not be refreshed; retrying.";
      });
  }

  function poll(box, status) {
    fetch(box.dataset.digestUrl, { credentials: "same-origin", headers: { Accept: "text/plain" } })
      .then(function (response) {
        if (response.status === 401) {
          status.textContent = "Your session has ended: sign in again to see the queue.";
          return null;
        }
        if (!response.ok) {
          status.textContent = "The queue could not be refreshed (" + response.status + "); retrying.";
          return null;
        }
        return response.text();
      })
      .then(function (digest) {
        if (digest === null || digest === box.dataset.digest) return;
        box.dataset.digest = digest;
        refresh(box, status);
      })
      .catch(function () {
        status.textContent = "The queue could not be refreshed; retrying.";
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 1000);
    var box = document.getElementById("queue");
    var status = document.getElementById("queue-status");
    if (box && status) {
      var seconds = Number(box.dataset.interval) || 2;
      setInterval(function () { poll(box, status); }, seconds * 1000);
    }
  });
})();
