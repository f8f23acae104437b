// api.js: the HTTP API from a page, the same requests curl would send.
//
//   import { Api, ApiError } from "/assets/api.js";
//   const api = new Api({ token: "ss_..." });           // token optional (guest sign-up)
//   const session = await api.get("/sessions/1");        // paths are relative to /api/v1
//   await api.post("/sessions/1/orders", body, { headers: { "Idempotency-Key": key } });
//   try { … } catch (e) { if (e instanceof ApiError) e.status, e.code, e.message, e.body }
//
// Every non-2xx answer is thrown as an ApiError carrying the server's
// {"error": {"code", "message", …}} envelope (`e.localized` holds the buyer's localized
// message when the server sends one; `e.retryAfter` the seconds of a Retry-After header, else
// null). A network failure is an ApiError with status 0 and code "network". `api.raw(path)`
// returns the Response itself (CSV exports).

export const API_BASE = "/api/v1";

export class ApiError extends Error {
  constructor(status, code, message, body) {
    super(message || code || `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.code = code || "unknown";
    this.body = body || null;
    const error = body && body.error;
    this.localized = (error && error.localized && error.localized.text) || null;
    this.retryAfter = null;
  }
}

export class Api {
  constructor({ token = null, base = API_BASE } = {}) {
    this.token = token;
    this.base = base;
  }

  setToken(token) {
    this.token = token;
  }

  url(path, query) {
    const url = new URL(path.startsWith("/api/") || path.startsWith("/openapi") ? path : this.base + path, location.origin);
    if (query) {
      for (const [key, value] of Object.entries(query)) {
        if (value !== undefined && value !== null && value !== "") url.searchParams.set(key, value);
      }
    }
    return url.pathname + url.search;
  }

  async raw(path, { method = "GET", body, headers = {}, query, signal } = {}) {
    const init = { method, headers: { Accept: "application/json", ...headers }, signal };
    if (this.token) init.headers.Authorization = `Bearer ${this.token}`;
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(this.url(path, query), init);
    } catch (e) {
      if (e && e.name === "AbortError") throw e;
      throw new ApiError(0, "network", "the server cannot be reached", null);
    }
    if (!response.ok) {
      let parsed = null;
      try {
        parsed = await response.json();
      } catch {
        parsed = null;
      }
      const error = (parsed && parsed.error) || {};
      const refusal = new ApiError(response.status, error.code, error.message, parsed);
      const retryAfter = Number.parseInt(response.headers.get("Retry-After") || "", 10);
      if (Number.isFinite(retryAfter)) refusal.retryAfter = retryAfter;
      throw refusal;
    }
    return response;
  }

  async request(path, options = {}) {
    const response = await this.raw(path, options);
    if (response.status === 204) return null;
    const type = response.headers.get("content-type") || "";
    return type.includes("json") ? response.json() : response.text();
  }

  get(path, query, options = {}) {
    return this.request(path, { ...options, query });
  }

  post(path, body, options = {}) {
    return this.request(path, { ...options, method: "POST", body });
  }

  put(path, body, options = {}) {
    return this.request(path, { ...options, method: "PUT", body });
  }

  patch(path, body, options = {}) {
    return this.request(path, { ...options, method: "PATCH", body });
  }

  delete(path, options = {}) {
    return this.request(path, { ...options, method: "DELETE" });
  }
}

// A fresh idempotency key (one per tap: a double tap sends the same key only if the caller
// reuses it on purpose).
export function newKey(prefix = "ui") {
  // randomUUID needs a secure context (https or localhost); getRandomValues works everywhere.
  if (crypto.randomUUID && window.isSecureContext) return `${prefix}-${crypto.randomUUID()}`;
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `${prefix}-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
