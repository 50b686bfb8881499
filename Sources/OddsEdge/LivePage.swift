import Transport

/// The live odds page every edge serves at `/`: plain HTML and a small script on the
/// browser's EventSource. It shows events, markets and prices as they move (a price that
/// just moved flashes up or down), marks the page when the edge says its data is stale,
/// and lets a customer with a token place a bet at the price on the screen. The query of
/// the page's URL is the stream's (`/?sport=football`, `/?events=fb-1`).
enum LivePage {
    static func add(to router: inout Router) {
        let page = HTTPResponse(
            status: 200,
            headers: [
                "content-type": "text/html; charset=utf-8",
                "cache-control": "no-cache",
                "content-security-policy":
                    "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'",
            ],
            body: Array(html.utf8))
        router.add(.get, "/") { _, responder in responder.respond(page) }
        router.add(.get, "/index.html") { _, responder in responder.respond(page) }
    }

    static let html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Oddsnet live odds</title>
        <style>
        body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #f4f5f7;
          color: #1d2330; }
        header { display: flex; gap: 16px; align-items: center; flex-wrap: wrap;
          padding: 10px 20px; background: #14213d; color: #fff; }
        header h1 { font-size: 18px; margin: 0; }
        #status { font-size: 12px; padding: 2px 8px; border-radius: 10px; background: #666; }
        #status.live { background: #2a9d4b; }
        #stale { background: #e09f3e; color: #000; padding: 2px 8px; border-radius: 4px; }
        #login { margin-left: auto; display: flex; gap: 6px; }
        #login input { width: 260px; }
        main { padding: 12px 20px; display: grid; gap: 12px;
          grid-template-columns: repeat(auto-fill, minmax(380px, 1fr)); }
        .event { background: #fff; border-radius: 6px; padding: 10px 12px;
          box-shadow: 0 1px 2px rgba(0,0,0,.1); }
        .event h2 { font-size: 15px; margin: 0 0 2px; }
        .event .meta { color: #667; font-size: 12px; margin-bottom: 6px; }
        .market { border-top: 1px solid #eee; padding: 6px 0; }
        .market .name { font-weight: 600; }
        .market.suspended .price, .market.closed .price, .market.settled .price,
        .market.voided .price, body.stale .price { opacity: .45; }
        .badge { font-size: 11px; padding: 0 6px; border-radius: 8px; margin-left: 6px;
          background: #ddd; }
        .badge.inplay { background: #d62828; color: #fff; }
        .selections { display: flex; gap: 6px; margin-top: 4px; flex-wrap: wrap; }
        .price { border: 1px solid #cbd; background: #fafbff; border-radius: 4px; cursor: pointer;
          padding: 4px 8px; min-width: 90px; text-align: left; transition: background 1s; }
        .price b { display: block; font-size: 15px; }
        .price.up { background: #c7f0d2; }
        .price.down { background: #f7d0d0; }
        #slip { position: fixed; right: 20px; bottom: 50px; width: 300px; background: #fff;
          border-radius: 6px; padding: 12px; box-shadow: 0 2px 10px rgba(0,0,0,.3); }
        #slip input[type=text] { width: 100px; }
        #result { margin-top: 6px; font-weight: 600; }
        footer { position: fixed; bottom: 0; left: 0; right: 0; background: #e4e6eb;
          padding: 4px 20px; font-size: 12px; color: #445; }
        </style>
        </head>
        <body>
        <header>
          <h1>Oddsnet live odds</h1>
          <span id="status">connecting</span>
          <span id="stale" hidden>prices may be out of date</span>
          <form id="login">
            <input id="token" type="password" placeholder="customer token" autocomplete="off">
            <button type="submit">Use token</button>
          </form>
        </header>
        <main id="events"></main>
        <div id="slip" hidden>
          <div id="slip-what"></div>
          <label>Stake <input id="stake" type="text" value="5.00" inputmode="decimal"></label>
          <label><input id="better" type="checkbox" checked> accept a better price</label>
          <div><button id="place">Place bet</button> <button id="cancel">Close</button></div>
          <div id="result"></div>
        </div>
        <footer>changes <span id="changes">0</span> · last event <span id="last-id">-</span>
          · <span id="note"></span></footer>
        <script>
        "use strict";
        const events = new Map(), markets = new Map();
        let changes = 0, slip = null;
        const $ = (id) => document.getElementById(id);
        $("token").value = localStorage.getItem("oddsnet-token") || "";
        $("login").onsubmit = (e) => {
          e.preventDefault();
          localStorage.setItem("oddsnet-token", $("token").value.trim());
        };

        function text(tag, cls, content) {
          const node = document.createElement(tag);
          if (cls) node.className = cls;
          if (content !== undefined) node.textContent = content;
          return node;
        }
        function eventBox(id) {
          let box = document.querySelector(`.event[data-id="${CSS.escape(id)}"]`);
          if (!box) {
            box = text("section", "event");
            box.dataset.id = id;
            box.append(text("h2", "", id), text("div", "meta", ""));
            $("events").append(box);
          }
          const ev = events.get(id);
          if (ev) {
            box.querySelector("h2").textContent = ev.name;
            box.querySelector(".meta").textContent =
              `${ev.sport} · ${ev.competition} · ${ev.status.replace("_", " ")} · ` +
              new Date(ev.startTime).toLocaleString();
          }
          return box;
        }
        function renderMarket(market, previous) {
          const box = eventBox(market.event);
          let card = box.querySelector(`.market[data-id="${CSS.escape(market.id)}"]`);
          if (!card) {
            card = text("div", "market");
            card.dataset.id = market.id;
            box.append(card);
          }
          card.className = "market " + market.status;
          card.replaceChildren(text("span", "name", market.name),
            text("span", "badge", market.status));
          if (market.inPlay) card.append(text("span", "badge inplay", "in play"));
          const row = text("div", "selections");
          for (const sel of market.selections) {
            const button = text("button", "price");
            button.dataset.market = market.id;
            button.dataset.selection = sel.id;
            button.append(text("span", "", sel.name), text("b", "", sel.price.decimal),
              text("small", "", `${sel.price.fractional} · ${sel.price.american}`));
            const before = previous && previous.selections.find((s) => s.id === sel.id);
            if (before && before.price.decimal !== sel.price.decimal) {
              const up = Number(sel.price.decimal) > Number(before.price.decimal);
              button.classList.add(up ? "up" : "down");
              setTimeout(() => button.classList.remove("up", "down"), 1500);
            }
            button.onclick = () => openSlip(market.id, sel.id);
            row.append(button);
          }
          card.append(row);
        }
        function renderAll() {
          $("events").replaceChildren();
          for (const ev of events.values()) eventBox(ev.id);
          for (const market of markets.values()) renderMarket(market);
        }

        const source = new EventSource("/v1/stream" + location.search);
        function status(label, cls) {
          $("status").textContent = label;
          $("status").className = cls;
        }
        source.onopen = () => status("live", "live");
        source.onerror = () => status("reconnecting", "");
        function seen(e) { if (e.lastEventId) $("last-id").textContent = e.lastEventId; }
        source.addEventListener("snapshot", (e) => {
          const data = JSON.parse(e.data);
          events.clear(); markets.clear();
          for (const ev of data.events) events.set(ev.id, ev);
          for (const market of data.markets) markets.set(market.id, market);
          renderAll();
          seen(e);
        });
        source.addEventListener("market", (e) => {
          const market = JSON.parse(e.data);
          const previous = markets.get(market.id);
          markets.set(market.id, market);
          renderMarket(market, previous);
          changes += 1;
          $("changes").textContent = String(changes);
          document.body.dataset.changes = String(changes);
          seen(e);
          if (slip && slip.market === market.id) showSlip();
        });
        source.addEventListener("event", (e) => {
          const ev = JSON.parse(e.data);
          events.set(ev.id, ev);
          eventBox(ev.id);
          seen(e);
        });
        source.addEventListener("reset", (e) => {
          $("note").textContent = JSON.parse(e.data).reason;
        });
        source.addEventListener("conflated", () => { $("note").textContent = "caught up"; });
        function freshness(e, stale) {
          $("stale").hidden = !stale;
          document.body.classList.toggle("stale", stale);
          const age = JSON.parse(e.data).ageMs;
          if (stale) $("stale").textContent =
            `prices may be out of date: no word from the origin for ${Math.round(age / 1000)} s`;
        }
        source.addEventListener("stale", (e) => freshness(e, true));
        source.addEventListener("fresh", (e) => freshness(e, false));

        function openSlip(marketID, selectionID) {
          slip = { market: marketID, selection: selectionID, key: crypto.randomUUID() };
          $("result").textContent = "";
          showSlip();
        }
        function showSlip() {
          const market = markets.get(slip.market);
          const sel = market && market.selections.find((s) => s.id === slip.selection);
          $("slip").hidden = false;
          $("slip-what").textContent = sel
            ? `${market.name}: ${sel.name} at ${sel.price.decimal} (${market.status})` : "gone";
        }
        function minorUnits(textValue) {
          const match = /^(\\d{1,9})(?:[.,](\\d{1,2}))?$/.exec(textValue.trim());
          if (!match) return null;
          return Number(match[1]) * 100 + Number((match[2] || "0").padEnd(2, "0"));
        }
        function money(minor) {
          return `${Math.trunc(minor / 100)}.${String(minor % 100).padStart(2, "0")}`;
        }
        $("cancel").onclick = () => { slip = null; $("slip").hidden = true; };
        $("place").onclick = async () => {
          const market = markets.get(slip.market);
          const sel = market && market.selections.find((s) => s.id === slip.selection);
          const stake = minorUnits($("stake").value);
          const token = localStorage.getItem("oddsnet-token") || "";
          const say = (message) => { $("result").textContent = message; };
          if (!sel || stake === null) return say("enter a stake like 5.00");
          if (!token) return say("enter your customer token first");
          $("result").textContent = "placing…";
          const body = { market: market.id, selection: sel.id, price: sel.price.decimal,
            marketVersion: market.version, stake,
            policy: $("better").checked ? "better" : "exact" };
          try {
            const answer = await fetch("/v1/bets", { method: "POST", body: JSON.stringify(body),
              headers: { "content-type": "application/json", "authorization": "Bearer " + token,
                "idempotency-key": slip.key } });
            const data = await answer.json();
            if (answer.status === 201) {
              $("result").textContent = `accepted: bet ${data.bet.id} at ${data.bet.price}, ` +
                `returns ${money(data.bet.potentialPayout)}`;
              slip.key = crypto.randomUUID();
            } else {
              const why = data.reason || data.title;
              $("result").textContent = `rejected: ${why}: ${data.detail || ""}`;
              if (answer.status !== 503) slip.key = crypto.randomUUID();
            }
          } catch (error) {
            $("result").textContent = "no answer; press again to retry the same bet";
          }
        };
        </script>
        </body>
        </html>
        """
}
