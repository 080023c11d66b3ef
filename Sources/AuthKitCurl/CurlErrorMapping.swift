import AuthKitCore
import CCurl

/// Maps libcurl result codes to ``HTTPTransportError``.
///
/// The message is libcurl's fixed text for the code (`curl_easy_strerror`) and the code number,
/// nothing else: never the URL, header fields or body, which carry the API key and tokens.
/// (`CURLOPT_ERRORBUFFER` is deliberately not used; its text can quote the request.)
enum CurlErrorMapping {
    /// The error for a result other than `CURLE_OK`.
    static func error(for code: CURLcode) -> HTTPTransportError {
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return .timedOut
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY,
             CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING,
             CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
             CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR,
             CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS:
            return .connectionFailed(describe(code))
        default:
            return .other(describe(code))
        }
    }

    /// `curl_easy_strerror` text with the numeric code, e.g. `Couldn't connect to server (curl 7)`.
    static func describe(_ code: CURLcode) -> String {
        "\(String(cString: curl_easy_strerror(code))) (curl \(code.rawValue))"
    }
}
