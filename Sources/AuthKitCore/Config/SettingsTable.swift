/// `check-config`'s listing: one row per setting, `NAME  value  source`, in aligned columns
/// under a header, values as ``ConfigLoader/describe(_:)`` gives them (secrets masked).
///
/// ```text
/// SETTING                 VALUE                 SOURCE
/// WORKOS_CLIENT_ID        client_01HXYZ         file /etc/authkit-fcgi/authkit.env
/// WORKOS_API_KEY          sk_test_…(40 chars)   env
/// WORKOS_COOKIE_SAMESITE  lax                   default
/// ```
///
/// A value longer than ``maximumValueWidth`` does not widen the column for every row; it pushes
/// only its own row's source to the right.
public enum SettingsTable {
    /// Values up to this many characters set the value column's width.
    public static let maximumValueWidth = 40

    /// The rows for `config`, whose variables came from `sources`.
    public static func rows(_ config: AuthKitConfig, sources: ConfigSources) -> [(name: String, value: String, source: String)] {
        ConfigLoader.describe(config).map { ($0.name, $0.value, sources.origin(of: $0.name).description) }
    }

    /// The header and the rows as aligned lines, without trailing spaces or newlines.
    public static func lines(_ rows: [(name: String, value: String, source: String)]) -> [String] {
        let all = [(name: "SETTING", value: "VALUE", source: "SOURCE")]
            + rows.map { (name: $0.name, value: visible($0.value), source: visible($0.source)) }
        let nameWidth = all.map(\.name.count).max() ?? 0
        let valueWidth = all.map(\.value.count).filter { $0 <= maximumValueWidth }.max() ?? 0
        return all.map { row in
            padded(row.name, to: nameWidth) + "  " + padded(row.value, to: valueWidth) + "  " + row.source
        }
    }

    /// One line whatever the value holds: a line break shows as `\n`, a tab as `\t`, other
    /// control characters as `?`; an empty value as `""`.
    static func visible(_ text: String) -> String {
        if text.isEmpty { return "\"\"" }
        var out = ""
        for character in text {
            switch character {
            case "\n", "\r\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                out += character.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F } ? "?" : String(character)
            }
        }
        return out
    }

    private static func padded(_ text: String, to width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
