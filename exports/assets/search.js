/* paper-kg explorer, search: papers by title or id, entities by label, alias or id
   (case-insensitive; exact, then prefix, then substring matches). */
(function (KG) {
  "use strict";
  var el = KG.el, MAX_HITS = 15;
  var index = [];
  for (var i = 0; i < KG.N; i++) {
    var r = KG.rec(i), names = i < KG.nP ? [r.title, r.id] : [r.label, r.id].concat(r.aliases || []);
    index.push(names.map(function (s) { return String(s).toLowerCase(); }));
  }
  var input = document.getElementById("kg-search"), results = document.getElementById("kg-results");
  var hits = [], active = 0;

  function rank(names, q) {
    var best = 3;
    for (var k = 0; k < names.length && best > 0; k++) {
      var at = names[k].indexOf(q);
      if (at >= 0) best = Math.min(best, names[k] === q ? 0 : at === 0 ? 1 : 2);
    }
    return best;
  }
  /* The best matches of a query: [{i, why}] where why is the alias that matched, if any. */
  function search(q) {
    q = q.trim().toLowerCase();
    if (!q) return [];
    var found = [];
    index.forEach(function (names, k) {
      var r = rank(names, q);
      if (r < 3) found.push({ i: k, r: r, name: names[0] });
    });
    found.sort(function (a, b) { return a.r - b.r || (a.name < b.name ? -1 : a.name > b.name ? 1 : a.i - b.i); });
    return found.slice(0, MAX_HITS).map(function (h) {
      var why = "";
      if (h.name.indexOf(q) < 0) {
        var rec = KG.rec(h.i);
        (rec.aliases || []).some(function (a) { if (a.toLowerCase().indexOf(q) >= 0) { why = a; return true; } return false; });
      }
      return { i: h.i, why: why };
    });
  }
  function render() {
    KG.clear(results);
    if (!hits.length) results.appendChild(el("li", "no match", "kg-empty"));
    hits.forEach(function (h, k) {
      var li = el("li", null, k === active ? "active" : "");
      li.appendChild(el("span", KG.nameOf(h.i)));
      if (h.why) li.appendChild(el("span", "(" + h.why + ")", "kg-alias"));
      li.appendChild(el("span", KG.kindOf(h.i), "kg-kind"));
      li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(h.i); });
      results.appendChild(li);
    });
    results.hidden = false;
  }
  function choose(i) { results.hidden = true; input.value = KG.nameOf(i); KG.focusNode(i); }

  input.addEventListener("input", function () {
    hits = search(input.value); active = 0;
    if (input.value.trim()) render(); else results.hidden = true;
  });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown" && hits.length) { active = (active + 1) % hits.length; render(); ev.preventDefault(); }
    else if (ev.key === "ArrowUp" && hits.length) { active = (active + hits.length - 1) % hits.length; render(); ev.preventDefault(); }
    else if (ev.key === "Enter" && hits.length) { choose(hits[active].i); ev.preventDefault(); }
    else if (ev.key === "Escape") { results.hidden = true; }
  });
  input.addEventListener("blur", function () { results.hidden = true; });
  KG.search = search;
})(window.kgExplorer);
