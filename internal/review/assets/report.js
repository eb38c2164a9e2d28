// Sortable tables for the tokenyield review. Without JavaScript the tables
// keep their original order; with it, each header becomes a button that sorts
// by that column (numbers by value, text by locale). Unknown figures always
// sort last, whichever the direction.
(function () {
  "use strict";
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

  // key returns a cell's sort key: its data-v attribute for numeric cells
  // ("" = unknown), else its text.
  function key(row, col) {
    var cell = row.cells[col];
    if (!cell) { return ""; }
    var v = cell.getAttribute("data-v");
    return v !== null ? v : cell.textContent.trim();
  }

  function sortBy(table, col, th) {
    var numeric = th.classList.contains("num");
    var current = th.getAttribute("aria-sort");
    var dir;
    if (current === "ascending") {
      dir = "descending";
    } else if (current === "descending") {
      dir = "ascending";
    } else {
      dir = numeric ? "descending" : "ascending"; // biggest figures first
    }
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var keyed = rows.map(function (row, i) { return { row: row, k: key(row, col), i: i }; });
    keyed.sort(function (a, b) {
      var ua = a.k === "", ub = b.k === "";
      if (ua || ub) { return ua === ub ? a.i - b.i : (ua ? 1 : -1); }
      var c = numeric ? parseFloat(a.k) - parseFloat(b.k) : collator.compare(a.k, b.k);
      if (c === 0 || isNaN(c)) { return a.i - b.i; }
      return dir === "ascending" ? c : -c;
    });
    keyed.forEach(function (e) { body.appendChild(e.row); });
    Array.prototype.forEach.call(th.parentNode.cells, function (other) {
      if (other !== th) { other.removeAttribute("aria-sort"); }
    });
    th.setAttribute("aria-sort", dir);
  }

  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    if (!table.tHead || !table.tBodies.length) { return; }
    var headers = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(headers, function (th, col) {
      var button = document.createElement("button");
      button.type = "button";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, col, th); });
    });
  });
  document.documentElement.classList.add("js");
}());
