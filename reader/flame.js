// flame.js: draws the flame graph of the KF data that reader/flame.c writes
// before it (embedded in every SVG and HTML page: no network, no library).
// KF.f holds the frames in preorder, KF.s numbers each: name index, depth,
// value (and the base value in a diff). Only frames at least half a pixel
// wide are drawn, so a graph of many frames stays light; zooming redraws.
(function () {
  "use strict";
  var K = KF, NS = "http://www.w3.org/2000/svg", doc = document;
  // An SVG file draws its title above the graph (TOP leaves room for it);
  // a page has it in its own heading.
  var host = doc.getElementById("kf-host");
  var W = K.width, FH = 16, PAD = 10, TOP = host ? 30 : 72, BOT = 28;
  var S = K.s, n = K.f.length / S;
  var nm = new Int32Array(n), dep = new Int32Array(n), par = new Int32Array(n);
  var end = new Int32Array(n), val = new Float64Array(n), bv = new Float64Array(n);
  var x = new Float64Array(n), self = new Float64Array(n), nextx = new Float64Array(n);
  var st = [], maxd = 0, i;
  for (i = 0; i < n; i++) {
    nm[i] = K.f[i * S]; dep[i] = K.f[i * S + 1]; val[i] = K.f[i * S + 2];
    if (K.diff) bv[i] = K.f[i * S + 3];
    while (st.length && dep[st[st.length - 1]] >= dep[i]) end[st.pop()] = i;
    if (st.length) {
      var p = st[st.length - 1];
      par[i] = p; x[i] = nextx[p]; nextx[p] += Math.max(val[i], 0);
      self[p] -= val[i];
    } else {
      par[i] = -1; x[i] = 0;
    }
    self[i] += val[i]; nextx[i] = x[i];
    st.push(i);
    if (dep[i] > maxd) maxd = dep[i];
  }
  while (st.length) end[st.pop()] = n;
  var H = TOP + (maxd + 1) * FH + BOT;

  // Values as kiln_value_format labels them: the largest step at which
  // |v| is at least one, two decimals, ".00" dropped.
  function fmt(v) {
    var a = Math.abs(v), s = K.steps, k = 0;
    if (v === 0) return "0";
    while (k + 1 < s.length && a >= s[k + 1][0]) k++;
    if (K.count && k === 0) return String(v);
    var t = (v / s[k][0]).toFixed(2);
    if (t.slice(-3) === ".00") t = t.slice(0, -3);
    return t + s[k][1];
  }
  function pct(v, t) { return t ? (100 * v / t).toFixed(2) + "%" : "0%"; }
  function label(i) { return i === 0 ? "all" : K.names[nm[i]]; }
  function tip(i) {
    var s = label(i) + ": ";
    if (K.diff) {
      var d = delta(i);
      return s + fmt(val[i]) + " (" + pct(val[i], K.total) + ") in target, " +
        fmt(bv[i]) + " (" + pct(bv[i], K.btotal) + ") in base, share " +
        (d > 0 ? "+" : "") + d.toFixed(2) + " points";
    }
    return s + fmt(val[i]) + " (" + pct(val[i], K.total) + " of the total), self " +
      fmt(self[i]) + " (" + pct(self[i], K.total) + ")";
  }
  // Change of share, percentage points; exactly 0 for equal shares.
  function delta(i) {
    var a = K.total ? val[i] / K.total : 0, b = K.btotal ? bv[i] / K.btotal : 0;
    return a === b ? 0 : 100 * (a - b);
  }
  var dmax = 0;
  if (K.diff) for (i = 0; i < n; i++) dmax = Math.max(dmax, Math.abs(delta(i)));
  function colour(i) {
    if (K.diff) {
      var d = delta(i);
      if (d === 0) return "rgb(221,221,221)";
      var k = Math.round(200 * Math.min(1, Math.abs(d) / (dmax || 1))) + 20;
      var o = 235 - k < 0 ? 0 : 235 - k;
      return d > 0 ? "rgb(255," + o + "," + o + ")" : "rgb(" + o + "," + o + ",255)";
    }
    var c = K.cols[nm[i]];
    if (i === 0) return "rgb(215,215,205)";
    if (c === 0) return "rgb(200,200,200)";
    return "hsl(" + (c % 50) + "," + (70 + (c >> 3) % 25) + "%," + (52 + (c >> 5) % 14) + "%)";
  }
  function el(tag, attrs) {
    var e = doc.createElementNS(NS, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    return e;
  }
  function fit(s, w) {
    var max = Math.floor((w - 6) / 7);
    if (max < 3) return "";
    return s.length <= max ? s : s.slice(0, max - 2) + "..";
  }

  // The drawing: the document's <svg> (an SVG file) or one made in the
  // page's #kf-host (HTML).
  var svg = doc.getElementById("kf");
  if (host) {
    svg = el("svg", {id: "kf"});
    host.appendChild(svg);
  }
  svg.setAttribute("width", W); svg.setAttribute("height", H);
  svg.setAttribute("viewBox", "0 0 " + W + " " + H);
  function button(id, x, y, txt, anchor) {
    var t = el("text", {id: id, "class": "kf-btn", x: x, y: y, "text-anchor": anchor || "start"});
    t.textContent = txt; svg.appendChild(t); return t;
  }
  var reset = button("kf-reset", PAD, TOP - 10, "Reset zoom");
  var find = button("kf-search", W - PAD, TOP - 10, "Search", "end");
  var clear = button("kf-clear", W - PAD - 60, TOP - 10, "Clear", "end");
  var matched = el("text", {id: "kf-matched", "class": "kf-info", x: W - PAD, y: H - 10, "text-anchor": "end"});
  var details = el("text", {id: "kf-details", "class": "kf-info", x: PAD, y: H - 10});
  svg.appendChild(matched); svg.appendChild(details);
  var g = el("g", {id: "kf-frames"});
  svg.appendChild(g);

  var zoomed = 0, marks = null;
  function yOf(d) { return K.icicle ? TOP + d * FH : TOP + (maxd - d) * FH; }
  function box(i, bx, w, dim) {
    var e = el("g", {"class": dim ? "f dim" : "f", "data-i": i});
    var t = el("title");
    t.textContent = tip(i); e.appendChild(t);
    e.appendChild(el("rect", {x: bx.toFixed(1), y: yOf(dep[i]), width: w.toFixed(1),
      height: FH - 1, rx: 2, fill: marks && marks[i] ? "rgb(230,0,230)" : colour(i)}));
    var s = fit(label(i), w);
    if (s) {
      var tx = el("text", {x: (bx + 3).toFixed(1), y: yOf(dep[i]) + FH - 4});
      tx.textContent = s; e.appendChild(tx);
    }
    g.appendChild(e);
  }
  function draw() {
    while (g.firstChild) g.removeChild(g.firstChild);
    var z = zoomed, x0 = x[z], sc = (W - 2 * PAD) / (Math.max(val[z], 0) || 1);
    for (var a = par[z]; a >= 0; a = par[a]) box(a, PAD, W - 2 * PAD, true);
    for (var j = z; j < end[z];) {
      var w = Math.max(val[j], 0) * sc;
      if (w < 0.5) { j = end[j]; continue; }
      box(j, PAD + (x[j] - x0) * sc, w, false);
      j++;
    }
    reset.setAttribute("visibility", z ? "visible" : "hidden");
    clear.setAttribute("visibility", marks ? "visible" : "hidden");
  }
  function zoom(j) {
    if (j >= 0 && j < n) { zoomed = j; draw(); }
  }
  // Mark the frames whose name matches; the matched share counts each
  // marked frame whose ancestors are not marked (a stack once).
  function search(re) {
    var r = re instanceof RegExp ? re : new RegExp(re), sum = 0, j;
    marks = new Uint8Array(n);
    for (j = 1; j < n; j++) if (r.test(K.names[nm[j]])) marks[j] = 1;
    for (j = 1; j < n;) {
      if (marks[j]) { sum += Math.max(val[j], 0); j = end[j]; } else j++;
    }
    var share = K.total ? 100 * sum / K.total : 0;
    matched.textContent = "Matched: " + share.toFixed(2) + "% (" + fmt(sum) + ")";
    draw();
    return share;
  }
  function unmark() { marks = null; matched.textContent = ""; draw(); }
  function frameOf(t) {
    while (t && t !== g && !(t.getAttribute && t.getAttribute("data-i") !== null)) t = t.parentNode;
    return t && t !== g ? +t.getAttribute("data-i") : -1;
  }
  g.addEventListener("click", function (ev) { zoom(frameOf(ev.target)); });
  g.addEventListener("mouseover", function (ev) {
    var j = frameOf(ev.target);
    if (j >= 0) details.textContent = tip(j);
  });
  g.addEventListener("mouseout", function () { details.textContent = ""; });
  reset.addEventListener("click", function () { zoom(0); });
  clear.addEventListener("click", unmark);
  find.addEventListener("click", function () {
    var q = window.prompt("Search frames (regular expression)", "");
    if (q) search(q);
  });

  // The page's tables sort by a click on a heading (numbers by data-v).
  var tables = doc.getElementsByTagName("table");
  for (var ti = 0; ti < tables.length; ti++) (function (tb) {
    var ths = tb.getElementsByTagName("th"), dir = {};
    for (var c = 0; c < ths.length; c++) (function (col) {
      ths[col].addEventListener("click", function () {
        var body = tb.tBodies[0], rows = Array.prototype.slice.call(body.rows);
        dir[col] = -(dir[col] || 1);
        rows.sort(function (a, b) {
          var x1 = a.cells[col], y1 = b.cells[col];
          var xv = x1.getAttribute("data-v"), yv = y1.getAttribute("data-v");
          var r = xv !== null ? (+xv) - (+yv) : x1.textContent.localeCompare(y1.textContent);
          return dir[col] * r;
        });
        for (var k = 0; k < rows.length; k++) body.appendChild(rows[k]);
      });
    })(c);
  })(tables[ti]);

  window.kf = {search: search, zoom: zoom, reset: function () { zoom(0); },
    clear: unmark, frames: n, width: W - 2 * PAD,
    value: function (j) { return val[j]; }, name: label};
  draw();
})();
