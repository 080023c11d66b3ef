/// Why a seal could not be opened or made. The cases follow iron-webcrypto 1.2.1's errors.
public enum IronError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `Incorrect number of sealed components`.
    case incorrectNumberOfComponents
    /// `Wrong mac prefix`: not `Fe26.2`.
    case wrongPrefix
    /// `Invalid expiration`: not ASCII digits.
    case invalidExpiration
    /// `Expired seal`: expiration ≤ now − 60 s.
    case expired
    /// `Cannot find password: <id>`.
    case cannotFindPassword(String)
    /// `Bad hmac value`.
    case badHMAC
    /// `Invalid character … in base64 string`, in the IV or ciphertext.
    case invalidBase64
    /// WebCrypto's `OperationError`: the MAC was valid but the ciphertext does not decrypt.
    case decryptionFailed
    /// `Password string too short (min 32 characters required)`.
    case passwordTooShort
    /// `Invalid password id`.
    case invalidPasswordId

    /// Whether iron-session's `unsealData` turns this error into `{}` (the "soft" errors) rather
    /// than throwing. authkit-nextjs deletes the cookie on a soft error and answers 500 on a
    /// hard one; we answer "no session" for both.
    public var isSoft: Bool {
        switch self {
        case .expired, .badHMAC, .cannotFindPassword, .incorrectNumberOfComponents: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .incorrectNumberOfComponents: "Incorrect number of sealed components"
        case .wrongPrefix: "Wrong mac prefix"
        case .invalidExpiration: "Invalid expiration"
        case .expired: "Expired seal"
        case .cannotFindPassword(let id): "Cannot find password: \(id)"
        case .badHMAC: "Bad hmac value"
        case .invalidBase64: "Invalid base64 in IV or ciphertext"
        case .decryptionFailed: "Decryption failed"
        case .passwordTooShort: "Password string too short (min 32 characters required)"
        case .invalidPasswordId: "Invalid password id"
        }
    }
}
