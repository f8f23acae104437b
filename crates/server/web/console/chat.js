// chat.js: a chat message as the moderators see it, shared by the studio console's chat card
// (host.js) and the operations dashboard's held messages (ops.js), docs/live-room.md.
//
//   import { chatRow, chatItem } from "/console/chat.js";
//   const item = chatItem(event);                  // a chat_message / chat_held event, or a
//                                                  // message of GET /sessions/{id}/chat
//   const li = chatRow({ t, locale, item, held: false, mute: undefined, act });
//   // act(item, "delete" | "release" | "mute" | "unmute", seconds) → a promise; a refusal is
//   // shown in the row, next to its buttons (and again when the row is drawn anew).
//
// A row: the writer whole (a buyer's name, mask, city and country: whom a mute names; the host
// or a moderator with a badge), the time, why it was held (held rows), whether its writer is
// muted, the order it became ("Ordered #12": an order keyword, from `chat_ordered` or the
// message's `order_id`), the text in its own language (lang, dir="auto"), then the buttons: Release and Delete
// for a held message; Delete and Mute (5 minutes, 1 hour, the rest of the session) or Unmute for
// a buyer's message. The text goes in as text, never as markup.

import { clearNotice, clockTime, el, showError } from "/console/common.js";

// The mute menu: its choices and their durations (null: the rest of the session).
export const MUTES = [
  ["console-chat-mute-5m", 300],
  ["console-chat-mute-1h", 3600],
  ["console-chat-mute-session", null],
];

const REASONS = new Set(["link", "phone", "payment", "contact"]);

// One shape for a message, whatever brought it: an event of the feed (`message_id`, `at`,
// `reason` of chat_held) or a message of the chat's page (`id`, `created_at`, `held_reason`).
export function chatItem(m, sessionId = m.session_id) {
  return {
    id: m.message_id ?? m.id,
    sessionId,
    seq: m.seq ?? null,
    sender: m.sender || { role: "buyer" },
    locale: m.locale || "",
    text: m.text || "",
    at: m.at || m.created_at || null,
    reason: m.reason || m.held_reason || null,
    orderId: typeof m.order_id === "number" ? m.order_id : null,
    refusal: null,
    fresh: false,
  };
}

// The name a button's label gives the writer.
export function writerName(t, sender) {
  if (sender.role === "buyer") return sender.name || sender.masked || "";
  return sender.name || t(sender.role === "host" ? "console-chat-host" : "console-chat-moderator");
}

// The writer: a buyer by name, with the mask other buyers see and where they are; the host and
// moderators with a badge.
export function writer(t, sender) {
  const who = el("span", { class: "chat-writer" });
  if (sender.role === "host" || sender.role === "operator") {
    const host = sender.role === "host";
    who.append(el("span", { class: `badge ${host ? "accent" : "ok"}`, text: t(host ? "console-chat-host" : "console-chat-moderator") }));
    if (sender.name) who.append(" ", el("bdi", { class: "chat-name", text: sender.name }));
    return who;
  }
  who.append(el("bdi", { class: "chat-name", text: sender.name || sender.masked || "" }));
  const where = [sender.city, sender.country].filter(Boolean).join(", ");
  const detail = [sender.masked ? `(${sender.masked})` : "", where].filter(Boolean).join(" · ");
  if (detail) who.append(" ", el("bdi", { class: "muted small", text: detail }));
  return who;
}

// `mute`: undefined when the writer is not muted, null when muted for the session, else the
// RFC 3339 time the mute ends. `room`: a node naming the room (the dashboard's rows).
export function chatRow({ t, locale, item, held = false, mute, room = null, act }) {
  const sender = item.sender;
  const name = writerName(t, sender);
  const meta = el("div", { class: "chat-meta" });
  if (room) meta.append(room);
  meta.append(writer(t, sender));
  if (item.at) meta.append(el("time", { class: "muted small", datetime: item.at, text: clockTime(locale, item.at) }));
  if (held && REASONS.has(item.reason)) meta.append(el("span", { class: "badge warn", text: t(`console-chat-reason-${item.reason}`) }));
  if (item.orderId !== null && item.orderId !== undefined) {
    meta.append(el("span", { class: "badge ok chat-ordered", dataset: { order: String(item.orderId) }, text: t("console-chat-ordered", { id: String(item.orderId) }) }));
  }
  if (mute !== undefined) {
    const text = mute === null ? t("console-chat-muted-session") : t("console-chat-muted-until", { time: clockTime(locale, mute) });
    meta.append(el("span", { class: "badge bad", text }));
  }
  const text = el("p", { class: "chat-text", lang: item.locale || null, dir: "auto", text: item.text });
  const notice = el("div", { class: "notice", role: "status", "aria-live": "polite" });
  const run = async (kind, arg) => {
    clearNotice(notice);
    item.refusal = null;
    try {
      await act(item, kind, arg);
    } catch (e) {
      item.refusal = e;
      showError(notice, e);
    }
  };
  const buttons = el("div", { class: "actions" });
  if (held) {
    buttons.append(el("button", { type: "button", class: "small primary", text: t("console-chat-release"), "aria-label": t("console-chat-release-from", { name }), onclick: () => run("release") }));
  }
  buttons.append(el("button", { type: "button", class: "small danger", text: t("console-chat-delete"), "aria-label": t("console-chat-delete-from", { name }), onclick: () => run("delete") }));
  if (!held && sender.role === "buyer" && typeof sender.id === "number") {
    if (mute !== undefined) {
      buttons.append(el("button", { type: "button", class: "small", text: t("console-chat-unmute"), "aria-label": t("console-chat-unmute-who", { name }), onclick: () => run("unmute") }));
    } else {
      const menu = el("div", { class: "actions chat-mute-menu", id: `chat-mute-${item.id}`, role: "group", "aria-label": t("console-chat-mute-who", { name }), hidden: true });
      const toggle = el("button", {
        type: "button",
        class: "small",
        text: t("console-chat-mute"),
        "aria-label": t("console-chat-mute-who", { name }),
        "aria-expanded": "false",
        "aria-controls": menu.id,
        onclick: () => {
          menu.hidden = !menu.hidden;
          toggle.setAttribute("aria-expanded", String(!menu.hidden));
        },
      });
      for (const [id, seconds] of MUTES) {
        menu.append(
          el("button", {
            type: "button",
            class: "small",
            text: t(id),
            onclick: () => {
              menu.hidden = true;
              toggle.setAttribute("aria-expanded", "false");
              run("mute", seconds);
            },
          }),
        );
      }
      buttons.append(toggle, menu);
    }
  }
  const li = el("li", { class: item.fresh ? "chat-item fresh" : "chat-item", dataset: { message: String(item.id) } }, meta, text, buttons, notice);
  item.fresh = false;
  if (item.refusal) showError(notice, item.refusal);
  return li;
}
