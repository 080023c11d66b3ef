/// The emulator's HTML: one layout, escaped text, and the small pages (error, signed out).
enum HTMLPage {
    /// A whole page. `title` and `message` are text; `content` is HTML.
    static func render(title: String, message: String, content: String = "") -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>
        body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}
        .banner{font-size:.8rem;color:#666;border-bottom:1px solid #eee;padding-bottom:.5rem}
        form.user{border:1px solid #ddd;border-radius:8px;padding:1rem;margin:1rem 0;display:flex;gap:.75rem;align-items:center;flex-wrap:wrap}
        form.user.hinted{border-color:#6363f1}
        form.user .who{flex:1 1 14rem}
        form.user small{display:block;color:#555}
        button{padding:.4rem .9rem;border-radius:6px;border:1px solid #6363f1;background:#6363f1;color:#fff;cursor:pointer}
        button[disabled]{background:#ccc;border-color:#ccc;cursor:not-allowed}
        </style></head>
        <body><p class="banner">authkit-emulator: a local stand-in for WorkOS AuthKit, not WorkOS.</p>
        <h1>\(escape(title))</h1><p>\(escape(message))</p>
        \(content)
        </body></html>
        """
    }

    /// `/user_management/authorize` refused the client or redirect URI.
    static func error(title: String, message: String) -> String {
        render(title: title, message: message)
    }

    /// Logout without `return_to`.
    static var signedOut: String {
        render(title: "Signed out", message: "The session has ended. You can close this page.")
    }

    /// HTML-escapes text for element content and quoted attributes.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
