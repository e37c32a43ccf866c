/* paper-kg explorer, side panel: a paper (links, highlighted abstract, entities, related papers)
   or an entity (type, aliases, papers with evidence sentences). Text only, http(s) links only. */
(function (KG) {
  "use strict";
  var el = KG.el, P = KG.papers, E = KG.entities, nP = KG.nP;
  var SAFE_URL = /^https?:\/\/[^\s]+$/i;
  var panel = document.getElementById("kg-panel"), body = document.getElementById("kg-panel-body");

  function nodeButton(i, cls) {
    var b = el("button", KG.nameOf(i), cls || "kg-linkish");
    b.type = "button";
    b.addEventListener("click", function () { KG.focusNode(i); });
    return b;
  }
  function chip(i) {
    var b = nodeButton(i, "kg-chip kg-t-" + KG.kindOf(i));
    b.title = KG.kindOf(i);
    return b;
  }
  function tag(kind) { return el("span", kind, "kg-tag kg-t-" + kind); }
  function link(url, href) {
    if (href && SAFE_URL.test(href)) {
      var a = el("a", url);
      a.href = href; a.target = "_blank"; a.rel = "noopener noreferrer";
      return a;
    }
    return el("span", url);
  }
  function mention(text, kind, entity) {
    var m = el("span", text, "kg-mention kg-t-" + kind);
    m.title = kind + (entity >= 0 ? ": " + KG.nameOf(entity) : "");
    if (entity >= 0) m.addEventListener("click", function () { KG.focusNode(entity); });
    return m;
  }
  function section(title, content) {
    body.appendChild(el("h3", title));
    body.appendChild(content);
  }

  function showPaper(i) {
    var d = P[i];
    body.appendChild(tag("paper"));
    body.appendChild(el("h2", d.title));
    if (d.url) { var u = el("div", null, "kg-meta"); u.appendChild(link(d.url, d.href)); body.appendChild(u); }
    var meta = [d.date || ""].concat(d.authors || []).filter(Boolean);
    if (meta.length) body.appendChild(el("div", meta.join(" \u00b7 "), "kg-meta"));
    var p = el("p", null, "kg-abstract"), pos = 0, text = d.abstract;
    d.marks.forEach(function (m) {
      if (m[0] > pos) p.appendChild(document.createTextNode(text.slice(pos, m[0])));
      p.appendChild(mention(text.slice(m[0], m[1]), m[2], m[3]));
      pos = m[1];
    });
    if (pos < text.length) p.appendChild(document.createTextNode(text.slice(pos)));
    section("Abstract", p);
    if (d.ents.length) {
      var box = el("div");
      d.ents.forEach(function (j) { box.appendChild(chip(j)); });
      section("Entities (" + d.ents.length + ")", box);
    }
    var rel = KG.related[i];
    if (rel.length) {
      var ul = el("ul", null, "kg-related");
      rel.forEach(function (r) {
        var li = el("li");
        li.appendChild(nodeButton(r[0]));
        li.appendChild(el("span", " weight " + r[1], "kg-count"));
        if (r[2].length) {
          var shared = el("div", "shared: ", "kg-shared");
          r[2].forEach(function (j) { shared.appendChild(chip(j)); });
          li.appendChild(shared);
        }
        ul.appendChild(li);
      });
      section("Related papers (" + rel.length + ")", ul);
    }
    if (d.links) {
      var ll = el("ul");
      d.links.forEach(function (l) { var li = el("li"); li.appendChild(link(l[0], l[1])); ll.appendChild(li); });
      section("Links in the abstract", ll);
    }
  }

  function showEntity(i) {
    var d = E[i - nP];
    body.appendChild(tag(d.type));
    body.appendChild(el("h2", d.label));
    if (d.aliases) body.appendChild(el("div", "Aliases: " + d.aliases.join(", "), "kg-meta"));
    var count = "Papers: " + d.papers + (d.total ? " here, " + d.total + " in the corpus" : "");
    body.appendChild(el("div", count, "kg-meta"));
    var ul = el("ul", null, "kg-evidence");
    d.evidence.forEach(function (ev) {
      var paper = P[ev[0]], text = ev[1] ? paper.abstract : paper.title;
      var li = el("li"), q = el("blockquote");
      li.appendChild(nodeButton(ev[0]));
      q.appendChild(document.createTextNode(text.slice(ev[2], ev[3])));
      q.appendChild(mention(text.slice(ev[3], ev[4]), d.type, -1));
      q.appendChild(document.createTextNode(text.slice(ev[4], ev[5])));
      li.appendChild(q);
      ul.appendChild(li);
    });
    section("Mentioned in", ul);
    if (d.more) body.appendChild(el("div", "\u2026 and " + d.more + " more papers", "kg-meta"));
  }

  KG.showPanel = function (i) {
    if (!(i >= 0 && i < KG.N)) return;
    KG.clear(body);
    if (i < nP) showPaper(i); else showEntity(i);
    panel.hidden = false;
    panel.scrollTop = 0;
  };
  KG.hidePanel = function () { panel.hidden = true; };
  document.getElementById("kg-panel-close").addEventListener("click", KG.deselect);
})(window.kgExplorer);
