/* paper-kg explorer, core: data, graph, colours, highlighting, legend and filters.
   Data reaches the DOM only through textContent, createTextNode and createElement;
   node ids in vis are the node numbers of the payload (papers first, then entities). */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var S = data.style, P = data.papers, E = data.entities, nP = P.length, N = nP + E.length;
  var DIM_NODE = "rgba(200,200,200,0.35)", DIM_FONT = "rgba(80,80,80,0.25)";
  var DIM_EDGE = "rgba(200,200,200,0.12)", FONT = "#222222";

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); }
  function rec(i) { return i < nP ? P[i] : E[i - nP]; }
  function kindOf(i) { return i < nP ? "paper" : String(E[i - nP].type); }
  function nameOf(i) { return i < nP ? P[i].title : E[i - nP].label; }
  function clip(s, k) {
    s = String(s).replace(/\s+/g, " ").trim();
    return s.length <= k ? s : s.slice(0, k - 1).trim() + "\u2026";
  }
  var byId = new Map();
  for (var i = 0; i < N; i++) byId.set(rec(i).id, i);

  /* ---- colours ---- */
  var mode = data.color_by === "community" && data.community.length ? "community" : "type";
  function typeColor(i) { return i < nP ? S.paper : (S.types[kindOf(i)] || S.unknown); }
  function communityOf(i) { return data.community.length ? data.community[i] : -1; }
  function communityColor(c) {
    if (c < 0) return S.no_community;
    return c < S.palette.length ? S.palette[c] : "hsl(" + Math.round((c * 137.508) % 360) + ",55%,52%)";
  }
  function baseColor(i) { return mode === "community" ? communityColor(communityOf(i)) : typeColor(i); }

  /* ---- nodes, edges, related papers ---- */
  function tooltip(i) {
    if (i < nP) return [P[i].title, clip(P[i].abstract, 200), P[i].url || ""].filter(Boolean).join("\n");
    var e = E[i - nP], lines = [e.label, "type: " + e.type];
    if (e.aliases) lines.push("aliases: " + clip(e.aliases.join(", "), 200));
    lines.push("papers: " + e.papers);
    return lines.join("\n");
  }
  var nodeList = [], edgeList = [], related = [];
  for (i = 0; i < N; i++) {
    var isPaper = i < nP, node = {
      id: i, label: isPaper ? clip(P[i].title, 32) : E[i - nP].label, shape: isPaper ? "square" : "dot",
      size: Math.round(10 * (isPaper ? 9 + 3 * Math.sqrt(P[i].ents.length) : Math.min(10 + 4 * Math.sqrt(E[i - nP].papers), 70))) / 10,
      color: baseColor(i), title: tooltip(i)
    };
    if (data.xy.length) { node.x = data.xy[2 * i]; node.y = data.xy[2 * i + 1]; }
    nodeList.push(node);
    if (isPaper) related.push([]);
  }
  P.forEach(function (p, k) {
    p.ents.forEach(function (j) { edgeList.push({ id: edgeList.length, from: k, to: j, color: S.mention_edge, width: 1 }); });
  });
  var maxWeight = data.links.reduce(function (m, l) { return Math.max(m, l[2]); }, 0) || 1;
  data.links.forEach(function (l) {
    var shared = l[3].map(nameOf), more = shared.length > 8 ? " \u2026" : "";
    edgeList.push({
      id: edgeList.length, from: l[0], to: l[1], color: S.link_edge, dashes: true,
      width: Math.round(100 * (1 + 4 * l[2] / maxWeight)) / 100,
      title: "related papers (weight " + l[2] + ")\nshared: " + shared.slice(0, 8).join(", ") + more
    });
    related[l[0]].push([l[1], l[2], l[3]]);
    related[l[1]].push([l[0], l[2], l[3]]);
  });
  related.forEach(function (r) { r.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; }); });
  var edgeColor = edgeList.map(function (e) { return e.color; });

  document.title = data.title;
  document.getElementById("kg-title").textContent = data.title;
  var nodes = new vis.DataSet(nodeList), edges = new vis.DataSet(edgeList);
  var network = new vis.Network(document.getElementById("kg-network"), { nodes: nodes, edges: edges }, data.options);
  var KG = window.kgExplorer = {
    data: data, style: S, papers: P, entities: E, nP: nP, N: N, network: network, nodes: nodes, edges: edges,
    related: related, el: el, clear: clear, rec: rec, kindOf: kindOf, nameOf: nameOf, clip: clip,
    communityOf: communityOf, communityColor: communityColor, stable: !data.physics,
    idOf: function (i) { return rec(i).id; },
    indexOf: function (id) { return byId.has(id) ? byId.get(id) : -1; },
    selectedId: function () { var s = network.getSelectedNodes(); return s.length ? rec(s[0]).id : null; }
  };
  if (data.physics) {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      KG.stable = true;
    });
  }

  /* ---- highlighting: a node and its neighbours, or a set of nodes (others dimmed) ----
     Dimming rewrites every node and edge, too slow for big graphs: there vis's own selection
     highlight (the node and its edges) is all. */
  var DIMMING = N + edgeList.length <= 30000;
  var lit = null, litEdges = false;  // lit: Uint8Array of highlighted nodes, null when none dimmed
  function paint() {
    nodes.update(nodeList.map(function (n) {
      var on = !lit || lit[n.id];
      return { id: n.id, color: on ? baseColor(n.id) : DIM_NODE, font: { color: on ? FONT : DIM_FONT } };
    }));
    if (!lit && !litEdges) return;
    edges.update(edgeList.map(function (e) {
      return { id: e.id, color: !lit || (lit[e.from] && lit[e.to]) ? edgeColor[e.id] : DIM_EDGE };
    }));
    litEdges = !!lit;
  }
  function highlightSet(list) {
    if (!DIMMING) return;
    lit = new Uint8Array(N);
    list.forEach(function (i) { lit[i] = 1; });
    paint();
  }
  function highlight(i) { if (DIMMING) highlightSet([i].concat(network.getConnectedNodes(i))); }
  function resetHighlight() { if (lit) { lit = null; paint(); } }

  /* ---- filters: kinds shown, minimum papers per entity ---- */
  var visible = Object.create(null), boxes = Object.create(null);
  var hiddenNow = new Uint8Array(N), minPapers = 1;
  var range = document.getElementById("kg-min-papers"), number = document.getElementById("kg-min-papers-number");
  var levels = [1];  // the slider steps through the paper counts that occur
  E.map(function (e) { return e.papers; }).sort(function (a, b) { return a - b; })
    .forEach(function (v) { if (v > levels[levels.length - 1]) levels.push(v); });
  var entitiesBox = document.getElementById("kg-entities-toggle");
  function isHidden(i) {
    if (!visible[kindOf(i)]) return true;
    return i >= nP && minPapers > 1 && E[i - nP].papers < minPapers;
  }
  function applyFilters() {
    var changes = [], shown = 0;
    for (var k = 0; k < N; k++) {
      var h = isHidden(k) ? 1 : 0;
      if (h !== hiddenNow[k]) { hiddenNow[k] = h; changes.push({ id: k, hidden: !!h }); }
      if (!h) shown++;
    }
    if (changes.length) nodes.update(changes);
    var step = 0;
    while (step + 1 < levels.length && levels[step + 1] <= minPapers) step++;
    range.value = String(step);
    number.value = String(minPapers);
    var kinds = Object.keys(boxes).filter(function (k) { return k !== "paper"; });
    var on = kinds.filter(function (k) { return visible[k]; }).length;
    entitiesBox.checked = on === kinds.length;
    entitiesBox.indeterminate = on > 0 && on < kinds.length;
    document.getElementById("kg-visible").textContent = shown + " of " + N + " nodes shown";
  }
  function setVisible(kind, on) { visible[kind] = on; if (boxes[kind]) boxes[kind].checked = on; }
  function swatch(color, shape) {
    var s = el("span", null, "kg-swatch" + (shape === "dot" ? " dot" : ""));
    s.style.backgroundColor = color;
    return s;
  }
  var counts = Object.create(null), kinds = ["paper"];
  for (i = 0; i < N; i++) {
    var kd = kindOf(i);
    if (!(kd in counts)) { counts[kd] = 0; if (kd !== "paper") kinds.push(kd); }
    counts[kd]++;
  }
  S.type_order.forEach(function (t) { if (!(t in counts)) { counts[t] = 0; kinds.push(t); } });
  kinds = ["paper"].concat(kinds.slice(1).sort(function (a, b) {  // known types first, in order
    var x = S.type_order.indexOf(a), y = S.type_order.indexOf(b);
    return (x < 0) - (y < 0) || x - y || (a < b ? -1 : a > b ? 1 : 0);
  }));
  var legend = document.getElementById("kg-legend");
  kinds.forEach(function (kind) {
    visible[kind] = true;
    var li = el("li"), label = el("label"), box = el("input");
    box.type = "checkbox"; box.checked = true; box.value = kind; boxes[kind] = box;
    box.addEventListener("change", function () { visible[kind] = box.checked; applyFilters(); });
    label.appendChild(box);
    label.appendChild(swatch(kind === "paper" ? S.paper : (S.types[kind] || S.unknown), kind === "paper" ? "square" : "dot"));
    label.appendChild(el("span", kind === "paper" ? "papers" : kind));
    label.appendChild(el("span", counts[kind], "kg-count"));
    li.appendChild(label);
    legend.appendChild(li);
  });
  entitiesBox.addEventListener("change", function () {
    kinds.forEach(function (k) { if (k !== "paper") setVisible(k, entitiesBox.checked); });
    applyFilters();
  });
  range.max = String(levels.length - 1);
  range.addEventListener("input", function () { minPapers = levels[parseInt(range.value, 10) || 0]; applyFilters(); });
  number.addEventListener("input", function () {
    var v = parseInt(number.value, 10);
    if (v >= 1) { minPapers = v; applyFilters(); }
  });

  /* ---- colour mode and its legend ---- */
  var radios = document.querySelectorAll("#kg-color-by input");
  var commBox = document.getElementById("kg-communities"), commList = document.getElementById("kg-community-legend");
  function communityLegend() {
    clear(commList);
    var size = new Map();
    for (var k = 0; k < N; k++) { var c = communityOf(k); size.set(c, (size.get(c) || 0) + 1); }
    var order = Array.from(size.keys()).sort(function (a, b) { return (a < 0) - (b < 0) || size.get(b) - size.get(a) || a - b; });
    order.slice(0, 16).forEach(function (c) {
      var li = el("li"), b = el("button", c < 0 ? "no community" : "community " + c, "kg-linkish");
      b.type = "button";
      b.addEventListener("click", function () { KG.showCommunity(c); });
      li.appendChild(swatch(communityColor(c), "dot"));
      li.appendChild(b);
      li.appendChild(el("span", size.get(c), "kg-count"));
      commList.appendChild(li);
    });
    if (order.length > 16) commList.appendChild(el("li", "\u2026 " + (order.length - 16) + " more", "kg-count"));
  }
  function setColorMode(m) {
    mode = m === "community" && data.community.length ? "community" : "type";
    Array.prototype.forEach.call(radios, function (r) { r.checked = r.value === mode; });
    commBox.hidden = mode !== "community";
    if (mode === "community" && !commList.firstChild) communityLegend();
    paint();
  }
  Array.prototype.forEach.call(radios, function (r) {
    if (r.value === "community" && !data.community.length) r.disabled = true;
    r.addEventListener("change", function () { if (r.checked) setColorMode(r.value); });
  });
  var edgeLegend = document.getElementById("kg-edge-legend");
  [["paper mentions entity", S.mention_edge, false]].concat(data.links.length ? [["related papers", S.link_edge, true]] : [])
    .forEach(function (e) {
      var li = el("li"), line = el("span", null, "kg-line" + (e[2] ? " dashed" : ""));
      line.style.borderTopColor = e[1];
      li.appendChild(line); li.appendChild(el("span", e[0]));
      edgeLegend.appendChild(li);
    });
  var ov = data.overview, shown = ov.shown;
  var stats = P.length + " papers \u00b7 " + E.length + " entities \u00b7 " + data.links.length + " paper links";
  if (shown.papers < ov.counts.papers || shown.entities < ov.counts.entities) {
    stats += " (of " + ov.counts.papers + " papers, " + ov.counts.entities + " entities)";
  }
  document.getElementById("kg-stats").textContent = stats;

  /* ---- selection, focus, tabs ---- */
  function select(i) { highlight(i); KG.showPanel(i); }
  function deselect() { resetHighlight(); network.unselectAll(); KG.hidePanel(); }
  function reveal(i) {
    var kind = kindOf(i);
    if (!visible[kind]) setVisible(kind, true);
    if (i >= nP && E[i - nP].papers < minPapers) minPapers = Math.max(1, E[i - nP].papers);
    applyFilters();
  }
  function focusNode(i) {
    if (!(i >= 0 && i < N)) return;
    showTab("graph");
    reveal(i);
    network.selectNodes([i]);
    network.focus(i, { scale: 1.3, animation: { duration: 400, easingFunction: "easeInOutQuad" } });
    select(i);
  }
  network.on("click", function (params) {
    if (params.nodes.length) select(params.nodes[0]);
    else if (!params.edges.length) deselect();
  });
  var tabs = { graph: document.getElementById("kg-tab-graph"), overview: document.getElementById("kg-tab-overview") };
  var overview = document.getElementById("kg-overview");
  function showTab(name) {
    overview.hidden = name !== "overview";
    tabs.graph.setAttribute("aria-selected", String(name === "graph"));
    tabs.overview.setAttribute("aria-selected", String(name === "overview"));
    if (name === "overview" && !overview.firstChild) KG.renderOverview(overview);
  }
  tabs.graph.addEventListener("click", function () { showTab("graph"); });
  tabs.overview.addEventListener("click", function () { showTab("overview"); });
  KG.showCommunity = function (c) {
    showTab("graph");
    setColorMode("community");
    var members = [];
    for (var k = 0; k < N; k++) if (communityOf(k) === c) members.push(k);
    KG.hidePanel();
    network.unselectAll();
    highlightSet(members);
    if (members.length) network.fit({ nodes: members, animation: { duration: 400, easingFunction: "easeInOutQuad" } });
  };
  KG.focusNode = focusNode; KG.select = select; KG.deselect = deselect; KG.showTab = showTab;
  KG.setColorMode = setColorMode; KG.colorMode = function () { return mode; };
  KG.setMinPapers = function (m) { minPapers = Math.max(1, m | 0); applyFilters(); };
  setColorMode(mode);
  applyFilters();
})();
