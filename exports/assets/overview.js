/* paper-kg explorer, overview tab: corpus counts, most-mentioned entities per type (CSS bars)
   and communities with their defining entities. Built on first view, text only. */
(function (KG) {
  "use strict";
  var el = KG.el, ov = KG.data.overview;
  var PLURAL = { benchmark: "benchmarks", dataset: "datasets", model: "models", method: "methods" };

  function plural(n, one, many) { return n + " " + (n === 1 ? one : many || one + "s"); }
  function entityName(id, label) {
    var i = KG.indexOf(id);
    if (i < 0) return el("span", label);
    var b = el("button", label, "kg-linkish");
    b.type = "button";
    b.title = "show in the graph";
    b.addEventListener("click", function () { KG.focusNode(i); });
    return b;
  }
  function card(value, label) {
    var c = el("div", null, "kg-card");
    c.appendChild(el("div", value.toLocaleString("en"), "kg-card-value"));
    c.appendChild(el("div", label, "kg-card-label"));
    return c;
  }
  function counts(root) {
    var c = ov.counts, box = el("div", null, "kg-cards");
    box.appendChild(card(c.papers, "papers"));
    box.appendChild(card(c.entities, "entities"));
    c.types.forEach(function (t) { box.appendChild(card(t[1], PLURAL[t[0]] || t[0])); });
    box.appendChild(card(c.mentions, "entity mentions"));
    box.appendChild(card(c.links, "paper links"));
    box.appendChild(card(c.communities, "communities"));
    root.appendChild(el("h2", "Corpus"));
    root.appendChild(box);
    var s = ov.shown;
    if (s.papers < c.papers || s.entities < c.entities) {
      root.appendChild(el("p", "The graph shows " + s.papers + " papers and " + s.entities +
        " entities of this corpus: the entities in most papers and the papers that mention most of them. " +
        "Use kg html --top N, --community C or --around NAME for a focused view.", "kg-note"));
    }
    if (ov.info.version) root.appendChild(el("p", "paper-kg " + ov.info.version + ", built " + ov.info.built, "kg-hint"));
  }
  function chart(type, rows) {
    var box = el("div", null, "kg-chart kg-t-" + type);
    box.appendChild(el("h3", "Most-mentioned " + (PLURAL[type] || type)));
    if (!rows.length) { box.appendChild(el("p", "none", "kg-hint")); return box; }
    var max = rows[0][2] || 1;
    rows.forEach(function (r) {
      var row = el("div", null, "kg-bar-row"), track = el("div", null, "kg-bar-track"), bar = el("div", null, "kg-bar");
      bar.style.width = Math.max(2, Math.round(100 * r[2] / max)) + "%";
      track.appendChild(bar);
      var name = el("div", null, "kg-bar-label");
      name.appendChild(entityName(r[0], r[1]));
      name.title = r[1];
      row.appendChild(name);
      row.appendChild(track);
      row.appendChild(el("div", r[2], "kg-bar-value"));
      box.appendChild(row);
    });
    return box;
  }
  function communities(root) {
    root.appendChild(el("h2", "Communities"));
    if (!ov.communities.length) { root.appendChild(el("p", "No communities were computed for this graph.", "kg-hint")); return; }
    root.appendChild(el("p", "Groups of closely linked papers (Louvain) with the entities in most of their papers.", "kg-hint"));
    var list = el("ol", null, "kg-community-list");
    ov.communities.forEach(function (c) {
      var li = el("li"), head = el("div", null, "kg-community-head"), sw = el("span", null, "kg-swatch dot");
      sw.style.backgroundColor = KG.communityColor(c.id);
      var b = el("button", "Community " + c.id, "kg-linkish");
      b.type = "button";
      b.title = "colour the graph by community and highlight this one";
      b.addEventListener("click", function () { KG.showCommunity(c.id); });
      head.appendChild(sw);
      head.appendChild(b);
      head.appendChild(el("span", plural(c.papers, "paper") + " \u00b7 " + plural(c.entities, "entity", "entities"), "kg-count"));
      li.appendChild(head);
      var ents = el("div", null, "kg-community-top");
      c.top.forEach(function (t) {
        var i = KG.indexOf(t[0]), span = el("span", null, "kg-def" + (i >= 0 ? " kg-t-" + KG.kindOf(i) : ""));
        span.appendChild(entityName(t[0], t[1]));
        span.appendChild(el("span", " " + t[2], "kg-count"));
        ents.appendChild(span);
      });
      li.appendChild(ents);
      list.appendChild(li);
    });
    root.appendChild(list);
  }
  KG.renderOverview = function (root) {
    KG.clear(root);
    var inner = el("div", null, "kg-overview-inner");
    counts(inner);
    inner.appendChild(el("h2", "Most-mentioned entities"));
    var charts = el("div", null, "kg-charts");
    ov.top.forEach(function (t) { charts.appendChild(chart(t[0], t[1])); });
    inner.appendChild(charts);
    communities(inner);
    root.appendChild(inner);
  };
})(window.kgExplorer);
