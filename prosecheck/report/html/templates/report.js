"use strict";
/* The verdict table: sort by a click on a header, filter by scenario text and by "needs attention". */
(function () {
  var table = document.getElementById("verdicts");
  if (!table) { return; }
  var body = table.tBodies[0];
  var filter = document.getElementById("filter");
  var only = document.getElementById("only-attention");
  var shown = document.getElementById("shown");
  function key(row, index, numeric) {
    var text = row.cells[index].textContent.trim();
    if (!numeric) { return text.toLowerCase(); }
    var value = parseFloat(text.replace(/[^0-9.\-]/g, ""));
    return isNaN(value) ? -Infinity : value;
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
    th.setAttribute("tabindex", "0");
    function sort() {
      var numeric = th.getAttribute("data-type") === "num";
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (other) { other.setAttribute("aria-sort", "none"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = key(a, index, numeric), y = key(b, index, numeric);
        var order = x < y ? -1 : (x > y ? 1 : 0);
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    }
    th.addEventListener("click", sort);
    th.addEventListener("keydown", function (event) { if (event.key === "Enter") { sort(); } });
  });
  function apply() {
    var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    var count = 0;
    Array.prototype.forEach.call(body.rows, function (row) {
      var text = (row.getAttribute("data-scenario") + " " + row.cells[1].textContent).toLowerCase();
      var visible = words.every(function (w) { return text.indexOf(w) >= 0; }) &&
        (!only.checked || row.getAttribute("data-attention") === "1");
      row.hidden = !visible;
      count += visible ? 1 : 0;
    });
    shown.textContent = count + " of " + body.rows.length + " scenarios";
  }
  filter.addEventListener("input", apply);
  only.addEventListener("change", apply);
})();

/* The trace explorers: a selected step, the full state after it, its rows in the chart. */
(function () {
  var active = null;
  function setup(section) {
    var data = JSON.parse(section.querySelector("script.trace-data").textContent);
    var items = Array.prototype.slice.call(section.querySelectorAll("ol.step-list li"));
    var tbody = section.querySelector("table.state tbody");
    var svg = section.querySelector(".chart-box svg");
    var box = section.querySelector(".chart-box");
    var states = [], state = {}, i;
    data.names.forEach(function (name, k) { state[name] = data.initial.length ? data.initial[k] : "-"; });
    data.steps.forEach(function (step) {
      var before = Object.assign({}, state);
      Object.keys(step.changes).forEach(function (name) { state[name] = step.changes[name]; });
      states.push({ before: before, after: Object.assign({}, state), changed: step.changes });
    });
    var current = 0;
    function cell(row, text, cls) {
      var td = document.createElement("td");
      if (cls) { var old = document.createElement("span"); old.className = "old"; old.textContent = cls; td.appendChild(old); }
      td.appendChild(document.createTextNode(text));
      row.appendChild(td);
    }
    function render() {
      var s = states[current], number = data.steps[current].n;
      tbody.textContent = "";
      data.names.forEach(function (name) {
        var tr = document.createElement("tr");
        var changed = Object.prototype.hasOwnProperty.call(s.changed, name);
        if (changed) { tr.className = "changed"; }
        cell(tr, name, null);
        cell(tr, s.after[name], changed ? s.before[name] : null);
        tbody.appendChild(tr);
      });
      items.forEach(function (li, k) { li.classList.toggle("selected", k === current); });
      var li = items[current], list = li.parentNode;
      if (li.offsetTop < list.scrollTop || li.offsetTop + li.offsetHeight > list.scrollTop + list.clientHeight) {
        list.scrollTop = li.offsetTop - 8;
      }
      var changedRow = tbody.querySelector("tr.changed"), stateBox = tbody.closest(".state-box");
      if (changedRow && (changedRow.offsetTop < stateBox.scrollTop ||
          changedRow.offsetTop > stateBox.scrollTop + stateBox.clientHeight - 30)) {
        stateBox.scrollTop = changedRow.offsetTop - 40;
      }
      Array.prototype.forEach.call(section.querySelectorAll(".cur"), function (el) { el.textContent = number; });
      if (!svg) { return; }
      var first = null;
      Array.prototype.forEach.call(svg.querySelectorAll("g.row"), function (g) {
        var on = g.getAttribute("data-step") === String(number) || g.getAttribute("data-recv") === String(number);
        g.classList.toggle("selected", on);
        if (on && first === null) { first = g; }
      });
      if (first) {
        var band = first.querySelector("rect.band");
        var y = parseFloat(band.getAttribute("y"));
        if (y < box.scrollTop || y > box.scrollTop + box.clientHeight - 40) { box.scrollTop = Math.max(0, y - 80); }
      }
    }
    function go(k) { current = Math.max(0, Math.min(states.length - 1, k)); active = section; render(); }
    section.querySelector("button.prev").addEventListener("click", function () { go(current - 1); });
    section.querySelector("button.next").addEventListener("click", function () { go(current + 1); });
    items.forEach(function (li, k) { li.addEventListener("click", function () { go(k); }); });
    section.addEventListener("focusin", function () { active = section; });
    section.go = function (delta) { go(current + delta); };
    if (!active) { active = section; }
    render();
    return section;
  }
  var sections = Array.prototype.map.call(document.querySelectorAll("section.explorer"), setup);
  document.addEventListener("keydown", function (event) {
    var tag = (event.target && event.target.tagName) || "";
    if (!sections.length || tag === "INPUT" || tag === "TEXTAREA") { return; }
    var inside = sections.filter(function (s) { return s.contains(event.target); })[0] || null;
    /* left/right anywhere on the page (the explorer last used); up/down only inside an explorer */
    var delta = { ArrowRight: 1, ArrowLeft: -1 }[event.key] || (inside && { ArrowDown: 1, ArrowUp: -1 }[event.key]);
    var target = inside || active;
    if (!delta || !target) { return; }
    event.preventDefault();
    target.go(delta);
  });
})();
