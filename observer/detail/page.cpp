#include <wsnova/observer/detail/page.hpp>

namespace wsnova::detail {

namespace {

// Text is inserted with textContent only: ids and URLs come from the application.
constexpr std::string_view page = R"html(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>wsnova observer</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
  h1 { font-size: 1.3em; margin: 0 0 .3em; }
  #status { margin-bottom: 1em; color: #555; }
  #status.error { color: #b00; font-weight: bold; }
  ul { list-style: none; padding-left: 1.4em; border-left: 1px solid #ddd; margin: .2em 0; }
  #tree > ul { border-left: none; padding-left: 0; }
  .row { display: flex; gap: .8em; align-items: baseline; padding: .1em 0; }
  .id { font-weight: bold; min-width: 8em; }
  .kind { color: #666; font-size: .9em; }
  .state { padding: 0 .4em; border-radius: 3px; font-size: .9em; }
  .state.running { background: #d7f5d7; }
  .state.restarting { background: #fff0c0; }
  .state.undefined, .state.unreachable { background: #f5d7d7; }
  .restarts.nonzero { color: #b60; font-weight: bold; }
  .conn, .where { color: #555; font-size: .9em; }
  .remote { color: #06c; }
</style>
</head>
<body>
<h1>wsnova observer</h1>
<div id="status" data-errors="0" data-polls="0">loading…</div>
<div id="tree"></div>
<script>
"use strict";
const statusEl = document.getElementById("status");
const treeEl = document.getElementById("tree");
let errors = 0, polls = 0;

function span(cls, text) {
  const s = document.createElement("span");
  s.className = cls;
  s.textContent = text;
  return s;
}

function renderNode(node, path) {
  const li = document.createElement("li");
  const state = node.unreachable ? "unreachable" : node.state;
  li.id = "node-" + path;
  li.className = "node";
  li.dataset.childId = node.id;
  li.dataset.path = path;
  li.dataset.kind = node.kind;
  li.dataset.state = state;
  li.dataset.restarts = String(node.restarts);
  li.dataset.actorId = node.actor_id === null ? "" : String(node.actor_id);
  li.dataset.node = node.node === null ? "" : node.node;
  li.dataset.local = node.local === null ? "" : String(node.local);
  const row = document.createElement("div");
  row.className = "row";
  row.append(span("id", node.id), span("kind", node.kind + (node.restart ? ", " + node.restart : "")),
             span("state " + state, state),
             span("restarts" + (node.restarts > 0 ? " nonzero" : ""), "restarts " + node.restarts));
  if (node.actor_id !== null) row.append(span("where" + (node.local ? "" : " remote"),
      "#" + node.actor_id + (node.local ? "" : " @ " + node.node)));
  if (node.unreachable) row.append(span("conn", node.error));
  const c = node.connection;
  if (c) {
    li.dataset.connectionState = c.state;
    row.append(span("conn", c.state + " " + c.url + " · sent " + c.messages_sent +
                    " · received " + c.messages_received + " · connects " + c.connects +
                    " · queued " + c.queued_messages));
  }
  li.append(row);
  if (node.children) {
    const ul = document.createElement("ul");
    for (const child of node.children) ul.append(renderNode(child, path + "/" + child.id));
    li.append(ul);
  }
  return li;
}

function render(doc) {
  const ul = document.createElement("ul");
  for (const root of doc.roots) ul.append(renderNode(root, root.id));
  treeEl.replaceChildren(ul);
  treeEl.dataset.node = doc.node;
}

async function poll() {
  try {
    const response = await fetch("tree.json", {cache: "no-store"});
    if (!response.ok) throw new Error("HTTP " + response.status);
    render(await response.json());
    polls += 1;
    statusEl.className = "";
    statusEl.textContent = "node " + treeEl.dataset.node + " · updated " +
                           new Date().toLocaleTimeString();
  } catch (e) {
    errors += 1;
    statusEl.className = "error";
    statusEl.textContent = "cannot read tree.json: " + e.message;
  }
  statusEl.dataset.errors = String(errors);
  statusEl.dataset.polls = String(polls);
  setTimeout(poll, 500);
}
poll();
</script>
</body>
</html>
)html";

}  // namespace

std::string_view observer_page() { return page; }

}  // namespace wsnova::detail
