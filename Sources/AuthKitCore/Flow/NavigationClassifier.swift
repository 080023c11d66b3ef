/// Tells a browser's page navigation from other requests (XHR, fetch, images, API clients),
/// with mod_auth_openidc's heuristics. Only navigations are redirected to sign in and get
/// login state (verifier cookies); everything else gets a plain 401, so a page full of
/// assets cannot pile up verifier cookies (authkit-nextjs #432).
///
/// Not a navigation when: `X-Requested-With: XMLHttpRequest`; or `Sec-Fetch-Mode` is present
/// and not `navigate`; or `Sec-Fetch-Dest` is present and not `document`/`iframe`; or `Accept`
/// is present and names none of `text/html`, `application/xhtml+xml`, `*/*`.
public enum NavigationClassifier {
    /// - Parameter header: looks up a request header by lower-case name.
    /// Header values are compared as bytes with A–Z folded: `navigate\u{301}` is not `navigate`,
    /// and a mark after `text/html` does not hide it.
    public static func isNavigation(header: (String) -> String?) -> Bool {
        if header("x-requested-with")?.equalsASCIICaseInsensitive("xmlhttprequest") == true { return false }
        if let mode = header("sec-fetch-mode"), !mode.equalsASCIICaseInsensitive("navigate") { return false }
        if let destination = header("sec-fetch-dest"), !destination.equalsASCIICaseInsensitive("document"),
           !destination.equalsASCIICaseInsensitive("iframe") {
            return false
        }
        if let accept = header("accept"), !accept.containsASCIICaseInsensitive("text/html"),
           !accept.containsASCIICaseInsensitive("application/xhtml+xml"), !accept.containsASCIICaseInsensitive("*/*") {
            return false
        }
        return true
    }
}
