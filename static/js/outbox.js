// The phone's outbox: every field write is kept in IndexedDB and sent when it can be.
// It lives in the page (no Service Worker needed: in-app browsers have none), shows a
// record as sent only once the server has answered with the stored record, and never
// drops one silently. Without IndexedDB the forms post as plain HTML forms.
(function () {
  "use strict";
  var script = document.currentScript;
  var say = script.dataset;
  var user = say.user;
  var RETRY_EVERY = 60000;
  var MAX_SIDE = 1600;
  var KEEP_PAGES = 60;
  var db = null;
  var sending = false;
  var loginNeeded = false;
  var retryTimer = null;

  // --- storage -------------------------------------------------------------------
  function openStore() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open("gridcare-outbox", 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore("records", { keyPath: "uuid" });
        request.result.createObjectStore("meta", { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function store(name, mode, work) {
    return new Promise(function (resolve, reject) {
      var tx = db.transaction(name, mode);
      var result = work(tx.objectStore(name));
      tx.oncomplete = function () { resolve(result && "result" in result ? result.result : result); };
      tx.onerror = function () { reject(tx.error); };
    });
  }
  function records() {
    return store("records", "readonly", function (s) { return s.getAll(); }).then(function (all) {
      return all.filter(function (r) { return r.user === user; })
        .sort(function (a, b) { return a.created - b.created; });
    });
  }
  function save(record) { return store("records", "readwrite", function (s) { s.put(record); }); }
  function remove(uuid) { return store("records", "readwrite", function (s) { s.delete(uuid); }); }
  function meta(key, value) {
    if (value === undefined) {
      return store("meta", "readonly", function (s) { return s.get(key + ":" + user); })
        .then(function (row) { return row && row.value; });
    }
    return store("meta", "readwrite", function (s) { s.put({ key: key + ":" + user, value: value }); });
  }
  function unsent(all) { return all.filter(function (r) { return r.state !== "sent"; }); }

  // --- queueing a form -----------------------------------------------------------
  function newUuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // A phone photo of 4000 px is shrunk to what the server keeps anyway, before it waits.
  function shrink(file) {
    if (!window.createImageBitmap || !/^image\//.test(file.type)) return Promise.resolve(file);
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) { resolve(blob || file); }, "image/jpeg", 0.82);
      });
    }).catch(function () { return file; });
  }

  function queue(form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    if (form.querySelector("input[name=phone_time]") && !data.get("phone_time")) {
      data.set("phone_time", new Date().toISOString());
    }
    var fields = [];
    var files = [];
    data.forEach(function (value, name) {
      if (name === "csrf_token") return;
      if (value instanceof Blob) { if (value.size) files.push([name, value]); }
      else fields.push([name, value]);
    });
    return Promise.all(files.map(function (f) { return shrink(f[1]); })).then(function (blobs) {
      var record = {
        // A form without a token of its own (contact details) is safe to send twice.
        uuid: data.get("client_uuid") || newUuid(), user: user, url: form.action || location.href,
        title: form.dataset.outboxTitle || document.title, fields: fields,
        files: blobs.map(function (blob, i) { return [files[i][0], blob]; }),
        visit: data.get("visit_id") || null, created: Date.now(), state: "waiting",
        attempts: 0, nextTry: 0, message: "",
        correctAt: form.dataset.outboxCorrect || location.pathname + location.search
      };
      return save(record).then(function () { return record; });
    });
  }

  // Where the worker goes once a form is queued: on with the day, never to an error page.
  function afterQueue(form, record) {
    var task = form.closest("li[data-visit]");
    if (task) { markTask(task, record); flash(say.queued); return; }
    var next = form.dataset.outboxNext;
    var failed = form.querySelector(".check-item input[value=fail]:checked");
    if (failed && form.dataset.outboxHazard) {
      var item = failed.closest(".check-item");
      next = form.dataset.outboxHazard + "?item=" + encodeURIComponent(item.dataset.item) +
        "&category=" + encodeURIComponent(item.dataset.category) + "&visit_uuid=" + record.uuid;
    }
    sessionStorage.setItem("gridcare-queued", "1");
    location.href = next || say.today;
  }

  function flash(text) {
    var main = document.querySelector("main");
    if (!main || !text) return;
    var note = document.createElement("p");
    note.className = "flash flash-info";
    note.setAttribute("role", "status");
    note.textContent = text;
    main.insertBefore(note, main.firstChild);
  }

  // --- sending -------------------------------------------------------------------
  function backoff(attempts) {
    var base = Math.min(300000, 4000 * Math.pow(2, attempts - 1));
    return base * (0.75 + Math.random() / 2);
  }

  function post(record) {
    var body = new FormData();
    record.fields.forEach(function (f) { body.append(f[0], f[1]); });
    record.files.forEach(function (f) { body.append(f[0], f[1], f[0] + ".jpg"); });
    var token = document.querySelector("meta[name=csrf-token]");
    var abort = new AbortController();
    var timer = setTimeout(function () { abort.abort(); }, 30000);
    return fetch(record.url, {
      method: "POST", body: body, credentials: "same-origin", redirect: "manual",
      signal: abort.signal,
      headers: { "Accept": "application/json", "X-CSRFToken": token ? token.content : "" }
    }).then(function (response) {
      clearTimeout(timer);
      if (response.type === "opaqueredirect" || response.status === 401) return { login: true };
      return response.json().catch(function () { return {}; }).then(function (answer) {
        answer.status = response.status;
        return answer;
      });
    }, function () { clearTimeout(timer); return { network: true }; });
  }

  function sendOne(record) {
    record.state = "sending";
    return save(record).then(render).then(function () { return post(record); }).then(function (answer) {
      if (answer.login) { loginNeeded = true; record.state = "waiting"; return save(record).then(function () { return "stop"; }); }
      if (answer.status >= 200 && answer.status < 300 && answer.id) {
        loginNeeded = false;
        record.state = "sent"; record.serverId = answer.id; record.sentAt = Date.now();
        record.files = [];  // the photo is on the server now: no need to keep it here
        return save(record).then(function () { return meta("lastSent", record.sentAt); });
      }
      var passing = answer.network || answer.status === 408 || answer.status === 429 ||
        answer.status >= 500 || !answer.status;
      if (passing) {
        record.state = "waiting"; record.attempts += 1;
        record.nextTry = Date.now() + backoff(record.attempts);
        // Offline, the others would fail the same way; on a flaky line they may pass.
        return save(record).then(function () { return answer.network && !navigator.onLine ? "stop" : null; });
      }
      record.state = "attention";
      record.message = answer.error || String(answer.status);
      return save(record);
    });
  }

  function send(force) {
    if (!db || sending) return Promise.resolve();
    sending = true;
    var tried = {};  // one pass: each record at most once
    function next() {
      return records().then(function (all) {
        var due = all.filter(function (r) {
          return (r.state === "waiting" || r.state === "sending") && !tried[r.uuid] &&
            (force || r.nextTry <= Date.now());
        })[0];
        if (!due) return null;
        tried[due.uuid] = true;
        return sendOne(due).then(function (outcome) { return outcome === "stop" ? null : next(); });
      });
    }
    return next().catch(function () {}).then(function () {
      sending = false;
      scheduleRetry();
      return render();
    });
  }

  function scheduleRetry() {
    clearTimeout(retryTimer);
    records().then(function (all) {
      var waiting = all.filter(function (r) { return r.state === "waiting"; });
      if (!waiting.length || loginNeeded) return;
      var soonest = Math.min.apply(null, waiting.map(function (r) { return r.nextTry; }));
      retryTimer = setTimeout(function () { send(); }, Math.max(1000, Math.min(RETRY_EVERY, soonest - Date.now())));
    });
  }

  // --- what the worker sees ------------------------------------------------------
  function label(state) {
    return { waiting: say.waiting, sending: say.sending, sent: say.sent, attention: say.attention }[state];
  }

  function markTask(task, record) {
    var state = task.querySelector(".outbox-state");
    if (!state) return;
    state.hidden = false;
    state.textContent = label(record.state) + (record.state === "attention" ? ": " + record.message : "");
    state.className = "outbox-state badge " + record.state;
    task.classList.add("queued");
    var actions = task.querySelector(".task-actions");
    if (actions) actions.hidden = true;
  }

  function render() {
    return records().then(function (all) {
      var open = unsent(all);
      document.querySelectorAll("[data-outbox-badge]").forEach(function (badge) {
        badge.hidden = !open.length;
        badge.querySelector(".count").textContent = open.length;
      });
      all.forEach(function (record) {
        var task = record.visit && document.querySelector("li[data-visit='" + record.visit + "']");
        if (task) markTask(task, record);
      });
      document.documentElement.dataset.outbox = "shown";  // the badge is up to date
      var panel = document.querySelector("[data-outbox-panel]");
      if (panel) return renderPanel(panel, all, open);
    });
  }

  function renderPanel(panel, all, open) {
    panel.querySelector("[data-outbox-summary]").textContent =
      open.length ? say.count.replace("{n}", open.length) : say.none;
    panel.querySelector("[data-outbox-login]").hidden = !loginNeeded;
    var list = panel.querySelector("[data-outbox-records]");
    list.textContent = "";
    all.slice().reverse().forEach(function (record) {
      var row = document.createElement("li");
      row.className = "plain outbox-record " + record.state;
      row.dataset.uuid = record.uuid;
      var title = document.createElement("p");
      title.className = "row-title";
      title.textContent = record.title;
      var state = document.createElement("p");
      state.className = "outbox-state badge " + record.state;
      state.textContent = label(record.state) + " · " + new Date(record.created).toLocaleTimeString();
      row.append(title, state);
      if (record.state === "attention") {
        var why = document.createElement("p");
        why.className = "error";
        why.textContent = record.message;
        var fix = document.createElement("a");
        fix.className = "button secondary";
        fix.textContent = say.correct;
        fix.href = record.correctAt + (record.correctAt.indexOf("?") < 0 ? "?" : "&") + "outbox=" + record.uuid;
        var drop = document.createElement("button");
        drop.type = "button";
        drop.className = "button danger";
        drop.textContent = say.discard;
        drop.addEventListener("click", function () {
          if (confirm(say.confirmDiscard)) remove(record.uuid).then(render);
        });
        row.append(why, fix, drop);
      }
      list.append(row);
    });
    return meta("lastSent").then(function (last) {
      if (last) panel.querySelector("[data-outbox-last]").textContent = new Date(last).toLocaleString();
    });
  }

  // A record that needs attention opens its form again, filled in as it was queued.
  function refill() {
    var uuid = new URLSearchParams(location.search).get("outbox");
    var form = document.querySelector("form[data-outbox]");
    if (!uuid || !form) return;
    store("records", "readonly", function (s) { return s.get(uuid); }).then(function (record) {
      if (!record || record.user !== user) return;
      record.fields.forEach(function (f) {
        form.querySelectorAll("[name='" + f[0] + "']").forEach(function (input) {
          if (input.type === "radio" || input.type === "checkbox") input.checked = input.value === f[1];
          else if (input.type !== "file" && input.type !== "submit") input.value = f[1];
        });
      });
    });
  }

  // A hazard form opened offline after a failed check item: filled in from the link.
  function prefill() {
    var form = document.querySelector("form[data-outbox-prefill]");
    if (!form) return;
    var query = new URLSearchParams(location.search);
    [["category", "category"], ["checklist_code", "item"], ["visit_uuid", "visit_uuid"]].forEach(function (pair) {
      var input = form.querySelector("[name=" + pair[0] + "]");
      if (input && query.get(pair[1]) && !input.value) input.value = query.get(pair[1]);
      else if (input && input.tagName === "SELECT" && query.get(pair[1])) input.value = query.get(pair[1]);
    });
  }

  // --- offline pages, privacy ----------------------------------------------------
  function registerWorker() {
    if (!("serviceWorker" in navigator) || !say.worker) return;
    navigator.serviceWorker.register(say.worker, { scope: "/" }).catch(function () {});
    if (location.pathname !== say.today) return;
    // The households on the day's list, and their forms, are kept for a stairwell.
    // The first tasks of the list (in walking order) only: a long list would cost a
    // metered connection several megabytes a day.
    var badge = document.querySelector("[data-outbox-badge]");
    var keep = [say.today, badge ? badge.getAttribute("href") : say.today];
    document.querySelectorAll("li.task").forEach(function (task) {
      if (keep.length >= KEEP_PAGES) return;
      task.querySelectorAll("a[href]").forEach(function (a) { keep.push(a.getAttribute("href")); });
      if (task.dataset.hazardForm) keep.push(task.dataset.hazardForm);
    });
    navigator.serviceWorker.ready.then(function (registration) {
      setTimeout(function () {
        if (registration.active) registration.active.postMessage({ keep: keep, fresh: 2 });
      }, 1500);
    });
  }

  function offlineCopy() {
    if (say.served !== "cache") return;
    flash(say.offlineCopy.replace("{time}", new Date(say.fetched).toLocaleString()));
  }

  function forget() {
    return records().then(function (all) {
      return Promise.all(all.map(function (r) { return remove(r.uuid); }));
    }).then(function () {
      if (window.caches) return caches.delete("gridcare-pages");
    });
  }

  function guardLogout(event) {
    var form = event.target;
    if (!/\/logout$/.test(form.getAttribute("action") || "")) return false;
    event.preventDefault();
    records().then(function (all) {
      var open = unsent(all).length;
      if (open && !confirm(say.confirmLogout.replace("{n}", open))) {
        location.href = document.querySelector("[data-outbox-badge]").href;
        return;
      }
      return forget().catch(function () {}).then(function () { form.submit(); });
    });
    return true;
  }

  // --- start ---------------------------------------------------------------------
  function start() {
    // A form kept in the cache would reuse its token: each showing gets its own.
    document.querySelectorAll("form[data-outbox] input[name=client_uuid]").forEach(function (input) {
      input.value = newUuid();
    });
    document.addEventListener("submit", function (event) {
      if (guardLogout(event)) return;
      var form = event.target;
      if (!form.matches("form[data-outbox]")) return;
      event.preventDefault();
      var button = event.submitter;
      if (form.dataset.queueing) return;  // a double tap queues once
      form.dataset.queueing = "1";
      queue(form, button).then(function (record) {
        afterQueue(form, record);
        send();
      }, function () { delete form.dataset.queueing; form.submit(); });
    });
    var sendNow = document.querySelector("[data-outbox-send]");
    if (sendNow) sendNow.addEventListener("click", function () { send(true); });
    window.addEventListener("online", function () { send(); });
    setInterval(function () { send(); }, RETRY_EVERY);
    if (sessionStorage.getItem("gridcare-queued")) { sessionStorage.removeItem("gridcare-queued"); flash(say.queued); }
    refill();
    prefill();
    offlineCopy();
    var yesterday = Date.now() - 86400000;
    records().then(function (all) {
      return Promise.all(all.filter(function (r) { return r.state === "sent" && r.sentAt < yesterday; })
        .map(function (r) { return remove(r.uuid); }));
    }).then(render).then(function () { send(); });
  }

  if (localStorage.getItem("gridcare-user") !== user && window.caches) {
    // Another worker used this phone before: their pages are not this worker's to see.
    caches.delete("gridcare-pages");
  }
  localStorage.setItem("gridcare-user", user);
  registerWorker();
  if (!window.indexedDB) return;
  openStore().then(function (opened) { db = opened; start(); }, function () {});
  // A page kept in the back-forward cache with its connection open holds the store, and
  // the next page's reads wait for it: let go when the page is left.
  window.addEventListener("pagehide", function () { if (db) db.close(); db = null; });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) openStore().then(function (opened) { db = opened; render(); });
  });
})();
