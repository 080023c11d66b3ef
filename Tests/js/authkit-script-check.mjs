// Runs the authkit.js served by a real authkit-fcgi (behind nginx) in Node, against that same
// server: node authkit-script-check.mjs BASE_URL SESSION_COOKIE_VALUE ORGANIZATION_TO_SWITCH_TO
// A browser supplies fetch's cookies and Sec-Fetch-Site; here a small wrapper does. Prints one
// line per check and "ok" at the end; exits 1 at the first failure. (The page-level behaviour —
// rendering, the impersonation banner, redirects — needs a real browser.)
import vm from "node:vm";

const [base, initialCookie, otherOrganization] = process.argv.slice(2);
let jar = initialCookie;
const fail = (message) => { console.log("FAIL " + message); process.exit(1); };
const expect = (condition, message) => { if (!condition) fail(message); console.log("pass " + message); };
const claims = (jwt) => JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString());

const served = await fetch(base + "/auth/authkit.js");
expect(served.status === 200, "the script is served");
const source = await served.text();

const realFetch = globalThis.fetch;
const requests = [];
globalThis.fetch = async (path, options = {}) => {
  const url = new URL(path, base);
  requests.push(url.pathname);
  const response = await realFetch(url, {
    ...options, redirect: "manual",
    headers: { ...(options.headers || {}), Cookie: "wos-session=" + jar, "Sec-Fetch-Site": "same-origin" },
  });
  // getSetCookie() is Node 19.7+/18.14+; older Nodes join the values with ", ".
  const setCookies = response.headers.getSetCookie ? response.headers.getSetCookie() : [response.headers.get("set-cookie") || ""];
  for (const line of setCookies) {
    const match = line.match(/^wos-session=([^;]*)/);
    if (match && match[1]) jar = match[1];
  }
  return response;
};
const assigned = [];
globalThis.window = globalThis;
globalThis.location = Object.assign(new URL(base + "/protected/page?x=1"), { assign: (url) => assigned.push(url) });
globalThis.document = {
  currentScript: { src: base + "/auth/authkit.js" }, cookie: "", body: null,
  addEventListener() {}, createElement() { throw new Error("no DOM here"); },
};
vm.runInThisContext(source, { filename: "authkit.js" });
const AuthKit = globalThis.AuthKit;
expect(typeof AuthKit === "object", "AuthKit is defined");

const session = await AuthKit.getUser();
expect(session && session.user && session.user.email === "ada@example.com", "getUser() gives the signed-in user");
expect(requests.filter((p) => p === "/auth/session").length === 1, "the session is fetched once");
await AuthKit.getUser();
expect(requests.filter((p) => p === "/auth/session").length === 1, "and then remembered");

const token = await AuthKit.getAccessToken();
expect(claims(token).sub === session.user.id, "getAccessToken() gives the user's access token");
const again = await AuthKit.getAccessToken();
expect(again === token && requests.filter((p) => p === "/auth/token").length === 1, "a valid token is not fetched again");

// authkit-nextjs's timings: 60 s before exp, 30 s for tokens living ≤ 5 min, 15 s at least, 24 h at most.
const now = Date.now() / 1000;
const near = (a, b) => Math.abs(a - b) < 1500;
expect(near(AuthKit._refreshDelay(now + 300, now), 270_000), "a 5-minute token is refreshed 30 s before expiry");
expect(near(AuthKit._refreshDelay(now + 3600, now - 60), 3_540_000), "a 1-hour token 60 s before");
expect(AuthKit._refreshDelay(now + 10, now) === 15_000, "never sooner than 15 s");
expect(AuthKit._refreshDelay(now + 10 * 86400, now) === 86_400_000, "never later than 24 h");

const changes = [];
AuthKit.onChange((next) => changes.push(next));
const switched = await AuthKit.switchOrganization(otherOrganization);
expect(switched && switched.organizationId === otherOrganization, "switchOrganization() moves the session");
expect(changes.some((s) => s && s.organizationId === otherOrganization), "onChange() hears of it");
const switchedToken = await AuthKit.getAccessToken();
expect(claims(switchedToken).org_id === otherOrganization, "and the new token is for that organization");

let refused = null;
try { await AuthKit.switchOrganization("org_01NOTAMEMBEROFTHIS000000"); } catch (error) { refused = error; }
expect(refused && refused.code === "organization_membership_not_found" && refused.status === 403,
  "a refused switch rejects with WorkOS's code: " + (refused && refused.message));
const kept = await AuthKit.getUser({ refresh: true });
expect(kept && kept.organizationId === otherOrganization, "and the session stays in its organization");

AuthKit.signIn({ returnTo: "/docs/" });
expect(assigned.pop() === "/auth/sign-in?return_to=%2Fdocs%2F", "signIn() goes to the sign-in endpoint");
AuthKit.signIn();
expect(assigned.pop() === "/auth/sign-in?return_to=%2Fprotected%2Fpage%3Fx%3D1", "by default returning to this page");

jar = "";
const signedOut = await AuthKit.getUser({ refresh: true });
expect(signedOut === null && changes[changes.length - 1] === null, "a signed-out browser gets null, and onChange() hears of it");
expect((await AuthKit.getAccessToken()) === null, "and getAccessToken() gives null rather than the old token");
console.log("ok");
