import AuthKitCrypto

/// `/auth/authkit.js`: what authkit-nextjs's `AuthKitProvider`, `useAuth`, `useAccessToken` and
/// `Impersonation` give a React app, for a plain HTML page. Holds no user data, so browsers and
/// proxies may keep it (`Cache-Control: public`, an `ETag`); everything per-user comes from
/// `/auth/session` and `/auth/token` when the page asks.
///
/// The endpoints are found from the script's own URL, so a non-default
/// `AUTHKIT_ENDPOINT_PREFIX` needs no configuration on the page.
public enum AuthKitScript {
    /// The answer for `GET {prefix}authkit.js`: 304 when the browser's copy is current.
    public static func response(ifNoneMatch: String?) -> AuthResponse {
        // Split on the comma byte and compared as bytes (a mark glued onto `,` or `"` hides nothing).
        if let tags = ifNoneMatch, tags.splitOnByte(UInt8(ascii: ",")).contains(where: {
            let tag = $0.trimmingWhitespace()
            return tag.bytesEqual(etag) || tag.bytesEqual(weakETag)
        }) {
            return AuthResponse(status: 304, headers: [("ETag", etag), ("Cache-Control", cacheControl)])
        }
        return AuthResponse(status: 200, headers: [
            ("Content-Type", "text/javascript; charset=utf-8"), ("Cache-Control", cacheControl), ("ETag", etag),
            ("X-Content-Type-Options", "nosniff"),
        ], body: bytes)
    }

    /// A day, then revalidated with the ETag (a new release changes the tag).
    static let cacheControl = "public, max-age=86400"

    public static let bytes = Array(source.utf8)

    /// A strong tag from the script's SHA-256.
    public static let etag = "\"" + Hex.encode(Digest.sha256(bytes)).prefix(32) + "\""
    static let weakETag = "W/" + etag

    public static let source = #"""
/* authkit.js: WorkOS AuthKit for plain pages, served by authkit-fcgi. No dependencies.
 *
 *   <script src="/auth/authkit.js"></script>
 *   const session = await AuthKit.getUser();      // null when signed out
 *   const token = await AuthKit.getAccessToken(); // refreshed before it expires
 *   AuthKit.onChange(session => render(session));
 *   AuthKit.signIn({ returnTo: "/docs/" });  AuthKit.signOut();  AuthKit.switchOrganization("org_…");
 */
(function (global) {
  "use strict";
  if (global.AuthKit) return;

  var script = document.currentScript;
  var prefix = script && script.src ? new URL(".", script.src).pathname : "/auth/";

  var session;            // undefined: not asked yet; null: signed out
  var sessionPromise = null;
  var token = null;       // { value, expiresAt (s), issuedAt (s) }
  var tokenPromise = null;
  var timer = null;
  var listeners = [];

  // authkit-nextjs's token store timings (components/tokenStore.ts).
  var MIN_DELAY = 15 * 1000, MAX_DELAY = 24 * 60 * 60 * 1000, RETRY_DELAY = 5 * 60 * 1000;

  function claims(jwt) {
    try {
      var part = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      while (part.length % 4) part += "=";
      return JSON.parse(decodeURIComponent(escape(atob(part))));
    } catch (e) {
      return null;
    }
  }

  function nowSeconds() { return Date.now() / 1000; }

  /** Milliseconds until a token should be refreshed: 60 s before exp, 30 s for tokens living 5 min or less. */
  function refreshDelay(expiresAt, issuedAt) {
    var lifetime = issuedAt ? expiresAt - issuedAt : Infinity;
    var buffer = lifetime <= 300 ? 30 : 60;
    var delay = (expiresAt - buffer - nowSeconds()) * 1000;
    return Math.min(Math.max(delay, MIN_DELAY), MAX_DELAY);
  }

  function notify() {
    listeners.slice().forEach(function (listener) {
      try { listener(session === undefined ? null : session); } catch (e) { setTimeout(function () { throw e; }); }
    });
  }

  function setSession(next) {
    var before = JSON.stringify(session === undefined ? null : session);
    session = next;
    if (!next) {
      // Signed out (here or in another tab): the token goes with the session.
      token = null;
      if (timer) { clearTimeout(timer); timer = null; }
    }
    if (JSON.stringify(next) !== before) notify();
  }

  function request(path, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.headers = Object.assign({ "Accept": "application/json" }, options.headers || {});
    return fetch(prefix + path, options).then(function (response) {
      if (response.status === 401) return null;
      if (!response.ok) throw new Error("authkit: " + path + " answered " + response.status);
      return response.json();
    });
  }

  function schedule(delay) {
    if (timer) clearTimeout(timer);
    timer = setTimeout(function () {
      timer = null;
      fetchToken().catch(function () {});
    }, delay);
  }

  function useToken(value) {
    var c = claims(value);
    if (!c || typeof c.exp !== "number") return false;
    token = { value: value, expiresAt: c.exp, issuedAt: c.iat };
    schedule(refreshDelay(c.exp, c.iat));
    return true;
  }

  function fetchToken() {
    if (tokenPromise) return tokenPromise;
    tokenPromise = request("token").then(function (body) {
      tokenPromise = null;
      if (!body || !body.accessToken) {
        token = null;
        if (timer) clearTimeout(timer);
        if (session) setSession(null);
        return null;
      }
      var previous = token && token.value;
      useToken(body.accessToken);
      // A new token may carry a new organization or role: tell the page.
      if (previous && previous !== body.accessToken) refreshSession().catch(function () {});
      return body.accessToken;
    }, function (error) {
      tokenPromise = null;
      schedule(RETRY_DELAY);
      throw error;
    });
    return tokenPromise;
  }

  function refreshSession() {
    sessionPromise = request("session").then(function (body) {
      sessionPromise = null;
      setSession(body && body.user ? body : null);
      return session;
    }, function (error) {
      sessionPromise = null;
      throw error;
    });
    return sessionPromise;
  }

  // authkit's eager-auth cookie: a token handed over with the page, read once and deleted at once.
  (function consumeEagerToken() {
    var match = document.cookie.match(/(?:^|;\s*)workos-access-token=([^;]+)/);
    if (!match) return;
    document.cookie = "workos-access-token=; Max-Age=0; SameSite=Lax" + (location.protocol === "https:" ? "; Secure" : "");
    useToken(decodeURIComponent(match[1]));
  })();

  function query(params) {
    var parts = [];
    Object.keys(params).forEach(function (key) {
      if (params[key] !== undefined && params[key] !== null) parts.push(encodeURIComponent(key) + "=" + encodeURIComponent(params[key]));
    });
    return parts.length ? "?" + parts.join("&") : "";
  }

  function here() { return location.pathname + location.search + location.hash; }

  function post(path, fields) {
    var form = document.createElement("form");
    form.method = "POST";
    form.action = prefix + path;
    form.style.display = "none";
    Object.keys(fields).forEach(function (name) {
      if (fields[name] === undefined || fields[name] === null) return;
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = fields[name];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
  }

  // The impersonation banner, as authkit-nextjs's <Impersonation>: who is impersonated, and a way out.
  var banner = null;
  function renderBanner(current) {
    if (!current || !current.impersonator) {
      if (banner) { banner.remove(); banner = null; }
      return;
    }
    if (!document.body) { document.addEventListener("DOMContentLoaded", function () { renderBanner(session); }); return; }
    if (!banner) {
      banner = document.createElement("div");
      banner.setAttribute("data-authkit-impersonation", "");
      banner.setAttribute("role", "status");
      banner.style.cssText = "position:fixed;left:0;right:0;bottom:0;z-index:2147483647;display:flex;gap:1em;" +
        "align-items:center;justify-content:center;padding:.6em 1em;background:#fce8e6;color:#6b1a0f;" +
        "border-top:2px solid #d93025;font:14px/1.4 system-ui,sans-serif";
      document.body.appendChild(banner);
    }
    banner.textContent = "";
    var text = document.createElement("span");
    var user = current.user || {};
    text.append("You are impersonating ");
    var who = document.createElement("b");
    who.textContent = user.email || user.id || "a user";
    text.append(who);
    if (current.organizationId) text.append(" in organization " + current.organizationId);
    text.append(" (as " + current.impersonator.email + ")");
    var stop = document.createElement("button");
    stop.type = "button";
    stop.textContent = "Stop impersonating";
    stop.addEventListener("click", function () { AuthKit.signOut(); });
    banner.append(text, stop);
  }
  listeners.push(renderBanner);

  var AuthKit = {
    /** The signed-in session ({user, organizationId, role, roles, permissions, …, impersonator}), or null. */
    getUser: function (options) {
      if (session !== undefined && !(options && options.refresh)) return Promise.resolve(session);
      return sessionPromise || refreshSession();
    },

    /** The access token for your API, refreshed before it expires; null when signed out. */
    getAccessToken: function () {
      if (token && nowSeconds() < token.expiresAt - 5) return Promise.resolve(token.value);
      return fetchToken();
    },

    /** Calls `callback(session or null)` whenever the session changes; returns a function that stops it. */
    onChange: function (callback) {
      listeners.push(callback);
      return function () { listeners = listeners.filter(function (l) { return l !== callback; }); };
    },

    signIn: function (options) {
      options = options || {};
      location.assign(prefix + "sign-in" + query({ return_to: options.returnTo || here(), state: options.state,
        organization_id: options.organizationId, login_hint: options.loginHint }));
    },

    signUp: function (options) {
      options = options || {};
      location.assign(prefix + "sign-up" + query({ return_to: options.returnTo || here(), state: options.state }));
    },

    /** Signs out (a POST, as authkit-fcgi requires) and ends the WorkOS session. */
    signOut: function (options) {
      options = options || {};
      token = null;
      if (timer) clearTimeout(timer);
      post("sign-out", { return_to: options.returnTo });
    },

    /**
     * Switches the session to another organization of the user; the page is told through onChange.
     * When WorkOS refuses (not a member, …) the promise rejects with an Error carrying `code` and
     * `status`, and the session stays as it was. When that organization needs SSO or MFA first,
     * the browser goes to sign in into it (the answer's `redirect`) and the promise gives null.
     */
    switchOrganization: function (organizationId) {
      return fetch(prefix + "refresh", {
        method: "POST", credentials: "same-origin",
        headers: { "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded" },
        body: "organization_id=" + encodeURIComponent(organizationId)
      }).then(function (response) {
        return response.json().catch(function () { return null; }).then(function (body) {
          if (response.ok && body && body.user) {
            token = null;
            setSession(body);
            return fetchToken().then(function () { return session; });
          }
          if (body && body.redirect) { location.assign(body.redirect); return null; }
          if (response.status === 401) { AuthKit.signIn({ organizationId: organizationId }); return null; }
          var error = new Error("authkit: " + ((body && body.error_description) || "switching organization answered " + response.status));
          error.code = body && body.error;
          error.status = response.status;
          throw error;
        });
      });
    },

    /** For tests and tools: when the current token will be refreshed (ms from now), per authkit's rules. */
    _refreshDelay: refreshDelay
  };

  global.AuthKit = AuthKit;
  // The session is fetched once on load, so onChange listeners and the banner see it.
  refreshSession().catch(function () {});
})(window);
"""#
}
