// @ts-check
/**
 * Helpline's embeddable chat widget: one script tag on any page.
 *
 *   <script src="https://support.example.com/widget.js" data-token-url="/helpline/token" async></script>
 *
 * - data-token-url: a URL of the embedding site (its backend) answering `{ "token": "<customer token>" }` for the
 *   signed-in user (minted with an API key: POST /api/v1/tokens). Without it, the visitor chats anonymously.
 * - data-title: the panel's title (default "Support"); data-open="true": open at load.
 * It talks to the Helpline that served it: REST under /api/v1 and the live WebSocket /api/v1/ws (see the README).
 * Everything renders in a shadow root, as text (never as HTML); styles come from /widget.css of the same server.
 * window.HelplineChat: { open(), close(), reset() }.
 */
(() => {
  const script = /** @type {HTMLScriptElement | null} */ (document.currentScript);
  const global = /** @type {any} */ (window);
  if (!script || global.HelplineChat) return;
  const base = new URL(script.src).origin;
  const api = `${base}/api/v1`;
  const tokenUrl = script.dataset.tokenUrl;
  const title = script.dataset.title || 'Support';
  const TOOL_WORDS = /** @type {Record<string, string>} */ ({
    get_account_balance: 'Checking your balance…', get_recent_transactions: 'Looking at your transactions…',
    get_account_details: 'Looking up your account…', search_knowledge_base: 'Searching our help articles…',
    request_card_deactivation: 'Asking our team to deactivate the card…', request_password_change: 'Asking our team about your password…',
    create_ticket: 'Opening a ticket…',
  });

  // ---- the panel ----------------------------------------------------------------------------------------------
  const host = document.createElement('div');
  host.setAttribute('data-helpline-chat', '');
  const root = host.attachShadow({ mode: 'open' });
  const el = (/** @type {string} */ tag, /** @type {Record<string, string>} */ attrs = {}, text = '') => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text) e.textContent = text;
    return e;
  };
  const css = el('link', { rel: 'stylesheet', href: `${base}/widget.css` });
  const launcher = el('button', { type: 'button', class: 'launcher', 'aria-expanded': 'false', 'aria-controls': 'hl-panel' }, 'Chat with us');
  const panel = el('section', { id: 'hl-panel', class: 'panel', role: 'dialog', 'aria-labelledby': 'hl-title', hidden: '' });
  const head = el('header');
  const heading = el('h2', { id: 'hl-title' }, title);
  const fresh = el('button', { type: 'button', class: 'secondary' }, 'New chat');
  const closer = el('button', { type: 'button', class: 'secondary', 'aria-label': 'Close chat' }, '×');
  head.append(heading, fresh, closer);
  const log = el('ol', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': 'Conversation', tabindex: '0' });
  const status = el('p', { class: 'status', role: 'status' });
  const form = el('form', { class: 'compose' });
  const label = el('label', { for: 'hl-input', class: 'visually-hidden' }, 'Your message');
  const input = /** @type {HTMLTextAreaElement} */ (el('textarea', { id: 'hl-input', rows: '2', maxlength: '4000', placeholder: 'Type your question…', 'aria-describedby': 'hl-hint' }));
  const hint = el('span', { id: 'hl-hint', class: 'visually-hidden' }, 'Enter sends; Shift+Enter starts a new line.');
  const send = el('button', { type: 'submit' }, 'Send');
  form.append(label, input, hint, send);
  panel.append(head, log, status, form);
  root.append(css, launcher, panel);

  // ---- rendering (text only) ----------------------------------------------------------------------------------
  /** @type {Map<string, HTMLElement>} */
  const bubbles = new Map();
  /** Text with its web links made clickable; nothing in it is read as HTML. */
  function fill(/** @type {HTMLElement} */ target, /** @type {string} */ text) {
    target.textContent = '';
    const parts = text.split(/(https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)])/g);
    parts.forEach((part, i) => {
      if (i % 2 === 1) target.append(el('a', { href: part, target: '_blank', rel: 'noopener noreferrer' }, part));
      else if (part) target.append(document.createTextNode(part));
    });
  }
  function entry(/** @type {string} */ role, /** @type {string} */ text) {
    const li = el('li', { class: `msg ${role}` });
    const who = el('span', { class: 'visually-hidden' }, role === 'customer' ? 'You: ' : role === 'notice' ? 'Update: ' : 'Support: ');
    const body = el('span', { class: 'body' });
    fill(body, text);
    li.append(who, body);
    log.append(li);
    log.scrollTop = log.scrollHeight;
    return li;
  }
  const bodyOf = (/** @type {HTMLElement} */ li) => /** @type {HTMLElement} */ (li.querySelector('.body'));
  const say = (/** @type {string} */ text) => {
    status.textContent = text;
  };

  // ---- state ---------------------------------------------------------------------------------------------------
  /** @type {string | undefined} */ let token;
  /** @type {string | undefined} */ let threadId;
  /** @type {string | undefined} */ let lastEventId;
  /** @type {WebSocket | undefined} */ let ws;
  let ready = false;
  let retries = 0;
  /** Messages sent and not yet accepted by the server: sent again (same id, so once) after a reconnect. */
  /** @type {Map<string, string>} */
  const unsent = new Map();
  const who = () => {
    try {
      return token ? JSON.parse(atob(token.split('.')[1]?.replace(/-/g, '+').replace(/_/g, '/') ?? '')).sub : 'anonymous';
    } catch {
      return 'anonymous';
    }
  };
  const storeKey = () => `helpline-chat:${base}:${who()}`;

  async function getToken() {
    if (!tokenUrl) return undefined;
    const res = await fetch(tokenUrl, { credentials: 'same-origin', headers: { accept: 'application/json' } });
    // Nobody signed in on the site (or no token for them): chat as an anonymous visitor.
    if (res.status === 204 || res.status === 401 || res.status === 403) return undefined;
    if (!res.ok) throw new Error(`token ${res.status}`);
    return /** @type {{ token: string }} */ (await res.json()).token;
  }
  /** A call of the REST API; a token that expired meanwhile is fetched again once. */
  async function rest(/** @type {string} */ method, /** @type {string} */ path, retry = true) {
    const res = await fetch(`${api}${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });
    if (res.status === 401 && token && retry) {
      token = await getToken();
      return rest(method, path, false);
    }
    const body = await res.json().catch(() => ({}));
    return { status: res.status, body };
  }

  /** Loads started; only the latest one renders (an earlier one may be for a thread left since, or be stale). */
  let loads = 0;
  async function loadHistory(/** @type {number} */ load) {
    if (!threadId) return;
    const r = await rest('GET', `/threads/${encodeURIComponent(threadId)}/messages`);
    if (load !== loads) return;
    if (r.status === 404) return startThread();
    if (r.status !== 200) throw new Error(r.body?.error?.message || `history ${r.status}`);
    clearLog();
    for (const m of r.body.messages) entry(m.role, m.text);
  }
  async function startThread() {
    const r = await rest('POST', '/threads');
    if (r.status !== 201) throw new Error(r.body?.error?.message || `new thread ${r.status}`);
    threadId = r.body.threadId;
    localStorage.setItem(storeKey(), /** @type {string} */ (threadId));
    lastEventId = undefined;
    clearLog();
  }
  function clearLog() {
    log.textContent = '';
    bubbles.clear();
  }

  // ---- live events ---------------------------------------------------------------------------------------------
  /** While the history loads, events wait here; then those the history already holds are dropped. */
  /** @type {any[] | undefined} */
  let waiting;
  /**
   * Settles when the history on screen is current: a message typed while it loads (at the start, after "New chat",
   * after a resync) is shown and sent after it, not wiped by it.
   */
  let settle = () => {};
  let pending = false;
  let synced = Promise.resolve();
  function willLoad() {
    if (pending) return;
    pending = true;
    synced = new Promise((resolve) => {
      settle = () => {
        pending = false;
        resolve();
      };
    });
  }
  willLoad();
  function sync() {
    willLoad();
    return load();
  }
  async function load() {
    const mine = ++loads;
    waiting ??= [];
    try {
      await loadHistory(mine);
    } catch {
      if (mine === loads) say('Could not load the conversation.');
    }
    if (mine !== loads) return; // a later load shows the history and what arrived meanwhile
    const shown = new Set([...log.querySelectorAll('.body')].slice(-10).map((b) => b.textContent));
    const held = waiting ?? [];
    waiting = undefined;
    settle();
    // A reply the history holds already is not shown again, nor are the pieces it was streamed in.
    const had = held.filter((e) => e.type === 'message' && shown.has(e.text));
    const done = new Set(had.map((e) => e.inReplyToId).filter(Boolean));
    for (const e of held) if (!had.includes(e) && !(e.messageId && done.has(e.messageId))) onEvent(e);
  }
  function onEvent(/** @type {any} */ e) {
    if (e.id) lastEventId = e.id;
    if (waiting) return void waiting.push(e);
    switch (e.type) {
      case 'resync':
        return void sync();
      case 'text': {
        const li = bubbles.get(e.messageId) ?? entry('assistant', '');
        li.setAttribute('aria-busy', 'true');
        bubbles.set(e.messageId, li);
        return fill(bodyOf(li), bodyOf(li).textContent + e.text);
      }
      case 'retract': {
        const li = bubbles.get(e.messageId);
        if (li) fill(bodyOf(li), '');
        return;
      }
      case 'working':
        return say(TOOL_WORDS[e.tool] ?? 'Working on it…');
      case 'tool_done':
        return say('Writing…');
      case 'turn_failed':
        return say('Sorry, something went wrong. Please try again.');
      case 'turn_done':
        return say('');
      case 'message': {
        const li = (e.inReplyToId && bubbles.get(e.inReplyToId)) || entry(e.kind === 'notice' ? 'notice' : 'assistant', '');
        if (e.inReplyToId) bubbles.delete(e.inReplyToId);
        li.removeAttribute('aria-busy');
        fill(bodyOf(li), e.text);
        log.scrollTop = log.scrollHeight;
        if (e.kind !== 'holding') say('');
      }
    }
  }

  function connect() {
    const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/api/v1/ws`);
    ws = socket;
    ready = false;
    socket.onopen = () => socket.send(JSON.stringify(token ? { type: 'auth', token } : { type: 'auth' }));
    socket.onmessage = (m) => {
      const f = JSON.parse(String(m.data));
      if (f.type === 'ready') return socket.send(JSON.stringify({ type: 'subscribe', threadId, ...(lastEventId ? { after: lastEventId } : {}) }));
      if (f.type === 'subscribed') {
        if (f.threadId !== threadId) {
          // "New chat" while this subscription was on its way: follow the new thread instead.
          socket.send(JSON.stringify({ type: 'unsubscribe', threadId: f.threadId }));
          return socket.send(JSON.stringify({ type: 'subscribe', threadId }));
        }
        ready = true;
        retries = 0;
        say('');
        if (!lastEventId) {
          lastEventId = f.cursor;
          void sync();
        }
        const resend = [...unsent];
        void synced.then(() => {
          for (const [clientMessageId, text] of resend) socket.send(JSON.stringify({ type: 'message', threadId, clientMessageId, text }));
        });
        return;
      }
      if (f.type === 'accepted') return void unsent.delete(f.clientMessageId);
      if (f.type === 'event' && f.threadId === threadId) return onEvent(f.event);
      if (f.type === 'error' && f.code === 'rate_limited') say('You are sending messages too quickly: please wait a moment.');
    };
    socket.onclose = (c) => {
      if (ws !== socket) return;
      ready = false;
      ws = undefined;
      say('Reconnecting…');
      const again = async () => {
        if (c.code === 4401 && tokenUrl) token = await getToken().catch(() => token);
        connect();
      };
      setTimeout(again, Math.min(15_000, 500 * 2 ** retries++));
    };
  }

  /** @type {Promise<void> | undefined} */
  let starting;
  async function start() {
    token = await getToken();
    threadId = localStorage.getItem(storeKey()) ?? undefined;
    if (!threadId) await startThread();
    connect();
  }

  // ---- interaction ---------------------------------------------------------------------------------------------
  const id = () => `w${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
  function submit() {
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    const clientMessageId = id();
    void synced.then(() => {
      if (!threadId) return;
      entry('customer', text);
      unsent.set(clientMessageId, text);
      say('Sending…');
      if (ws && ready) ws.send(JSON.stringify({ type: 'message', threadId, clientMessageId, text }));
    });
  }
  function open() {
    panel.hidden = false;
    launcher.setAttribute('aria-expanded', 'true');
    launcher.hidden = true;
    input.focus();
    if (starting) return;
    starting = start().catch((err) => {
      starting = undefined;
      say(`Chat is unavailable right now (${err instanceof Error ? err.message : 'error'}).`);
    });
  }
  function close() {
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute('aria-expanded', 'false');
    launcher.focus();
  }
  async function reset() {
    const old = threadId;
    unsent.clear();
    willLoad(); // settled once the new thread is followed and its (empty) history shown
    await startThread();
    if (waiting) waiting = []; // what the old thread's history load held back belongs to the old thread
    say('');
    if (ws && ready) {
      ws.send(JSON.stringify({ type: 'unsubscribe', threadId: old }));
      ws.send(JSON.stringify({ type: 'subscribe', threadId }));
    }
    input.focus();
  }
  launcher.addEventListener('click', open);
  closer.addEventListener('click', close);
  fresh.addEventListener('click', () => void reset().catch(() => {
    settle();
    say('Could not start a new chat.');
  }));
  panel.addEventListener('keydown', (e) => {
    if (/** @type {KeyboardEvent} */ (e).key === 'Escape') close();
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submit();
  });

  global.HelplineChat = { open, close, reset: () => reset() };
  const mount = () => {
    document.body.append(host);
    if (script.dataset.open === 'true') open();
  };
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
