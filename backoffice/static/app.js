/* polc back office: desktop-like row selection and progress polling. No framework. */
var polc = (function () {
  "use strict";

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  /* Rows of a table.selectable: click selects one, Shift-click a range from the last clicked
     row, Ctrl/Cmd-click toggles one; the checkboxes stay in step and are what the forms send. */
  function selectable(table) {
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr.row"));
    var anchor = null;
    var counter = document.querySelector(table.dataset.counter || "#selection-count");
    var all = table.querySelector("input.pick-all");

    function set(row, on) {
      row.classList.toggle("selected", on);
      row.setAttribute("aria-selected", on ? "true" : "false");
      var box = row.querySelector("input.pick");
      if (box) { box.checked = on; }
    }
    function isOn(row) { return row.classList.contains("selected"); }
    function range(a, b) {
      var i = rows.indexOf(a), j = rows.indexOf(b);
      if (i < 0) { return [b]; }
      return rows.slice(Math.min(i, j), Math.max(i, j) + 1);
    }
    function refresh() {
      var chosen = rows.filter(isOn);
      var fulfillable = chosen.filter(function (r) { return r.dataset.fulfillable === "1"; }).length;
      if (counter) { counter.textContent = String(chosen.length); counter.dataset.fulfillable = String(fulfillable); }
      if (all) { all.checked = chosen.length === rows.length && rows.length > 0; }
      document.querySelectorAll("[data-needs]").forEach(function (button) {
        var need = button.dataset.needs;
        button.disabled = chosen.length === 0 ||
          (need === "fulfillable" && fulfillable === 0) ||
          (need === "not-fulfillable" && fulfillable === chosen.length);
      });
      table.dispatchEvent(new CustomEvent("selectionchange", { detail: { count: chosen.length } }));
    }
    function choose(row, event, viaCheckbox) {
      var additive = event.ctrlKey || event.metaKey || viaCheckbox;
      if (event.shiftKey && anchor) {
        if (!additive) { rows.forEach(function (r) { set(r, false); }); }
        range(anchor, row).forEach(function (r) { set(r, true); });
      } else if (additive) {
        set(row, viaCheckbox ? row.querySelector("input.pick").checked : !isOn(row));
        anchor = row;
      } else {
        rows.forEach(function (r) { set(r, r === row); });
        anchor = row;
      }
      refresh();
    }

    rows.forEach(function (row) {
      row.addEventListener("mousedown", function (event) {
        if (event.shiftKey) { event.preventDefault(); }  /* no text selection on Shift-click */
      });
      row.addEventListener("click", function (event) {
        var target = event.target;
        if (target.closest("a, button, label")) { return; }
        if (target.matches("input.pick")) { choose(row, event, true); return; }
        choose(row, event, false);
      });
      var box = row.querySelector("input.pick");
      if (box && box.checked) { set(row, true); }
    });
    if (all) {
      all.addEventListener("change", function () {
        rows.forEach(function (r) { set(r, all.checked); });
        refresh();
      });
    }
    refresh();
  }

  /* Polls the element's data-poll URL every second; reloads the page once running(data) is false. */
  function reloadWhile(selector, running, update) {
    var el = document.querySelector(selector);
    if (!el) { return; }
    function tick() {
      fetch(el.dataset.poll, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (update) { update(data, el); }
          if (running(data)) { setTimeout(tick, 1000); } else { window.location.reload(); }
        })
        .catch(function () { setTimeout(tick, 3000); });
    }
    if (el.dataset.running !== "0") { setTimeout(tick, 700); }
  }

  function addRow(button) {
    var body = document.querySelector(button.dataset.target);
    var last = body.querySelector("tr:last-child");
    var copy = last.cloneNode(true);
    copy.querySelectorAll("input").forEach(function (i) { i.value = ""; });
    body.appendChild(copy);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table.selectable").forEach(selectable);
    document.querySelectorAll("button.add-row").forEach(function (b) {
      b.addEventListener("click", function (e) { e.preventDefault(); addRow(b); });
    });
    document.querySelectorAll("form[data-confirm]").forEach(function (f) {
      f.addEventListener("submit", function (e) { if (!window.confirm(f.dataset.confirm)) { e.preventDefault(); } });
    });
  });

  return { csrf: csrf, reloadWhile: reloadWhile, selectable: selectable };
}());
