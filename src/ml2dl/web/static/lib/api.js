// Talking to the server (api, live) and telling the user (notify).

/** POST JSON (or GET when body is undefined) to /api/...; throws Error(server message) on failure. */
export async function api(path, body) {
  const url = path.startsWith("/") ? path : `/api/${path}`;
  const init = body === undefined
    ? { method: "GET" }
    : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  let response;
  try {
    response = await fetch(url, init);
  } catch (e) {
    throw new Error(`Cannot reach the ml2dl server (${e.message}). Is \`ml2dl serve\` still running?`);
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!response.ok) {
    let message = data && (data.message || (typeof data.detail === "string" ? data.detail : null));
    if (!message && data && Array.isArray(data.detail)) message = data.detail.map((d) => d.msg).join("; ");
    const error = new Error(message || `${response.status} ${response.statusText} from ${url}`);
    error.status = response.status;
    error.data = data;
    throw error;
  }
  return data;
}

let toastTimer = null;
/** A toast at the bottom of the page for six seconds (kind "error" or "info"). */
export function notify(message, kind = "error") {
  const toast = document.getElementById("toast");
  toast.textContent = message;
  toast.dataset.kind = kind;
  toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { toast.hidden = true; }, 6000);
}

/**
 * live(fetch, draw) -> refresh(). Call refresh() on every input event: at most one request is in
 * flight; calls made meanwhile collapse into one follow-up with the newest state, so dragging a
 * slider never queues stale requests. Errors show in the toast (and in `onError` if given).
 */
export function live(fetcher, draw, onError) {
  let running = false;
  let pending = false;
  async function refresh() {
    if (running) { pending = true; return; }
    running = true;
    try {
      const result = await fetcher();
      if (!pending) draw(result);
    } catch (e) {
      if (!pending) { if (onError) onError(e); else notify(e.message); }
    } finally {
      running = false;
      if (pending) { pending = false; refresh(); }
    }
  }
  return refresh;
}
