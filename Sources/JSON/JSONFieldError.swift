/// A field of a configuration file or API body that is missing, of the wrong type, out of range
/// or unknown.
///
/// `path` names the field from the document's root, like `edge.listeners[1].address`;
/// `description` reads `edge.listeners[1].address: required key is missing`.
public struct JSONFieldError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The dotted path of the field, or of the object for an unknown key. Empty for the root.
    public let path: String
    /// What is wrong, without the path.
    public let message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String {
        path.isEmpty ? message : "\(path): \(message)"
    }
}
