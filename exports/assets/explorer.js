/* paper-kg explorer: data reaches the DOM only through textContent, createTextNode and createElement. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var details = data.details;
  var DIM_NODE = "rgba(200,200,200,0.35)";
  var DIM_FONT = "rgba(80,80,80,0.25)";
  var DIM_EDGE = "rgba(200,200,200,0.12)";
  var FONT = "#222222";
  var SAFE_URL = /^https?:\/\/[^\s]+$/i;

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); }
  function kindOf(id) { var d = details[id]; return d ? d.kind : ""; }
  function nameOf(id) { var d = details[id]; return d ? (d.kind === "paper" ? d.title : d.label) : id; }

  document.title = data.title;
  document.getElementById("kg-title").textContent = data.title;
  document.getElementById("kg-stats").textContent =
    data.stats.papers + " papers \u00b7 " + data.stats.entities + " entities \u00b7 " + data.stats.links + " paper links";

  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var container = document.getElementById("kg-network");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  if (data.physics) {
    network.once("stabilizationIterationsDone", function () { network.setOptions({ physics: { enabled: false } }); });
  }

  var origNode = {}, origEdge = {}, nodeIds = [], edgeIds = [];
  data.nodes.forEach(function (n) { origNode[n.id] = n.color; nodeIds.push(n.id); });
  data.edges.forEach(function (e) { origEdge[e.id] = e.color; edgeIds.push(e.id); });

  /* ---- neighbour highlighting ---- */
  var dimmed = false;
  function highlight(id) {
    var keep = {}; keep[id] = true;
    network.getConnectedNodes(id).forEach(function (n) { keep[n] = true; });
    var near = {};
    network.getConnectedEdges(id).forEach(function (e) { near[e] = true; });
    nodes.update(nodeIds.map(function (n) {
      return keep[n] ? { id: n, color: origNode[n], font: { color: FONT } } : { id: n, color: DIM_NODE, font: { color: DIM_FONT } };
    }));
    edges.update(edgeIds.map(function (e) { return { id: e, color: near[e] ? origEdge[e] : DIM_EDGE }; }));
    dimmed = true;
  }
  function resetHighlight() {
    if (!dimmed) return;
    nodes.update(nodeIds.map(function (n) { return { id: n, color: origNode[n], font: { color: FONT } }; }));
    edges.update(edgeIds.map(function (e) { return { id: e, color: origEdge[e] }; }));
    dimmed = false;
  }

  /* ---- legend and type filters ---- */
  var visible = {};
  var boxes = {};
  function applyFilter(kind) {
    nodes.update(nodeIds.filter(function (n) { return kindOf(n) === kind; })
      .map(function (n) { return { id: n, hidden: !visible[kind] }; }));
  }
  function swatch(color, shape) {
    var s = el("span", null, "kg-swatch" + (shape === "dot" ? " dot" : ""));
    s.style.backgroundColor = color;
    return s;
  }
  var legend = document.getElementById("kg-legend");
  data.kinds.forEach(function (k) {
    visible[k.kind] = true;
    var li = el("li"), label = el("label"), box = el("input");
    box.type = "checkbox"; box.checked = true; boxes[k.kind] = box;
    box.addEventListener("change", function () { visible[k.kind] = box.checked; applyFilter(k.kind); });
    label.appendChild(box);
    label.appendChild(swatch(k.color, k.shape));
    label.appendChild(el("span", k.label));
    label.appendChild(el("span", k.count, "kg-count"));
    li.appendChild(label);
    legend.appendChild(li);
  });
  if (data.communities.length) {
    document.getElementById("kg-communities").hidden = false;
    var cl = document.getElementById("kg-community-legend");
    data.communities.forEach(function (c) {
      var li = el("li");
      li.appendChild(swatch(c.color, "dot"));
      li.appendChild(el("span", c.id === null ? "none" : "community " + c.id));
      li.appendChild(el("span", c.count, "kg-count"));
      cl.appendChild(li);
    });
  }
  var el2 = document.getElementById("kg-edge-legend");
  data.edge_legend.forEach(function (e) {
    var li = el("li"), line = el("span", null, "kg-line" + (e.dashed ? " dashed" : ""));
    line.style.borderTopColor = e.color;
    li.appendChild(line); li.appendChild(el("span", e.label));
    el2.appendChild(li);
  });

  /* ---- side panel ---- */
  var panel = document.getElementById("kg-panel");
  var body = document.getElementById("kg-panel-body");
  function nodeButton(id, cls) {
    var b = el("button", nameOf(id), cls || "kg-linkish");
    b.type = "button";
    b.addEventListener("click", function () { focusNode(id); });
    return b;
  }
  function tag(kind) {
    var t = el("span", kind, "kg-tag");
    t.style.backgroundColor = kind === "paper" ? data.paper_color : data.type_colors[kind];
    return t;
  }
  function urlLine(url, href) {
    if (href && SAFE_URL.test(href)) {
      var a = el("a", url);
      a.href = href; a.target = "_blank"; a.rel = "noopener noreferrer";
      return a;
    }
    return el("span", url);
  }
  function showPaper(id, d) {
    body.appendChild(tag("paper"));
    body.appendChild(el("h2", d.title));
    if (d.url) { var m = el("div", null, "kg-meta"); m.appendChild(urlLine(d.url, d.href)); body.appendChild(m); }
    if (d.date || d.authors.length) body.appendChild(el("div", [d.date].concat(d.authors).filter(Boolean).join(" \u00b7 "), "kg-meta"));
    body.appendChild(el("h3", "Abstract"));
    var p = el("p", null, "kg-abstract");
    d.abstract.forEach(function (piece) {
      if (!piece[1]) { p.appendChild(document.createTextNode(piece[0])); return; }
      var mk = el("mark", piece[0]), color = data.type_colors[piece[1]];
      mk.style.backgroundColor = data.type_tints[piece[1]];
      mk.style.borderBottomColor = color;
      mk.title = piece[1] + (piece[2] ? ": " + nameOf(piece[2]) : "");
      if (piece[2] && details[piece[2]]) mk.addEventListener("click", function () { focusNode(piece[2]); });
      p.appendChild(mk);
    });
    body.appendChild(p);
    if (d.entities.length) {
      body.appendChild(el("h3", "Entities"));
      var box = el("div");
      d.entities.forEach(function (e) {
        var b = nodeButton(e, "kg-chip");
        b.style.borderColor = data.type_colors[kindOf(e)];
        box.appendChild(b);
      });
      body.appendChild(box);
    }
    if (d.related.length) {
      body.appendChild(el("h3", "Related papers"));
      var ul = el("ul");
      d.related.forEach(function (r) {
        var li = el("li"); li.appendChild(nodeButton(r[0]));
        li.appendChild(el("span", " (" + r[1] + ")", "kg-count"));
        ul.appendChild(li);
      });
      body.appendChild(ul);
    }
    if (d.links.length) {
      body.appendChild(el("h3", "Links in the abstract"));
      var ll = el("ul");
      d.links.forEach(function (l) { var li = el("li"); li.appendChild(urlLine(l[0], l[1])); ll.appendChild(li); });
      body.appendChild(ll);
    }
  }
  function showEntity(id, d) {
    body.appendChild(tag(d.kind));
    body.appendChild(el("h2", d.label));
    if (d.aliases.length) body.appendChild(el("div", "Aliases: " + d.aliases.join(", "), "kg-meta"));
    body.appendChild(el("div", "Papers: " + d.paper_count, "kg-meta"));
    body.appendChild(el("h3", "Evidence"));
    var ul = el("ul");
    d.evidence.forEach(function (ev) {
      var li = el("li"); li.appendChild(nodeButton(ev[0]));
      var q = el("blockquote");
      q.appendChild(document.createTextNode(ev[1]));
      var mk = el("mark", ev[2]);
      mk.style.backgroundColor = data.type_tints[d.kind]; mk.style.borderBottomColor = data.type_colors[d.kind];
      q.appendChild(mk);
      q.appendChild(document.createTextNode(ev[3]));
      li.appendChild(q);
      ul.appendChild(li);
    });
    body.appendChild(ul);
    if (d.more) body.appendChild(el("div", "\u2026 and " + d.more + " more papers", "kg-meta"));
  }
  function showPanel(id) {
    var d = details[id];
    if (!d) return;
    clear(body);
    if (d.kind === "paper") showPaper(id, d); else showEntity(id, d);
    panel.hidden = false;
    panel.scrollTop = 0;
  }
  document.getElementById("kg-panel-close").addEventListener("click", function () {
    panel.hidden = true; resetHighlight(); network.unselectAll();
  });

  function select(id) { highlight(id); showPanel(id); }
  function focusNode(id) {
    if (!details[id] || !nodes.get(id)) return;
    var kind = kindOf(id);
    if (!visible[kind]) { visible[kind] = true; boxes[kind].checked = true; applyFilter(kind); }
    network.selectNodes([id]);
    network.focus(id, { scale: 1.3, animation: { duration: 500, easingFunction: "easeInOutQuad" } });
    select(id);
  }
  network.on("click", function (params) {
    if (params.nodes.length) select(params.nodes[0]);
    else if (!params.edges.length) { resetHighlight(); panel.hidden = true; }
  });

  /* ---- search: label or alias, case-insensitive substring ---- */
  var index = nodeIds.map(function (id) {
    var d = details[id], names = d.kind === "paper" ? [d.title, id] : [d.label].concat(d.aliases, [id]);
    return { id: id, names: names.map(function (s) { return String(s).toLowerCase(); }) };
  });
  var input = document.getElementById("kg-search");
  var results = document.getElementById("kg-results");
  var hits = [], active = 0;
  function rank(entry, q) {
    var best = 3;
    entry.names.forEach(function (s) {
      if (s === q) best = Math.min(best, 0);
      else if (s.indexOf(q) === 0) best = Math.min(best, 1);
      else if (s.indexOf(q) >= 0) best = Math.min(best, 2);
    });
    return best;
  }
  function renderResults() {
    clear(results);
    if (!hits.length) { results.appendChild(el("li", "no match", "kg-empty")); }
    hits.forEach(function (h, i) {
      var li = el("li", null, i === active ? "active" : "");
      li.appendChild(el("span", nameOf(h.id)));
      li.appendChild(el("span", kindOf(h.id), "kg-kind"));
      li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(h.id); });
      results.appendChild(li);
    });
    results.hidden = false;
  }
  function choose(id) { results.hidden = true; input.value = nameOf(id); focusNode(id); }
  input.addEventListener("input", function () {
    var q = input.value.trim().toLowerCase();
    if (!q) { results.hidden = true; hits = []; return; }
    hits = [];
    index.forEach(function (e) { var r = rank(e, q); if (r < 3) hits.push({ id: e.id, r: r, name: nameOf(e.id).toLowerCase() }); });
    hits.sort(function (a, b) { return a.r - b.r || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0); });
    hits = hits.slice(0, 15); active = 0;
    renderResults();
  });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown" && hits.length) { active = (active + 1) % hits.length; renderResults(); ev.preventDefault(); }
    else if (ev.key === "ArrowUp" && hits.length) { active = (active + hits.length - 1) % hits.length; renderResults(); ev.preventDefault(); }
    else if (ev.key === "Enter" && hits.length) { choose(hits[active].id); }
    else if (ev.key === "Escape") { results.hidden = true; }
  });
  input.addEventListener("blur", function () { results.hidden = true; });
  window.kgExplorer = { network: network, nodes: nodes, edges: edges, focusNode: focusNode };
})();
