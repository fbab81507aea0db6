// Live timeline: poll /api/events for alerts newer than the newest shown and prepend them.
// Rows are built with textContent only: article text never becomes markup.
"use strict";

(function () {
  const main = document.getElementById("timeline");
  if (!main || !main.dataset.live) return;
  const list = document.getElementById("events");
  const status = document.getElementById("live-status");
  let latest = main.dataset.latest || "";
  const base = main.dataset.query ? main.dataset.query + "&" : "";
  const EVERY_MS = 1000;

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function row(item) {
    const li = el("li", "event fresh");
    const meta = el("div", "meta");
    const time = el("time", "", item.at);
    time.setAttribute("datetime", item.at);
    meta.append(time, el("span", "feed", item.feed));
    for (const tag of item.tags) {
      const label = tag.name + " · " + tag.modality + " · " + tag.confidence.toFixed(2);
      meta.append(el("span", "tag tag-" + tag.kind, label));
    }
    if (item.sources > 1) meta.append(el("span", "sources", item.sources + " sources"));
    const link = el("a", "title", item.title);
    link.href = "/events/" + encodeURIComponent(item.id);
    li.append(meta, link);
    if (item.deliveries.length) {
      const done = el("div", "delivered");
      for (const d of item.deliveries) {
        done.append(el("span", "outcome-" + d.outcome,
          d.subscription + " → " + d.channel + " (" + d.outcome + ")"));
      }
      li.append(done);
    }
    return li;
  }

  async function first() {
    // An empty timeline has no cursor yet: start from the newest event there is.
    const answer = await fetch("/api/events?" + base + "limit=1", {credentials: "same-origin"});
    if (!answer.ok) return;
    const page = await answer.json();
    if (page.items.length) {
      list.prepend(row(page.items[0]));
      latest = page.items[0].cursor;
      const empty = document.getElementById("empty");
      if (empty) empty.remove();
    } else {
      latest = "0";
    }
  }

  async function poll() {
    try {
      if (!latest) {
        await first();
      } else {
        const url = "/api/events?" + base + "after=" + encodeURIComponent(latest);
        const answer = await fetch(url, {credentials: "same-origin"});
        if (answer.ok) {
          const page = await answer.json();
          for (const item of page.items) list.prepend(row(item));
          if (page.items.length) {
            const empty = document.getElementById("empty");
            if (empty) empty.remove();
          }
          latest = page.latest || latest;
        }
      }
      status.textContent = "Live: new alerts appear at the top.";
    } catch (err) {
      status.textContent = "Live updates paused (connection lost); retrying.";
    }
    setTimeout(poll, EVERY_MS);
  }

  setTimeout(poll, EVERY_MS);
})();
